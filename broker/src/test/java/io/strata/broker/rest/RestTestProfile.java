package io.strata.broker.rest;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** A small body limit, so a test can exceed it cheaply, and groups that rebalance without delay. */
public class RestTestProfile implements QuarkusTestProfile {

    static final int MAX_BODY_BYTES = 64 * 1024;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "quarkus.http.limits.max-body-size", MAX_BODY_BYTES / 1024 + "K",
                "strata.groups.initial-rebalance-delay-ms", "0");
    }
}
