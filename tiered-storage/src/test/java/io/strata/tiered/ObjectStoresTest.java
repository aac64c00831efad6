package io.strata.tiered;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

class ObjectStoresTest {

    @Test
    void rejectsAnUnsupportedSchemeNamingTheSupportedOnes() {
        assertThatThrownBy(() -> ObjectStores.open(URI.create("s3://bucket/prefix")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("s3://bucket/prefix")
                .hasMessageContaining("supported schemes: file");
    }

    @Test
    void rejectsAFileUriWithoutAnAbsolutePath() {
        assertThatThrownBy(() -> ObjectStores.open(URI.create("file:relative/path")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
