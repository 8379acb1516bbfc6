package io.tasker.testsupport;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An orchestrator or worker started from its packaged Quarkus jar as a separate JVM: its HTTP port,
 * its management port (health and metrics), its log file, readiness ({@code /q/health/ready} on the
 * management port), pause/resume and stopping (SIGTERM, then SIGKILL after a grace period). The e2e
 * tests, the local runner and the benchmark all start services through this class.
 */
public final class ServiceProcess implements AutoCloseable {

    /** The grace {@link #close()} gives a service to drain and exit before SIGKILL. */
    public static final Duration DEFAULT_STOP_GRACE = Duration.ofSeconds(30);

    private static final HttpClient HTTP =
            HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(3))
                    .build();
    private static final Duration PROBE_INTERVAL = Duration.ofMillis(250);

    private final String name;
    private final Process process;
    private final int port;
    private final int managementPort;
    private final Path log;
    private volatile boolean paused;
    private volatile boolean stopRequested;

    private ServiceProcess(String name, Process process, int port, int managementPort, Path log) {
        this.name = name;
        this.process = process;
        this.port = port;
        this.managementPort = managementPort;
        this.log = log;
    }

    /**
     * The packaged jar of a service module ({@code orchestrator-service}, {@code worker-service})
     * under the repository root; fails with how to build it when it is missing.
     */
    public static Path packagedJar(Path repoRoot, String module) {
        Path jar = repoRoot.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(
                    jar + " is missing: package the services first (mvn -B -DskipTests package)");
        }
        return jar;
    }

    /** A builder for a service called {@code name} (used in messages) started from {@code jar}. */
    public static Builder builder(String name, Path jar) {
        return new Builder(name, jar);
    }

    /** A TCP port that was free a moment ago. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("cannot find a free port", e);
        }
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public String baseUrl() {
        return "http://localhost:" + port;
    }

    /** The port of the management interface ({@code /q/health/*}, {@code /q/metrics}). */
    public int managementPort() {
        return managementPort;
    }

    /** The base URL of the management interface: health and metrics are served only there. */
    public String managementUrl() {
        return "http://localhost:" + managementPort;
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    public Path logFile() {
        return log;
    }

    /** The whole log so far; empty when it cannot be read. */
    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    /** The Prometheus text of {@code /q/metrics}. */
    public String metrics() {
        try {
            return HTTP.send(
                            HttpRequest.newBuilder(URI.create(managementUrl() + "/q/metrics"))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (IOException e) {
            throw new IllegalStateException(this + ": cannot read /q/metrics: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Waits until {@code /q/health/ready} on the management port answers 200. Fails at once, with
     * the log's tail, if the process exits, and after {@code timeout} if it is still not ready.
     */
    public void awaitReady(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException(this + " exited:\n" + tail(40));
            }
            if (ready()) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(
                        this + " not ready after " + timeout + ":\n" + tail(40));
            }
            try {
                Thread.sleep(PROBE_INTERVAL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for " + this, e);
            }
        }
    }

    private boolean ready() {
        try {
            return HTTP.send(
                                    HttpRequest.newBuilder(
                                                    URI.create(managementUrl() + "/q/health/ready"))
                                            .timeout(Duration.ofSeconds(5))
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .statusCode()
                    == 200;
        } catch (IOException notYet) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for " + this, e);
        }
    }

    /** SIGSTOP: the JVM freezes (no heartbeats, no polls) until {@link #resume()}. */
    public void pause() {
        signal("STOP");
        paused = true;
    }

    /** SIGCONT after {@link #pause()}. */
    public void resume() {
        signal("CONT");
        paused = false;
    }

    // Java's Process API has no SIGSTOP/SIGCONT, so kill(1) sends them.
    private void signal(String signal) {
        try {
            Process kill =
                    new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid()))
                            .redirectErrorStream(true)
                            .start();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException(
                        "kill -" + signal + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kill -" + signal, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Sends SIGTERM (resuming a paused process first, which could not act on it otherwise) and
     * returns at once; {@link #stop(Duration)} waits. Lets a caller stop several services at once.
     */
    public void requestStop() {
        if (!process.isAlive()) {
            return;
        }
        if (paused) {
            try {
                resume();
            } catch (IllegalStateException gone) {
                // exited meanwhile
            }
        }
        if (!stopRequested) {
            stopRequested = true;
            process.destroy();
        }
    }

    /** SIGTERM, and SIGKILL if the process has not exited after {@code grace}. */
    public void stop(Duration grace) {
        requestStop();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** SIGTERM and wait for the exit; returns the exit code, or fails after {@code within}. */
    public int terminate(Duration within) throws InterruptedException {
        requestStop();
        if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(this + " did not exit within " + within);
        }
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hook, no drain. Returns once the process is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** {@link #stop(Duration)} with {@link #DEFAULT_STOP_GRACE}. */
    @Override
    public void close() {
        stop(DEFAULT_STOP_GRACE);
    }

    private String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | RuntimeException e) {
            return "(no log at " + log + ")";
        }
    }

    @Override
    public String toString() {
        return name
                + "(pid "
                + process.pid()
                + ", port "
                + port
                + ", management port "
                + managementPort
                + ", log "
                + log
                + ")";
    }

    /** How to start one service; {@link #start()} launches it and waits until it is ready. */
    public static final class Builder {

        private final String name;
        private final Path jar;
        private final Map<String, String> env = new LinkedHashMap<>();
        private final List<String> jvmOptions = new ArrayList<>(List.of("-Xmx384m"));
        private int port;
        private int managementPort;
        private Path log;
        private Duration readyTimeout = Duration.ofMinutes(2);

        private Builder(String name, Path jar) {
            this.name = name;
            this.jar = jar;
        }

        /** The HTTP port ({@code TASKER_HTTP_PORT}); by default a free one is picked. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /**
         * The management port ({@code TASKER_MANAGEMENT_PORT}: health and metrics); by default a
         * free one is picked.
         */
        public Builder managementPort(int port) {
            this.managementPort = port;
            return this;
        }

        public Builder env(String key, String value) {
            env.put(key, value);
            return this;
        }

        public Builder env(Map<String, String> values) {
            env.putAll(values);
            return this;
        }

        /** Replaces the JVM options (default {@code -Xmx384m}). */
        public Builder jvmOptions(String... options) {
            jvmOptions.clear();
            jvmOptions.addAll(List.of(options));
            return this;
        }

        /** Where stdout and stderr go (required); its directory is created. */
        public Builder log(Path file) {
            this.log = file;
            return this;
        }

        /** How long {@link #start()} waits for readiness (default 2 minutes). */
        public Builder readyTimeout(Duration timeout) {
            this.readyTimeout = timeout;
            return this;
        }

        /** Starts the process without waiting for it; see {@link ServiceProcess#awaitReady}. */
        public ServiceProcess launch() {
            if (log == null) {
                throw new IllegalStateException("no log file given for " + name);
            }
            int httpPort = port == 0 ? freePort() : port;
            int mgmtPort = managementPort;
            while (mgmtPort == 0) {
                int free = freePort();
                mgmtPort = free == httpPort ? 0 : free;
            }
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmOptions);
            command.add("-jar");
            command.add(jar.toString());
            try {
                Files.createDirectories(log.toAbsolutePath().getParent());
                ProcessBuilder pb =
                        new ProcessBuilder(command)
                                .redirectErrorStream(true)
                                .redirectOutput(log.toFile());
                pb.environment().putAll(env);
                pb.environment().put("TASKER_HTTP_PORT", String.valueOf(httpPort));
                pb.environment().put("TASKER_MANAGEMENT_PORT", String.valueOf(mgmtPort));
                return new ServiceProcess(name, pb.start(), httpPort, mgmtPort, log);
            } catch (IOException e) {
                throw new IllegalStateException("cannot start " + name + " from " + jar, e);
            }
        }

        /** Starts the process and waits until it is ready; stops it again if it never is. */
        public ServiceProcess start() {
            ServiceProcess p = launch();
            try {
                p.awaitReady(readyTimeout);
                return p;
            } catch (RuntimeException e) {
                p.stop(Duration.ofSeconds(5));
                throw e;
            }
        }
    }
}
