package io.tasker.orchestrator.auth;

import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.tasker.orchestrator.rest.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.jwt.JsonWebToken;

/** The caller of the current request, as the audit trail and the namespace checks see it. */
@ApplicationScoped
public class Callers {

    /** The identity of every request while auth is disabled. */
    public static final String ANONYMOUS = "anonymous";

    /** Actor prefix of an API key's name. */
    public static final String KEY = "key:";

    /** Actor prefix of a JWT's subject. */
    public static final String JWT = "jwt:";

    /** Identity attribute: the namespaces (a {@code Set<String>}) the caller is limited to. */
    public static final String NAMESPACES = "tasker.namespaces";

    private final CurrentIdentityAssociation identities;

    public Callers(CurrentIdentityAssociation identities) {
        this.identities = identities;
    }

    /** The caller of the current request (authenticated by the time a resource method runs). */
    public Uni<Caller> current() {
        return identities.getDeferredIdentity().map(Caller::of);
    }

    /**
     * Who calls: {@code actor} is recorded in the audit trail; {@code namespaces} is null when the
     * caller may use every namespace.
     */
    public record Caller(String actor, Set<String> namespaces) {

        static Caller of(SecurityIdentity identity) {
            String actor =
                    identity.getPrincipal() instanceof JsonWebToken jwt
                            ? JWT + (jwt.getSubject() != null ? jwt.getSubject() : jwt.getName())
                            : identity.getPrincipal().getName();
            Set<String> namespaces = identity.getAttribute(NAMESPACES);
            return new Caller(actor, namespaces);
        }

        /** Whether the caller may use the namespace. */
        public boolean mayUse(String namespace) {
            return namespaces == null || namespaces.contains(namespace);
        }

        /** The namespaces a listing is limited to, or null for every one. */
        public List<String> namespaceFilter() {
            return namespaces == null ? null : List.copyOf(namespaces);
        }

        /** Fails with 403 {@code namespace_not_allowed} unless the caller may use the namespace. */
        public void requireNamespace(String namespace) {
            if (!mayUse(namespace)) {
                throw new ApiException(
                        403,
                        "namespace_not_allowed",
                        "Forbidden",
                        "this credential is not allowed to use namespace '" + namespace + "'",
                        List.of(),
                        Map.of("namespace", namespace));
            }
        }

        /**
         * The reason to record: the caller's reason, with the body's claimed actor added when it
         * names someone else (a body can add to the reason, never change who).
         */
        public String reasonWith(String reason, String claimedActor) {
            if (claimedActor == null || claimedActor.isBlank() || claimedActor.equals(actor)) {
                return reason;
            }
            String on = "on behalf of " + claimedActor;
            return reason == null || reason.isBlank() ? on : reason + " (" + on + ")";
        }
    }
}
