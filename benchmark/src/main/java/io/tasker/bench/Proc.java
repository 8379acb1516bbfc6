package io.tasker.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One service JVM started from its packaged jar, with its CPU time and peak RSS read from /proc.
 */
final class Proc {

    private static final HttpClient HTTP =
            HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(2))
                    .build();

    private final String name;
    private final Process process;
    private final int port;

    private Proc(String name, Process process, int port) {
        this.name = name;
        this.process = process;
        this.port = port;
    }

    static Proc start(Path root, String name, String module, Map<String, String> env, Path logs)
            throws Exception {
        Path jar = root.resolve(module + "/target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(
                    jar + " is missing: run mvn -B -DskipTests package first");
        }
        Files.createDirectories(logs);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ProcessBuilder pb =
                new ProcessBuilder(
                                List.of(
                                        Path.of(System.getProperty("java.home"), "bin", "java")
                                                .toString(),
                                        "-Xmx384m",
                                        "-jar",
                                        jar.toString()))
                        .redirectErrorStream(true)
                        .redirectOutput(logs.resolve(name + ".log").toFile());
        pb.environment().putAll(env);
        pb.environment().put("TASKER_HTTP_PORT", String.valueOf(port));
        pb.environment().put("TASKER_WORKER_ID", name);
        Proc p = new Proc(name, pb.start(), port);
        long end = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < end) {
            if (!p.process.isAlive()) {
                throw new IllegalStateException(
                        name + " exited; see " + logs.resolve(name + ".log"));
            }
            try {
                HttpResponse<Void> r =
                        HTTP.send(
                                HttpRequest.newBuilder(URI.create(p.url() + "/q/health/ready"))
                                        .build(),
                                HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return p;
                }
            } catch (IOException notYet) {
                // starting
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(name + " not ready within 2 minutes");
    }

    String url() {
        return "http://localhost:" + port;
    }

    void stop() {
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Statements the service's pool has executed (its sql_pool_completed_total metric). */
    double statementsExecuted() throws Exception {
        String metrics =
                HTTP.send(
                                HttpRequest.newBuilder(URI.create(url() + "/q/metrics")).build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body();
        double total = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("sql_pool_completed_total{")) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    long cpuTicks() {
        return cpuTicks(process.pid());
    }

    /** utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/PID/stat). */
    static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Peak resident set size (VmHWM) in MB. */
    long peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    @Override
    public String toString() {
        return name + "(pid " + process.pid() + ")";
    }
}
