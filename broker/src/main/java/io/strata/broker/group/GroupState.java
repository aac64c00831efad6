package io.strata.broker.group;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** The states of a classic group, with the names Kafka reports in ListGroups and DescribeGroups. */
public enum GroupState {
    /** No members; the group may still hold committed offsets. */
    EMPTY("Empty"),
    /** Members are (re)joining; the join phase ends when all have or the rebalance timeout passes. */
    PREPARING_REBALANCE("PreparingRebalance"),
    /** The generation is formed; waiting for the leader's assignment in SyncGroup. */
    COMPLETING_REBALANCE("CompletingRebalance"),
    /** Every member has its assignment. */
    STABLE("Stable"),
    /** Deleted (or about to be); nothing may use it any more. */
    DEAD("Dead");

    private final String displayName;

    GroupState(String displayName) {
        this.displayName = displayName;
    }

    @Override
    public String toString() {
        return displayName;
    }

    /** The name as ListGroups' state filter compares it. */
    public String lowerCaseName() {
        return displayName.toLowerCase(Locale.ROOT);
    }

    /** The states a group may move to from this one. */
    Set<GroupState> validNextStates() {
        return switch (this) {
            case EMPTY -> EnumSet.of(PREPARING_REBALANCE, DEAD);
            case PREPARING_REBALANCE -> EnumSet.of(COMPLETING_REBALANCE, EMPTY, DEAD);
            case COMPLETING_REBALANCE -> EnumSet.of(PREPARING_REBALANCE, STABLE, DEAD);
            case STABLE -> EnumSet.of(PREPARING_REBALANCE, DEAD);
            case DEAD -> EnumSet.of(DEAD);
        };
    }
}
