package io.tasker.orchestrator;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.util.Base64;
import java.util.Map;

/**
 * A key pair generated for the test: the orchestrator verifies JWTs with its public key ({@code
 * mp.jwt.verify.publickey}), the test signs them with the private key, injected into its {@code
 * PrivateKey} field.
 */
public class JwtKeys implements QuarkusTestResourceLifecycleManager {

    public static final String ISSUER = "https://issuer.tasker.test";

    private KeyPair pair;

    @Override
    public Map<String, String> start() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            pair = generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        String pem =
                "-----BEGIN PUBLIC KEY-----\n"
                        + Base64.getMimeEncoder().encodeToString(pair.getPublic().getEncoded())
                        + "\n-----END PUBLIC KEY-----";
        return Map.of("mp.jwt.verify.publickey", pem, "mp.jwt.verify.issuer", ISSUER);
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(
                pair.getPrivate(), new TestInjector.MatchesType(PrivateKey.class));
    }

    @Override
    public void stop() {}
}
