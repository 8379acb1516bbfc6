package io.tasker.orchestrator.auth;

import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import io.tasker.orchestrator.config.OrchestratorConfig;
import io.tasker.orchestrator.rest.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.container.ContainerRequestContext;
import java.util.Set;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Limits the writes (POST, PUT, PATCH, DELETE) of each authenticated caller: 429 {@code
 * rate_limited} problem+json with {@code Retry-After} past the limit. Per replica: N replicas let a
 * caller write up to N times the limit (docs/decisions/013-authentication.md).
 */
@ApplicationScoped
public class WriteRateLimitFilter {

    private static final Set<String> WRITES = Set.of("POST", "PUT", "PATCH", "DELETE");

    private final CurrentIdentityAssociation identities;
    private final boolean active;
    private final WriteRateLimiter limiter;
    private final double perSecond;

    public WriteRateLimitFilter(CurrentIdentityAssociation identities, OrchestratorConfig config) {
        this.identities = identities;
        AuthConfig.RateLimit limit = config.auth().rateLimit();
        this.active = config.auth().enabled() && limit.enabled();
        this.perSecond = limit.writesPerSecond();
        this.limiter =
                active
                        ? new WriteRateLimiter(
                                limit.writesPerSecond(),
                                limit.burst(),
                                limit.maxCallers(),
                                System::nanoTime)
                        : null;
    }

    @ServerRequestFilter
    public Uni<Void> limitWrites(ContainerRequestContext request) {
        if (!active || !WRITES.contains(request.getMethod())) {
            return Uni.createFrom().voidItem();
        }
        return identities
                .getDeferredIdentity()
                // A failed authentication is answered 401 by the security check, not here.
                .onFailure()
                .recoverWithNull()
                .invoke(
                        identity -> {
                            if (identity == null || identity.isAnonymous()) {
                                return;
                            }
                            String caller = Callers.Caller.of(identity).actor();
                            long wait = limiter.acquire(caller);
                            if (wait > 0) {
                                throw ApiException.tooManyRequests(
                                        "rate_limited",
                                        "more than "
                                                + perSecond
                                                + " writes per second (tasker.auth.rate-limit) by "
                                                + caller
                                                + "; retry after "
                                                + wait
                                                + " s",
                                        wait);
                            }
                        })
                .replaceWithVoid();
    }
}
