package io.strata.broker.protocol.fetch;

import org.apache.kafka.common.Uuid;

/**
 * A partition as a session's requests name it: by topic id from Fetch v13 on (the name is then empty), by
 * topic name before (the id is then zero). Responses name it the same way.
 */
record PartitionKey(Uuid topicId, String topic, int partition) {
}
