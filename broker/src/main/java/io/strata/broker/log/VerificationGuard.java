package io.strata.broker.log;

/**
 * A partition leader's token for one verification of a producer's transaction with its coordinator (KIP-890):
 * before the first transactional batch of a transaction is appended here, the leader asks the coordinator whether
 * the transaction includes this partition, and appends only with the guard it started that question with. A marker
 * or a transactional append of the producer retires the guard, so an answer that arrives after the transaction
 * ended (the coordinator aborted it meanwhile) cannot open a transaction the coordinator does not know of, which
 * would keep read_committed readers from ever passing it. Compared by identity.
 */
public final class VerificationGuard {

    /**
     * The guard of a produce that needed no verification because the producer's transaction was open here: it
     * matches no guard the log holds, so it is refused if that transaction ended before the append.
     */
    public static final VerificationGuard NONE = new VerificationGuard();

    VerificationGuard() {
    }
}
