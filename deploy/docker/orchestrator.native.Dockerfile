# Native image of the orchestrator (HTTP API, migrations, result processing).
# Build from the repository root:
#   docker build -f deploy/docker/orchestrator.native.Dockerfile -t tasker-orchestrator:native .
#
# Stage 1 runs Quarkus' build up to the native sources (the same step CI checks without GraalVM:
# -Dnative -Dquarkus.native.sources-only=true); stage 2 compiles them with Mandrel in Quarkus'
# builder image, so no local GraalVM is needed; stage 3 is Quarkus' minimal runtime image.

FROM maven:3.9-eclipse-temurin-17 AS sources
WORKDIR /build
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -DskipTests -Dnative -Dquarkus.native.sources-only=true -pl orchestrator-service -am package

FROM quay.io/quarkus/ubi-quarkus-mandrel-builder-image:jdk-21 AS native
COPY --chown=quarkus:quarkus --from=sources /build/orchestrator-service/target/native-sources /build
USER quarkus
WORKDIR /build
RUN native-image $(cat native-image.args) -J-Xmx4g

FROM quay.io/quarkus/quarkus-micro-image:2.0
WORKDIR /work/
COPY --from=native --chown=1001:root --chmod=0755 /build/*-runner /work/application
USER 1001
# 8080: the API; 9000: the management interface (health and metrics)
EXPOSE 8080 9000
ENTRYPOINT ["./application", "-Dquarkus.http.host=0.0.0.0"]
