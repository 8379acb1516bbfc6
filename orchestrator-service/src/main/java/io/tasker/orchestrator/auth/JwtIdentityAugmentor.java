package io.tasker.orchestrator.auth;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.tasker.orchestrator.config.OrchestratorConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.JsonArray;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Gives a JWT identity what an API key identity has: {@code admin} brings every role, and the
 * namespaces claim ({@code tasker.auth.jwt.namespaces-claim}) limits the token to those namespaces.
 * The roles themselves come from smallrye-jwt ({@code smallrye.jwt.path.groups}).
 */
@ApplicationScoped
public class JwtIdentityAugmentor implements SecurityIdentityAugmentor {

    private final String namespacesClaim;

    public JwtIdentityAugmentor(OrchestratorConfig config) {
        this.namespacesClaim = config.auth().jwt().namespacesClaim();
    }

    @Override
    public Uni<SecurityIdentity> augment(
            SecurityIdentity identity, AuthenticationRequestContext context) {
        if (!(identity.getPrincipal() instanceof JsonWebToken jwt)) {
            return Uni.createFrom().item(identity);
        }
        QuarkusSecurityIdentity.Builder augmented =
                QuarkusSecurityIdentity.builder(identity)
                        .addRoles(Roles.effective(identity.getRoles()));
        Set<String> namespaces = strings(jwt.getClaim(namespacesClaim));
        if (namespaces != null) {
            augmented.addAttribute(Callers.NAMESPACES, Set.copyOf(namespaces));
        }
        return Uni.createFrom().item(augmented.build());
    }

    /** The claim's strings (an array or a single string), or null when the claim is absent. */
    static Set<String> strings(Object claim) {
        if (claim == null) {
            return null;
        }
        Set<String> out = new LinkedHashSet<>();
        if (claim instanceof JsonArray array) {
            for (JsonValue v : array) {
                out.add(text(v));
            }
        } else if (claim instanceof Collection<?> values) {
            values.forEach(v -> out.add(text(v)));
        } else {
            out.add(text(claim));
        }
        return out;
    }

    private static String text(Object value) {
        return value instanceof JsonString s ? s.getString() : String.valueOf(value);
    }
}
