package io.strata.broker.tiering;

import io.strata.broker.log.LogFiles;
import io.strata.broker.log.LogSegment;
import io.strata.broker.log.PartitionLog;
import io.strata.tiered.LocalSegmentFiles;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The closed segments of a partition log that are still to be uploaded, as the uploader takes them. */
final class ClosedSegments {

    private ClosedSegments() {
    }

    /**
     * The closed segments (every one but the active, last one) with a base offset above
     * {@code uploadedUpTo} and all their records below the last stable offset, oldest first. A segment ends where
     * the next one begins, so its last offset needs no scan of the file; empty segments are left out. Records
     * above the high watermark may still be cut when leadership moves, and the bucket must only ever hold
     * what every later leader holds too; as in Kafka, nothing of a transaction still open is uploaded either.
     */
    static List<LocalSegmentFiles> after(PartitionLog log, long uploadedUpTo) {
        List<LogSegment> segments = log.segments();
        long lastStable = log.lastStableOffset();
        List<LocalSegmentFiles> result = new ArrayList<>();
        for (int i = 0; i < segments.size() - 1; i++) {
            LogSegment segment = segments.get(i);
            long nextBaseOffset = segments.get(i + 1).baseOffset();
            if (nextBaseOffset > lastStable) {
                break;
            }
            if (segment.baseOffset() > uploadedUpTo && nextBaseOffset > segment.baseOffset()) {
                result.add(files(log.dir(), segment, nextBaseOffset));
            }
        }
        return result;
    }

    private static LocalSegmentFiles files(Path dir, LogSegment segment, long nextBaseOffset) {
        long base = segment.baseOffset();
        // The log snapshots producer state as of each roll, named by the new segment's base offset;
        // older snapshots are pruned, so only recent segments still have theirs.
        Path snapshot = LogFiles.snapshotFile(dir, nextBaseOffset);
        // A segment's transaction index exists once a transaction aborted in it.
        Path transactionIndex = LogFiles.transactionIndexFile(dir, base);
        return new LocalSegmentFiles(LogFiles.logFile(dir, base), LogFiles.offsetIndexFile(dir, base),
                LogFiles.timeIndexFile(dir, base), Optional.of(snapshot).filter(Files::isRegularFile),
                Optional.of(transactionIndex).filter(Files::isRegularFile), base, nextBaseOffset - 1,
                segment.maxTimestampSoFar().timestamp());
    }
}
