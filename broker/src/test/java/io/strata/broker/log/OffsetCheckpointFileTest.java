package io.strata.broker.log;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class OffsetCheckpointFileTest {

    @TempDir
    Path dir;

    @Test
    void roundTripsAndReplaces() throws Exception {
        OffsetCheckpointFile checkpoint = new OffsetCheckpointFile(dir.resolve("x.checkpoint"));
        assertThat(checkpoint.read()).isEmpty();
        checkpoint.write(17);
        checkpoint.write(4242);
        assertThat(new OffsetCheckpointFile(dir.resolve("x.checkpoint")).read()).hasValue(4242);
        assertThat(Files.exists(LogFiles.tmpFile(dir.resolve("x.checkpoint")))).isFalse();
    }

    @Test
    void corruptOrShortFileReadsAsEmpty() throws Exception {
        Path file = dir.resolve("x.checkpoint");
        OffsetCheckpointFile checkpoint = new OffsetCheckpointFile(file);
        checkpoint.write(99);
        byte[] bytes = Files.readAllBytes(file);
        bytes[3] ^= 1;
        Files.write(file, bytes);
        assertThat(checkpoint.read()).isEmpty();

        Files.write(file, new byte[] {0, 1, 2});
        assertThat(checkpoint.read()).isEmpty();
    }
}
