import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.RequestHeader;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Connection load on a Kafka-protocol broker, run by kafka-benchmark.sh with CONNECTIONS set:
 * <ol>
 * <li>{@code connections} connections that long-poll Fetch (max wait 500 ms) at the end of an idle partition, as
 * idle consumers do; the broker's live heap (after a collection) and RSS before and after give the memory per
 * connection, and its CPU over
 * {@code seconds} at rest (from 10 s after the last connection was answered) the cost of holding them;</li>
 * <li>a storm of {@code connections} more connects within about a second, each sending ApiVersions, while an
 * established connection measures its own ApiVersions round trips: how many of the storm were served or refused,
 * and the established connection's p99 before and during the storm.</li>
 * </ol>
 * Bounded: every wait has a deadline, and all connections close at the end. Prints {@code key=value} lines.
 * <pre>java -cp 'load-tests/target/lib/*' load-tests/ConnectionLoad.java host:port brokerPid topic connections seconds</pre>
 */
public final class ConnectionLoad {

    private static final short FETCH_VERSION = 12;
    private static final short API_VERSIONS_VERSION = 3;
    private static final int MAX_WAIT_MS = 500;
    private static final long CLK_TCK = 100;
    private static final int SETTLE_SECONDS = 10;

    public static void main(String[] args) throws Exception {
        String[] hostPort = args[0].split(":");
        InetSocketAddress address = new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
        long pid = Long.parseLong(args[1]);
        String topic = args[2];
        int connections = Integer.parseInt(args[3]);
        int seconds = Integer.parseInt(args[4]);

        long endOffset;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]))) {
            TopicPartition tp = new TopicPartition(topic, 0);
            endOffset = admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get(30, TimeUnit.SECONDS)
                    .offset();
        }

        long heapBefore = liveHeapKb(pid);
        long rssBefore = rssKb(pid); // both RSS figures after a collection
        try (LongPolls polls = new LongPolls(address, topic, endOffset, connections)) {
            polls.awaitAllAnswered(TimeUnit.SECONDS.toNanos(60));
            long heapAfter = liveHeapKb(pid);
            // At rest: after the connects, and after the JIT compiled the poll's path (a few thousand polls).
            Thread.sleep(TimeUnit.SECONDS.toMillis(SETTLE_SECONDS));
            long rssAfter = rssKb(pid);
            long cpuBefore = cpuTicks(pid);
            long answersBefore = polls.answers.get();
            long start = System.nanoTime();
            Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
            double elapsed = (System.nanoTime() - start) / 1e9;
            long cpu = cpuTicks(pid) - cpuBefore;
            System.out.printf("idle_connections=%d%n", polls.answered());
            System.out.printf("idle_cpu_pct=%.2f%n", 100.0 * cpu / CLK_TCK / elapsed);
            System.out.printf("idle_fetches_per_s=%.0f%n", (polls.answers.get() - answersBefore) / elapsed);
            System.out.printf("heap_per_connection_kb=%.1f%n", (heapAfter - heapBefore) / (double) connections);
            System.out.printf("rss_per_connection_kb=%.1f%n", (rssAfter - rssBefore) / (double) connections);

            storm(address, connections);
        }
    }

    /** A burst of connects measured from an established connection. */
    private static void storm(InetSocketAddress address, int connections) throws Exception {
        try (Socket probe = new Socket()) {
            probe.connect(address, 5000);
            probe.setSoTimeout(10_000);
            List<Long> before = roundTrips(probe, 100);
            AtomicBoolean storming = new AtomicBoolean(true);
            List<Long> during = Collections.synchronizedList(new ArrayList<>());
            Thread prober = new Thread(() -> {
                try {
                    while (storming.get()) {
                        during.addAll(roundTrips(probe, 1));
                    }
                } catch (IOException e) {
                    during.add(Long.MAX_VALUE);
                }
            });
            prober.start();
            ExecutorService connectors = Executors.newFixedThreadPool(16);
            List<Socket> opened = Collections.synchronizedList(new ArrayList<>());
            List<Future<Boolean>> results = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < connections; i++) {
                results.add(connectors.submit(() -> {
                    Socket socket = new Socket();
                    opened.add(socket);
                    try {
                        socket.connect(address, 5000);
                        socket.setSoTimeout(10_000);
                        roundTrips(socket, 1);
                        return true;
                    } catch (IOException e) {
                        return false;
                    }
                }));
            }
            int served = 0;
            for (Future<Boolean> result : results) {
                served += result.get(60, TimeUnit.SECONDS) ? 1 : 0;
            }
            long stormMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            storming.set(false);
            prober.join(15_000);
            connectors.shutdownNow();
            for (Socket socket : opened) {
                socket.close();
            }
            System.out.printf("storm_served=%d%n", served);
            System.out.printf("storm_refused=%d%n", connections - served);
            System.out.printf("storm_ms=%d%n", stormMs);
            System.out.printf("probe_p99_before_ms=%.2f%n", p99(before) / 1e6);
            System.out.printf("probe_p99_during_ms=%.2f%n", p99(during) / 1e6);
        }
    }

    /** Sends {@code count} ApiVersions requests one after the other; returns each round trip in nanoseconds. */
    private static List<Long> roundTrips(Socket socket, int count) throws IOException {
        List<Long> times = new ArrayList<>(count);
        DataInputStream in = new DataInputStream(socket.getInputStream());
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            socket.getOutputStream().write(frame(new ApiVersionsRequest(new ApiVersionsRequestData()
                    .setClientSoftwareName("strata-load").setClientSoftwareVersion("1"), API_VERSIONS_VERSION),
                    ApiKeys.API_VERSIONS, API_VERSIONS_VERSION, i).array());
            in.readFully(new byte[in.readInt()]);
            times.add(System.nanoTime() - start);
        }
        return times;
    }

    private static long p99(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * 0.99) - 1));
    }

    private static ByteBuffer frame(AbstractRequest request, ApiKeys api, short version, int correlationId) {
        ByteBuffer body = request.serializeWithHeader(new RequestHeader(api, version, "strata-load", correlationId));
        ByteBuffer frame = ByteBuffer.allocate(4 + body.remaining());
        frame.putInt(body.remaining()).put(body).flip();
        return frame;
    }

    private static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS for pid " + pid);
    }

    /**
     * The broker's live heap, from {@code jcmd GC.class_histogram}, which collects first: unlike the RSS, which
     * a heap that grows or shrinks blurs, it shows what the connections keep.
     */
    private static long liveHeapKb(long pid) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), "GC.class_histogram").redirectErrorStream(true).start();
        String output = new String(jcmd.getInputStream().readAllBytes());
        if (!jcmd.waitFor(60, TimeUnit.SECONDS)) {
            jcmd.destroyForcibly();
        }
        for (String line : output.split("\n")) {
            if (line.startsWith("Total")) {
                return Long.parseLong(line.trim().split("\\s+")[2]) / 1024;
            }
        }
        throw new IOException("no heap histogram from jcmd for pid " + pid + ": " + output);
    }

    /** utime + stime of the process, in clock ticks. */
    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** Connections that each keep one Fetch long poll outstanding, driven by one selector thread. */
    private static final class LongPolls implements AutoCloseable {
        private final Selector selector = Selector.open();
        private final ByteBuffer fetch;
        private final AtomicLong answers = new AtomicLong();
        private final List<SocketChannel> channels = new ArrayList<>();
        private final boolean[] answeredOnce;
        private final Thread loop;
        private volatile boolean running = true;

        LongPolls(InetSocketAddress address, String topic, long offset, int connections) throws IOException {
            FetchRequestData data = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(MAX_WAIT_MS).setMinBytes(1)
                    .setMaxBytes(1 << 20);
            data.topics().add(new FetchRequestData.FetchTopic().setTopic(topic).setPartitions(List.of(
                    new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(offset)
                            .setPartitionMaxBytes(1 << 20))));
            fetch = frame(new FetchRequest(data, FETCH_VERSION), ApiKeys.FETCH, FETCH_VERSION, 1);
            answeredOnce = new boolean[connections];
            for (int i = 0; i < connections; i++) {
                SocketChannel channel = SocketChannel.open(address);
                channel.configureBlocking(false);
                channel.register(selector, SelectionKey.OP_READ, new Connection(i));
                channels.add(channel);
                send(channel);
            }
            loop = new Thread(this::run, "long-polls");
            loop.setDaemon(true);
            loop.start();
        }

        private void send(SocketChannel channel) throws IOException {
            ByteBuffer request = fetch.duplicate();
            while (request.hasRemaining()) {
                channel.write(request);
            }
        }

        private void run() {
            try {
                while (running) {
                    selector.select(100);
                    Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                    while (keys.hasNext()) {
                        SelectionKey key = keys.next();
                        keys.remove();
                        Connection connection = (Connection) key.attachment();
                        SocketChannel channel = (SocketChannel) key.channel();
                        if (connection.read(channel)) {
                            answers.incrementAndGet();
                            answeredOnce[connection.index] = true;
                            send(channel);
                        }
                    }
                }
            } catch (IOException e) {
                if (running) {
                    System.err.println("long polls stopped: " + e);
                }
            }
        }

        int answered() {
            int count = 0;
            for (boolean answered : answeredOnce) {
                count += answered ? 1 : 0;
            }
            return count;
        }

        void awaitAllAnswered(long timeoutNanos) throws InterruptedException {
            long deadline = System.nanoTime() + timeoutNanos;
            while (answered() < answeredOnce.length && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        }

        @Override
        public void close() throws IOException {
            running = false;
            selector.wakeup();
            try {
                loop.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (SocketChannel channel : channels) {
                channel.close();
            }
            selector.close();
        }
    }

    /** Reads size-prefixed responses from one channel. */
    private static final class Connection {
        final int index;
        private final ByteBuffer size = ByteBuffer.allocate(4);
        private ByteBuffer body;

        Connection(int index) {
            this.index = index;
        }

        /** Reads what is available; returns whether a whole response arrived. */
        boolean read(SocketChannel channel) throws IOException {
            if (body == null) {
                if (channel.read(size) < 0) {
                    throw new IOException("the broker closed connection " + index);
                }
                if (size.hasRemaining()) {
                    return false;
                }
                body = ByteBuffer.allocate(size.flip().getInt());
                size.clear();
            }
            if (channel.read(body) < 0) {
                throw new IOException("the broker closed connection " + index);
            }
            if (body.hasRemaining()) {
                return false;
            }
            body = null;
            return true;
        }
    }
}
