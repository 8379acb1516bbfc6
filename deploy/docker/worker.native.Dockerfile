# Native image of a worker (runs the step handlers of its namespaces).
# Build from the repository root:
#   docker build -f deploy/docker/worker.native.Dockerfile -t tasker-worker:native .
#
# Stage 1 runs Quarkus' build up to the native sources (the same step CI checks without GraalVM:
# -Dnative -Dquarkus.native.sources-only=true); stage 2 compiles them with Mandrel in Quarkus'
# builder image, so no local GraalVM is needed; stage 3 is Quarkus' minimal runtime image.

FROM maven:3.9-eclipse-temurin-17 AS sources
WORKDIR /build
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -DskipTests -Dnative -Dquarkus.native.sources-only=true -pl worker-service -am package

FROM quay.io/quarkus/ubi-quarkus-mandrel-builder-image:jdk-21 AS native
COPY --chown=quarkus:quarkus --from=sources /build/worker-service/target/native-sources /build
USER quarkus
WORKDIR /build
RUN native-image $(cat native-image.args) -J-Xmx4g

FROM quay.io/quarkus/quarkus-micro-image:2.0
WORKDIR /work/
COPY --from=native --chown=1001:root --chmod=0755 /build/*-runner /work/application
USER 1001
# 9001: the management interface (health and metrics); the worker serves no API
EXPOSE 9001
ENTRYPOINT ["./application", "-Dquarkus.http.host=0.0.0.0"]
