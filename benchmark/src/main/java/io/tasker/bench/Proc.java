package io.tasker.bench;

import io.tasker.testsupport.ServiceProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * One service JVM started from its packaged jar ({@link ServiceProcess}), with what the benchmark
 * measures of it: its CPU time and peak RSS read from /proc, and the statements its pool ran.
 */
final class Proc {

    private final ServiceProcess service;

    private Proc(ServiceProcess service) {
        this.service = service;
    }

    static Proc start(Path root, String name, String module, Map<String, String> env, Path logs) {
        return new Proc(
                ServiceProcess.builder(name, ServiceProcess.packagedJar(root, module))
                        .env(env)
                        .env("TASKER_WORKER_ID", name)
                        .log(logs.resolve(name + ".log"))
                        .start());
    }

    String url() {
        return service.baseUrl();
    }

    void stop() {
        service.stop(Duration.ofSeconds(60));
    }

    /** Statements the service's pool has executed (its sql_pool_completed_total metric). */
    double statementsExecuted() {
        String metrics = service.metrics();
        double total = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("sql_pool_completed_total{")) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    long cpuTicks() {
        return cpuTicks(service.pid());
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
            for (String line : Files.readAllLines(Path.of("/proc/" + service.pid() + "/status"))) {
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
        return service.toString();
    }
}
