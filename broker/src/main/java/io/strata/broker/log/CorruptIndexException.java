package io.strata.broker.log;

import org.apache.kafka.common.KafkaException;

/** An index file failed its sanity check; the loader rebuilds it from the segment's records. */
public class CorruptIndexException extends KafkaException {

    private static final long serialVersionUID = 1L;

    public CorruptIndexException(String message) {
        super(message);
    }
}
