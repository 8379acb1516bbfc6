package io.tasker.orchestrator.auth;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.tasker.orchestrator.auth.ApiKeyAuthenticationMechanism.ApiKeyRequest;
import jakarta.enterprise.context.ApplicationScoped;

/** Turns a verified API key into an identity: its name, its roles and its namespace scope. */
@ApplicationScoped
public class ApiKeyIdentityProvider implements IdentityProvider<ApiKeyRequest> {

    private final ApiKeyStore store;

    public ApiKeyIdentityProvider(ApiKeyStore store) {
        this.store = store;
    }

    @Override
    public Class<ApiKeyRequest> getRequestType() {
        return ApiKeyRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(
            ApiKeyRequest request, AuthenticationRequestContext context) {
        return store.verify(request.key())
                .map(
                        key -> {
                            QuarkusSecurityIdentity.Builder identity =
                                    QuarkusSecurityIdentity.builder()
                                            .setPrincipal(
                                                    new QuarkusPrincipal(Callers.KEY + key.name()))
                                            .addRoles(Roles.effective(key.roles()));
                            if (key.namespaces() != null) {
                                identity.addAttribute(Callers.NAMESPACES, key.namespaces());
                            }
                            return identity.build();
                        });
    }
}
