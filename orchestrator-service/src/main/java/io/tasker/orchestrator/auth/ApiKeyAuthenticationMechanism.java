package io.tasker.orchestrator.auth;

import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.identity.request.BaseAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Takes API keys from {@code X-API-Key} or from {@code Authorization: Bearer tk_...}; any other
 * bearer token is left to smallrye-jwt's mechanism, which runs after this one, when a JWT
 * verification key is configured (without one every bearer token is read as an API key, and refused
 * as one). With {@code tasker.auth.enabled=false} every request is the {@code anonymous} identity
 * with every role.
 */
@ApplicationScoped
public class ApiKeyAuthenticationMechanism implements HttpAuthenticationMechanism {

    public static final String API_KEY_HEADER = "X-API-Key";
    private static final String BEARER = "Bearer ";

    /** What a 401 asks for, in {@code WWW-Authenticate}. */
    public static final String CHALLENGE = "Bearer realm=\"tasker\"";

    /** The settings by which smallrye-jwt finds its verification key. */
    private static final List<String> JWT_KEY_SETTINGS =
            List.of(
                    "mp.jwt.verify.publickey",
                    "mp.jwt.verify.publickey.location",
                    "smallrye.jwt.verify.key.location");

    private final ApiKeyStore store;
    private final SecurityIdentity anonymous;
    private final boolean jwtConfigured;

    public ApiKeyAuthenticationMechanism(ApiKeyStore store) {
        this.store = store;
        Config config = ConfigProvider.getConfig();
        this.jwtConfigured =
                JWT_KEY_SETTINGS.stream()
                        .anyMatch(k -> config.getOptionalValue(k, String.class).isPresent());
        this.anonymous =
                QuarkusSecurityIdentity.builder()
                        .setPrincipal(new QuarkusPrincipal(Callers.ANONYMOUS))
                        .addRoles(Roles.effective(Roles.ALL))
                        .build();
    }

    @Override
    public Uni<SecurityIdentity> authenticate(
            RoutingContext context, IdentityProviderManager identityProviderManager) {
        if (!store.enabled()) {
            return Uni.createFrom().item(anonymous);
        }
        String key = key(context, jwtConfigured);
        if (key == null) {
            return Uni.createFrom().nullItem();
        }
        return identityProviderManager.authenticate(new ApiKeyRequest(key));
    }

    /**
     * The presented API key, or null when the request carries none; a bearer token that is not a
     * {@code tk_} key counts as one only when JWTs cannot be verified.
     */
    static String key(RoutingContext context, boolean jwtConfigured) {
        String header = context.request().getHeader(API_KEY_HEADER);
        if (header != null) {
            return header.trim();
        }
        String authorization = context.request().getHeader("Authorization");
        if (authorization != null
                && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            String token = authorization.substring(BEARER.length()).trim();
            if (ApiKeyCodec.looksLikeKey(token) || !jwtConfigured) {
                return token;
            }
        }
        return null;
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", CHALLENGE));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(ApiKeyRequest.class);
    }

    @Override
    public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
        return Uni.createFrom()
                .item(
                        new HttpCredentialTransport(
                                HttpCredentialTransport.Type.OTHER_HEADER, API_KEY_HEADER));
    }

    /**
     * Before smallrye-jwt's mechanism, so that {@code tk_} bearer tokens are never read as JWTs.
     */
    @Override
    public int getPriority() {
        return DEFAULT_PRIORITY + 100;
    }

    /** An API key to verify. */
    public static final class ApiKeyRequest extends BaseAuthenticationRequest {
        private final String key;

        ApiKeyRequest(String key) {
            this.key = key;
        }

        String key() {
            return key;
        }
    }
}
