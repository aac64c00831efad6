package io.strata.broker.txn;

import java.util.Arrays;
import java.util.Optional;

/**
 * Where a transactional id's transaction stands, with Kafka's names (as {@code kafka-transactions} shows them) and
 * the codes {@code __transaction_state} stores. A transaction goes {@code Empty -> Ongoing -> PrepareCommit ->
 * CompleteCommit} (or the abort pair); the prepare states last while the coordinator writes the markers.
 */
public enum TransactionState {
    EMPTY(0, "Empty"),
    ONGOING(1, "Ongoing"),
    PREPARE_COMMIT(2, "PrepareCommit"),
    PREPARE_ABORT(3, "PrepareAbort"),
    COMPLETE_COMMIT(4, "CompleteCommit"),
    COMPLETE_ABORT(5, "CompleteAbort");

    private final byte code;
    private final String displayName;

    TransactionState(int code, String displayName) {
        this.code = (byte) code;
        this.displayName = displayName;
    }

    public byte code() {
        return code;
    }

    /** The name Kafka's tools show and filter by. */
    public String displayName() {
        return displayName;
    }

    /** Whether the coordinator is writing its markers: requests about it wait (CONCURRENT_TRANSACTIONS). */
    public boolean isPreparing() {
        return this == PREPARE_COMMIT || this == PREPARE_ABORT;
    }

    /** Whether no transaction is open: a new one may begin. */
    public boolean isIdle() {
        return this == EMPTY || this == COMPLETE_COMMIT || this == COMPLETE_ABORT;
    }

    static TransactionState ofCode(byte code) {
        return Arrays.stream(values()).filter(state -> state.code == code).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("Unknown transaction state code " + code));
    }

    /** The state of a name as Kafka's tools give it, case-insensitively. */
    public static Optional<TransactionState> ofName(String name) {
        return Arrays.stream(values()).filter(state -> state.displayName.equalsIgnoreCase(name)).findFirst();
    }
}
