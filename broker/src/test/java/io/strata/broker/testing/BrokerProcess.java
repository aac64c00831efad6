package io.strata.broker.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A {@link StandaloneBroker} in a child JVM, which the test can kill without warning. */
public final class BrokerProcess implements AutoCloseable {

    private final Process process;
    private final int port;

    private BrokerProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static BrokerProcess start(Path dataDir, int port, Path log) throws IOException, InterruptedException {
        return start(dataDir, port, log, Map.of());
    }

    /**
     * A broker with {@code config} (configuration keys) besides its data directory and Kafka port. A test that
     * restarts it on the same port takes the port from {@link FreePorts}: one the system chose (0) lies in the
     * ephemeral range, where an outgoing connection may take it while the broker is down.
     */
    public static BrokerProcess start(Path dataDir, int port, Path log, Map<String, String> config)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of(dataDir.toString(), Integer.toString(port)));
        config.forEach((key, value) -> args.add(key + "=" + value));
        Process process = ChildJvm.command(StandaloneBroker.class.getName(), args)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("READY ")) {
                        return line;
                    }
                }
                return null;
            } catch (IOException e) {
                return null;
            }
        });
        try {
            String line = ready.get(60, TimeUnit.SECONDS);
            if (line == null) {
                throw new IllegalStateException("the broker process exited before it was ready; see " + log);
            }
            return new BrokerProcess(process, Integer.parseInt(line.substring("READY ".length()).trim()));
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            process.destroyForcibly();
            throw new IllegalStateException("the broker process did not get ready; see " + log, e);
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** SIGTERM, then waits at most {@code timeout} for the broker to close its logs and exit. */
    public void stop(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("the broker process did not stop within " + timeout + " of SIGTERM");
        }
    }

    /** SIGKILL: no shutdown hook, no flush, no clean-shutdown marker. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGSTOP: the process stands still, sockets open, as in a long GC pause; {@link #resume} ends it. */
    public void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT after {@link #pause}. */
    public void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
