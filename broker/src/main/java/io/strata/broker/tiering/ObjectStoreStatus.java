package io.strata.broker.tiering;

import java.time.Instant;
import java.util.Optional;

/**
 * Whether the object store answered the tiering service's last probe.
 *
 * @param reachable whether it answered
 * @param since     when it last changed between answering and not
 * @param reason    why it is unreachable: the failure of the last probe
 */
public record ObjectStoreStatus(boolean reachable, Instant since, Optional<String> reason) {

    static ObjectStoreStatus reachable(Instant since) {
        return new ObjectStoreStatus(true, since, Optional.empty());
    }

    static ObjectStoreStatus unreachable(Instant since, String reason) {
        return new ObjectStoreStatus(false, since, Optional.of(reason));
    }
}
