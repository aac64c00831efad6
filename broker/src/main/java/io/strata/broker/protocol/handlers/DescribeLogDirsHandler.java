package io.strata.broker.protocol.handlers;

import io.strata.broker.partition.Partition;
import io.strata.broker.partition.PartitionManager;
import io.strata.broker.protocol.RequestContext;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeLogDirsRequestData.DescribableLogDirTopic;
import org.apache.kafka.common.message.DescribeLogDirsResponseData;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsPartition;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsResult;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsTopic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeLogDirsRequest;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * DescribeLogDirs: the broker's one log directory with the size of every partition it holds a replica of
 * (or of those asked for), and the file system's total and usable bytes. Replicas never move between
 * directories here, so no replica is a future one and every offset lag is 0. A client that may not DESCRIBE the
 * cluster gets no directory and {@code CLUSTER_AUTHORIZATION_FAILED}, as from Kafka.
 */
public record DescribeLogDirsHandler(PartitionManager partitions, Path logsDir) {

    public CompletionStage<DescribeLogDirsResponseData> handle(RequestContext context, DescribeLogDirsRequest request) {
        return Authorizations.onCluster(context, AclOperation.DESCRIBE, request, () -> describe(request));
    }

    private CompletionStage<DescribeLogDirsResponseData> describe(DescribeLogDirsRequest request) {
        Predicate<TopicPartition> wanted = wanted(request);
        Map<String, List<DescribeLogDirsPartition>> byTopic = new TreeMap<>();
        for (Partition partition : partitions.partitions()) {
            TopicPartition tp = partition.topicPartition();
            if (wanted.test(tp)) {
                byTopic.computeIfAbsent(tp.topic(), topic -> new ArrayList<>()).add(new DescribeLogDirsPartition()
                        .setPartitionIndex(tp.partition())
                        .setPartitionSize(partition.localBytes())
                        .setOffsetLag(0)
                        .setIsFutureKey(false));
            }
        }
        List<DescribeLogDirsTopic> topics = new ArrayList<>();
        byTopic.forEach((topic, held) -> topics.add(new DescribeLogDirsTopic().setName(topic).setPartitions(
                held.stream().sorted(Comparator.comparingInt(DescribeLogDirsPartition::partitionIndex)).toList())));
        DescribeLogDirsResult result = new DescribeLogDirsResult()
                .setLogDir(logsDir.toAbsolutePath().toString())
                .setTopics(topics);
        try {
            FileStore store = Files.getFileStore(logsDir);
            result.setTotalBytes(store.getTotalSpace()).setUsableBytes(store.getUsableSpace());
        } catch (IOException e) {
            result.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code());
        }
        return CompletableFuture.completedFuture(new DescribeLogDirsResponseData().setResults(List.of(result)));
    }

    /** The partitions asked for: every one when the request names no topics. */
    private static Predicate<TopicPartition> wanted(DescribeLogDirsRequest request) {
        if (request.data().topics() == null) {
            return tp -> true;
        }
        Set<TopicPartition> named = request.data().topics().stream()
                .flatMap((DescribableLogDirTopic topic) -> topic.partitions().stream()
                        .map(partition -> new TopicPartition(topic.topic(), partition)))
                .collect(Collectors.toSet());
        return named::contains;
    }
}
