package io.strata.broker.rest;

import java.util.List;

/**
 * A collection answer, as Confluent REST Proxy v3 shapes them: {@code {"kind": "KafkaTopicList", "data": [...]}}.
 */
public record ResourceList<T>(String kind, List<T> data) {
}
