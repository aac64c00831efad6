import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * How long acks=all producers stall when a partition's leader dies, run by cluster-benchmark.sh:
 * <ol>
 * <li>waits until the topic's partition 0 has a leader and all its replicas in sync, and writes the leader's node id
 * to {@code leaderFile} (the script kills that broker with SIGKILL {@code warmupS} seconds later and writes the kill
 * time, epoch ms, to {@code killFile});</li>
 * <li>an idempotent acks=all producer sends {@code rate} records/s of {@code recordSize} bytes to partition 0 for
 * {@code warmupS + afterS} seconds, each value starting with its sequence number, and notes when each
 * acknowledgement arrives and at which offset; then it waits at most 30 s for the last acknowledgements;</li>
 * <li>a consumer reads the partition back from offset 0 (from the surviving brokers) and checks that every
 * acknowledged record is at its offset.</li>
 * </ol>
 * The longest gap between two consecutive acknowledgements counts from 1 s before the kill to the end of the run;
 * when acknowledgements stopped altogether, the time from the last one to the end counts as a gap. Every wait has a
 * deadline. Prints nothing until done, then {@code key=value} lines.
 * <pre>java -cp 'load-tests/target/lib/*' load-tests/FailoverStall.java host:port,... topic rate recordSize warmupS afterS leaderFile killFile</pre>
 */
public final class FailoverStall {

    private static final long WINDOW_BEFORE_KILL_MS = 1000;
    private static final Duration ISR_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String topic = args[1];
        int rate = Integer.parseInt(args[2]);
        int recordSize = Integer.parseInt(args[3]);
        int warmupS = Integer.parseInt(args[4]);
        int afterS = Integer.parseInt(args[5]);
        Path leaderFile = Path.of(args[6]);
        Path killFile = Path.of(args[7]);
        TopicPartition tp = new TopicPartition(topic, 0);

        int leader = awaitFullIsr(bootstrap, topic);
        Acks acks = produce(bootstrap, tp, rate, recordSize, warmupS + afterS, leaderFile, leader);
        long killMs = Files.exists(killFile)
                ? Long.parseLong(Files.readString(killFile, StandardCharsets.US_ASCII).trim()) : -1;
        ReadBack readBack = readBack(bootstrap, tp, acks);

        StringBuilder out = new StringBuilder();
        out.append("leader=").append(leader).append('\n');
        out.append("sent=").append(acks.sent).append('\n');
        out.append("acked=").append(acks.acked).append('\n');
        out.append("failed=").append(acks.failed).append('\n');
        out.append("first_error=").append(acks.firstError == null ? "none" : acks.firstError).append('\n');
        acks.appendGaps(out, killMs);
        out.append("read=").append(readBack.read).append('\n');
        out.append("lost=").append(readBack.lost).append('\n');
        out.append("duplicates=").append(readBack.duplicates).append('\n');
        out.append("verified=").append(readBack.complete && readBack.lost == 0 ? "yes" : "no").append('\n');
        System.out.print(out);
    }

    /** Waits until partition 0 has a leader and every replica in sync; returns the leader's node id. */
    private static int awaitFullIsr(String bootstrap, String topic) throws Exception {
        long deadline = System.nanoTime() + ISR_TIMEOUT.toNanos();
        String last = "no answer";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            while (System.nanoTime() < deadline) {
                try {
                    TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                            .get(10, TimeUnit.SECONDS).get(topic);
                    TopicPartitionInfo partition = description.partitions().get(0);
                    last = partition.toString();
                    if (partition.leader() != null && partition.leader().id() >= 0
                            && partition.isr().size() == partition.replicas().size()) {
                        return partition.leader().id();
                    }
                } catch (Exception e) {
                    last = e.toString();
                }
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("partition 0 of " + topic + " not fully in sync within " + ISR_TIMEOUT + ": " + last);
    }

    private static Acks produce(String bootstrap, TopicPartition tp, int rate, int recordSize, int seconds,
            Path leaderFile, int leader) throws Exception {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        int total = Math.toIntExact((long) rate * seconds);
        Acks acks = new Acks(total);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config)) {
            producer.partitionsFor(tp.topic()); // metadata before the clock starts
            Files.writeString(leaderFile, leader + "\n", StandardCharsets.US_ASCII);
            long start = System.nanoTime();
            acks.startNanos = start;
            for (int seq = 0; seq < total; seq++) {
                long due = start + seq * 1_000_000_000L / rate;
                for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                    LockSupport.parkNanos(wait);
                }
                byte[] value = new byte[recordSize];
                ByteBuffer.wrap(value).putLong(seq);
                int s = seq;
                try {
                    producer.send(new ProducerRecord<>(tp.topic(), tp.partition(), null, value),
                            (metadata, exception) -> acks.completed(s, metadata == null ? -1 : metadata.offset(), exception));
                } catch (RuntimeException e) {
                    acks.completed(s, -1, e);
                }
                acks.sent = seq + 1;
            }
            acks.endNanos = System.nanoTime();
            producer.close(CLOSE_TIMEOUT);
        }
        acks.closedNanos = System.nanoTime();
        return acks;
    }

    private static ReadBack readBack(String bootstrap, TopicPartition tp, Acks acks) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        long maxAcked = -1;
        for (long offset : acks.offsets) {
            maxAcked = Math.max(maxAcked, offset);
        }
        ReadBack result = new ReadBack();
        long[] seqAt = new long[Math.toIntExact(maxAcked + 1)];
        Arrays.fill(seqAt, -1);
        BitSet seen = new BitSet(acks.offsets.length);
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long position = 0;
            while (position <= maxAcked && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    result.read++;
                    long seq = record.value().length >= Long.BYTES ? ByteBuffer.wrap(record.value()).getLong() : -1;
                    if (record.offset() <= maxAcked) {
                        seqAt[(int) record.offset()] = seq;
                    }
                    if (seq >= 0 && seq < acks.offsets.length) {
                        if (seen.get((int) seq)) {
                            result.duplicates++;
                        }
                        seen.set((int) seq);
                    }
                    position = record.offset() + 1;
                }
            }
            result.complete = position > maxAcked;
        }
        for (int seq = 0; seq < acks.offsets.length; seq++) {
            long offset = acks.offsets[seq];
            if (offset >= 0 && seqAt[(int) offset] != seq) {
                result.lost++;
            }
        }
        return result;
    }

    /** The producer's acknowledgements: the offset of each acknowledged record and the times they arrived. */
    private static final class Acks {
        final long[] offsets;
        final long[] ackNanos;
        int acked;
        int failed;
        volatile int sent;
        String firstError;
        long startNanos;
        long endNanos;
        long closedNanos;

        Acks(int total) {
            offsets = new long[total];
            Arrays.fill(offsets, -1);
            ackNanos = new long[total];
        }

        synchronized void completed(int seq, long offset, Exception exception) {
            if (exception != null) {
                failed++;
                if (firstError == null) {
                    firstError = exception.getClass().getSimpleName();
                }
                return;
            }
            offsets[seq] = offset;
            ackNanos[acked++] = System.nanoTime();
        }

        /** The longest gap from 1 s before the kill on, the longest before that, and the kill to the first ack. */
        synchronized void appendGaps(StringBuilder out, long killMs) {
            // Acknowledgement times as epoch ms: nanoTime is monotonic, the kill time is wall-clock.
            long offsetNanos = System.currentTimeMillis() * 1_000_000L - System.nanoTime();
            long killNanos = killMs < 0 ? startNanos : killMs * 1_000_000L - offsetNanos;
            long windowStart = killNanos - WINDOW_BEFORE_KILL_MS * 1_000_000L;
            long maxGap = 0, maxGapStart = 0, maxBefore = 0, firstAfterKill = -1;
            for (int i = 1; i < acked; i++) {
                long gap = ackNanos[i] - ackNanos[i - 1];
                if (ackNanos[i] >= windowStart) {
                    if (gap > maxGap) {
                        maxGap = gap;
                        maxGapStart = ackNanos[i - 1];
                    }
                } else {
                    maxBefore = Math.max(maxBefore, gap);
                }
            }
            for (int i = 0; i < acked; i++) {
                if (ackNanos[i] > killNanos) {
                    firstAfterKill = ackNanos[i] - killNanos;
                    break;
                }
            }
            boolean stopped = acked == 0 || firstAfterKill < 0;
            if (stopped) {
                long last = acked == 0 ? startNanos : ackNanos[acked - 1];
                maxGap = Math.max(maxGap, closedNanos - last);
                maxGapStart = last;
            }
            out.append("kill_seen=").append(killMs >= 0 ? "yes" : "no").append('\n');
            out.append("max_gap_ms=").append(ms(maxGap)).append('\n');
            out.append("max_gap_start_after_kill_ms=").append(ms(maxGapStart - killNanos)).append('\n');
            out.append("max_gap_before_ms=").append(ms(maxBefore)).append('\n');
            out.append("kill_to_first_ack_ms=").append(firstAfterKill < 0 ? "none" : ms(firstAfterKill)).append('\n');
            out.append("acks_stopped=").append(stopped ? "yes" : "no").append('\n');
            out.append("send_seconds=").append(String.format(Locale.ROOT, "%.1f", (endNanos - startNanos) / 1e9)).append('\n');
        }

        private static String ms(long nanos) {
            return String.format(Locale.ROOT, "%.0f", nanos / 1e6);
        }
    }

    private static final class ReadBack {
        long read;
        long lost;
        long duplicates;
        boolean complete;
    }
}
