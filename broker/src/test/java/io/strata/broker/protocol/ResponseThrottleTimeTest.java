package io.strata.broker.protocol;

import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.AbstractResponse;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ResponseThrottleTimeTest {

    @Test
    void raisesAResponsesThrottleTimeButNeverLowersIt() {
        assertThat(ResponseThrottleTime.atLeast(new ProduceResponseData(), 250).throttleTimeMs()).isEqualTo(250);
        assertThat(ResponseThrottleTime.atLeast(new MetadataResponseData().setThrottleTimeMs(900), 250)
                .throttleTimeMs()).isEqualTo(900);
    }

    @Test
    void leavesAResponseWithoutThrottleTimeAsItIs() {
        SaslHandshakeResponseData response = new SaslHandshakeResponseData().setErrorCode((short) 0);
        assertThat(ResponseThrottleTime.atLeast(response, 250)).isSameAs(response).isEqualTo(
                new SaslHandshakeResponseData().setErrorCode((short) 0));
        assertThat(ResponseThrottleTime.atLeast((ApiMessage) null, 250)).isNull();
    }

    @Test
    void setsTheThrottleTimeKafkaClientsReadForEveryApiThatHasOne() {
        int throttled = 0;
        // The APIs a broker serves, which kafka-clients can parse the responses of.
        for (ApiKeys key : ApiKeys.brokerApis()) {
            short version = key.latestVersion();
            ApiMessage response = ResponseThrottleTime.atLeast(key.messageType.newResponse(), 123);
            int read = AbstractResponse.parseResponse(key, MessageUtil.toByteBufferAccessor(response, version), version)
                    .throttleTimeMs();
            // kafka-clients reads 0 from the bodies without the field; every other one must carry what was set.
            assertThat(read).as(key.name()).isIn(0, 123);
            if (read == 0) {
                assertThat(response.getClass().getMethods()).as(key.name())
                        .noneMatch(method -> method.getName().equals("setThrottleTimeMs"));
            } else {
                throttled++;
            }
        }
        assertThat(throttled).as("APIs with a throttle time").isGreaterThan(50);
    }
}
