package io.strata.broker.it;

import io.strata.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Clients that declare huge requests and send them slowly hold at most {@code queued.max.request.bytes} of the
 * broker's memory between them, and a well-behaved producer is served all the while.
 */
class RequestMemoryTest {

    @Test
    void slowHugeRequestsDoNotStallOtherClients(@TempDir Path dir) throws Exception {
        try (TestBroker broker = TestBroker.start(dir, Map.of("strata.kafka.queued-max-request-bytes", "8388608"))) {
            broker.createTopic("served", 1, Map.of());
            InetSocketAddress address = broker.broker().kafkaAddress();
            List<Socket> abusers = new ArrayList<>();
            try {
                for (int i = 0; i < 16; i++) {
                    Socket socket = new Socket(address.getAddress(), address.getPort());
                    abusers.add(socket);
                    OutputStream out = socket.getOutputStream();
                    // A 100 MB frame, of which the first 2 MB arrive and the rest never does.
                    out.write(ByteBuffer.allocate(4).putInt(100_000_000).array());
                    out.write(new byte[2_000_000]);
                    out.flush();
                }
                try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of())) {
                    assertThat(producer.send(new ProducerRecord<>("served", "still here".getBytes()))
                            .get(30, TimeUnit.SECONDS).offset()).isZero();
                }
            } finally {
                for (Socket socket : abusers) {
                    socket.close();
                }
            }
        }
    }
}
