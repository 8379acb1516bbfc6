package io.tasker.worker.internal.templates;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Not ready until the shipped templates are registered: tasks of them cannot be created before. */
@Readiness
@ApplicationScoped
public class TemplatesReadiness implements HealthCheck {

    private final TemplateRegistrar registrar;

    public TemplatesReadiness(TemplateRegistrar registrar) {
        this.registrar = registrar;
    }

    @Override
    public HealthCheckResponse call() {
        TemplateRegistrar.Status s = registrar.status();
        return HealthCheckResponse.named("tasker-templates")
                .status(s.done())
                .withData("templates", s.detail())
                .build();
    }
}
