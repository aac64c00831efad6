package io.strata.broker.protocol.handlers;

import io.strata.broker.cluster.BrokerIdentity;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.MetadataRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** Metadata auto-creates the missing topics a client asks for, each on its own. */
class MetadataAutoCreationTest {

    @RegisterExtension
    final SingleBroker broker = new SingleBroker();

    /** As Kafka: a topic that cannot be created is missing, and the request's other topics are answered as ever. */
    @Test
    void aTopicThatCannotBeCreatedLeavesTheOthersAlone() throws Exception {
        broker.createTopic("col.y");
        broker.createTopic("existing");
        MetadataRequestData data = new MetadataRequestData().setAllowAutoTopicCreation(true);
        for (String name : new String[] {"col_y", "fresh", "existing"}) {
            data.topics().add(new MetadataRequestData.MetadataRequestTopic().setName(name));
        }
        short version = ApiKeys.METADATA.latestVersion();
        MetadataHandler handler = new MetadataHandler(broker.admin, broker.partitions,
                new BrokerIdentity("cluster", SingleBroker.NODE_ID), true);

        var response = handler.handle(new DenyingAuthorizer().context(ApiKeys.METADATA, version),
                new MetadataRequest(data, version)).toCompletableFuture().get(10, TimeUnit.SECONDS);

        assertThat(response.topics()).extracting(MetadataResponseTopic::name, MetadataResponseTopic::errorCode)
                .containsExactly(tuple("col_y", Errors.UNKNOWN_TOPIC_OR_PARTITION.code()),
                        tuple("fresh", Errors.NONE.code()), tuple("existing", Errors.NONE.code()));
        assertThat(broker.metadata.image().topic("col_y")).isEmpty();
    }
}
