# JVM image of a worker (runs step handlers; holds no state).
# Build from the repository root:
#   docker build -f deploy/docker/worker.jvm.Dockerfile -t tasker-worker .
#
# Stage 1 builds the module and the modules it depends on; stage 2 holds only a JRE and the
# Quarkus fast-jar layout (target/quarkus-app), with dependencies in their own layer.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build
COPY . .
# The cache mount keeps downloaded dependencies between builds (BuildKit, the default builder).
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -DskipTests -pl worker-service -am package

FROM eclipse-temurin:17-jre
# uid 185 with group 0, the convention of the Quarkus images; it owns nothing outside /deployments.
RUN useradd --uid 185 --gid 0 --no-create-home --home-dir /deployments \
        --shell /usr/sbin/nologin tasker \
    && mkdir /deployments \
    && chown 185:0 /deployments
WORKDIR /deployments
COPY --from=build --chown=185:0 /build/worker-service/target/quarkus-app/lib/ /deployments/lib/
COPY --from=build --chown=185:0 /build/worker-service/target/quarkus-app/*.jar /deployments/
COPY --from=build --chown=185:0 /build/worker-service/target/quarkus-app/app/ /deployments/app/
COPY --from=build --chown=185:0 /build/worker-service/target/quarkus-app/quarkus/ /deployments/quarkus/
USER 185
# 9001: the management interface (health and metrics); the worker serves no API
EXPOSE 9001

# JAVA_OPTS: an exec-form ENTRYPOINT has no shell to expand $JAVA_OPTS, so JVM options travel in
# JDK_JAVA_OPTIONS, which the java launcher reads by itself:
#   docker run -e JDK_JAVA_OPTIONS="-Xmx512m" ...
# docker-compose.yml forwards the shell's JAVA_OPTS into it (JAVA_OPTS=-Xmx512m docker compose up).
ENV JDK_JAVA_OPTIONS="-XX:MaxRAMPercentage=75.0" \
    LANG=C.UTF-8
ENTRYPOINT ["java", "-jar", "/deployments/quarkus-run.jar"]
