package io.strata.broker.log;

import io.strata.tiered.SegmentFileType;
import org.apache.kafka.common.TopicPartition;

import java.nio.file.Path;
import java.util.List;

/**
 * Every file name of a partition directory, and the parsing of offsets back out of them.
 *
 * <p>Layout of one partition directory, named {@code <topic>-<partition>}:
 * <pre>
 *   00000000000000000000.log        record batches of the segment whose base offset is 0
 *   00000000000000000000.index      its sparse offset index ({@link OffsetIndex})
 *   00000000000000000000.timeindex  its sparse time index ({@link TimeIndex})
 *   00000000000000000000.txnindex   its aborted transactions ({@link TransactionIndex}); only once it has one
 *   00000000000000004096.snapshot   producer state as of offset 4096 ({@link ProducerStateManager})
 *   recovery-point.checkpoint       offset below which everything is fsynced ({@link OffsetCheckpointFile})
 *   log-start-offset.checkpoint     first offset still visible after DeleteRecords
 *   cleaner-offset.checkpoint       first offset compaction has not seen yet (the log cleaner's)
 *   leader-epoch-checkpoint         start offset of each leader epoch ({@link LeaderEpochCheckpointFile})
 *   clean-shutdown                  empty marker, present only between a clean close and the next open
 *   *.cleaned                       a compacted segment being written; discarded on open
 *   *.swap                          a compacted segment complete on disk, about to replace the segment of its
 *                                   base offset; the open finishes the replacement when the .log.swap exists
 *   *.deleted                       segment files waiting for in-flight reads to finish before removal
 *   *.tmp                           a checkpoint or snapshot being written; never valid on open
 * </pre>
 * Offsets are zero-padded to 20 digits so that names sort in offset order. Stateless and thread-safe.
 */
public final class LogFiles {

    // A segment's own files: named as tiered storage names them, which defines the suffixes once for both.
    public static final String LOG_SUFFIX = SegmentFileType.LOG.suffix();
    public static final String INDEX_SUFFIX = SegmentFileType.OFFSET_INDEX.suffix();
    public static final String TIME_INDEX_SUFFIX = SegmentFileType.TIME_INDEX.suffix();
    public static final String SNAPSHOT_SUFFIX = SegmentFileType.PRODUCER_SNAPSHOT.suffix();
    public static final String TRANSACTION_INDEX_SUFFIX = SegmentFileType.TRANSACTION_INDEX.suffix();
    /** Appended to a segment file's name when it leaves the log but may still be read by an in-flight fetch. */
    public static final String DELETED_SUFFIX = ".deleted";
    /** Appended to a file's name while it is written, before the atomic rename to its real name. */
    public static final String TMP_SUFFIX = ".tmp";
    /** Appended to a compacted segment's file names while they are written. */
    public static final String CLEANED_SUFFIX = ".cleaned";
    /** Appended to a compacted segment's file names once complete and fsynced, until it replaces the old segment. */
    public static final String SWAP_SUFFIX = ".swap";

    public static final String RECOVERY_POINT_FILE = "recovery-point.checkpoint";
    public static final String LOG_START_OFFSET_FILE = "log-start-offset.checkpoint";
    public static final String CLEAN_SHUTDOWN_FILE = "clean-shutdown";
    public static final String CLEANER_OFFSET_CHECKPOINT_FILE = "cleaner-offset.checkpoint";
    public static final String LEADER_EPOCH_CHECKPOINT_FILE = "leader-epoch-checkpoint";

    private static final int OFFSET_DIGITS = 20;

    private LogFiles() {
    }

    /** The offset as the 20-digit zero-padded prefix shared by a segment's files. */
    public static String filenamePrefix(long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("Negative offset " + offset);
        }
        String digits = Long.toString(offset);
        return "0".repeat(OFFSET_DIGITS - digits.length()) + digits;
    }

    public static Path logFile(Path dir, long baseOffset) {
        return dir.resolve(filenamePrefix(baseOffset) + LOG_SUFFIX);
    }

    public static Path offsetIndexFile(Path dir, long baseOffset) {
        return dir.resolve(filenamePrefix(baseOffset) + INDEX_SUFFIX);
    }

    public static Path timeIndexFile(Path dir, long baseOffset) {
        return dir.resolve(filenamePrefix(baseOffset) + TIME_INDEX_SUFFIX);
    }

    public static Path transactionIndexFile(Path dir, long baseOffset) {
        return dir.resolve(filenamePrefix(baseOffset) + TRANSACTION_INDEX_SUFFIX);
    }

    /** The index files of the segment at {@code baseOffset}: offset, time and transaction index. */
    public static List<Path> indexFiles(Path dir, long baseOffset) {
        return List.of(offsetIndexFile(dir, baseOffset), timeIndexFile(dir, baseOffset),
                transactionIndexFile(dir, baseOffset));
    }

    /** Whether {@code fileName} is the name of a segment's index file, {@code <20 digits><index suffix>}. */
    public static boolean isIndexFileName(String fileName) {
        return hasOffsetName(fileName, INDEX_SUFFIX) || hasOffsetName(fileName, TIME_INDEX_SUFFIX)
                || hasOffsetName(fileName, TRANSACTION_INDEX_SUFFIX);
    }

    public static Path snapshotFile(Path dir, long offset) {
        return dir.resolve(filenamePrefix(offset) + SNAPSHOT_SUFFIX);
    }

    public static Path deletedFile(Path file) {
        return file.resolveSibling(file.getFileName() + DELETED_SUFFIX);
    }

    /** {@code file} with {@code suffix} appended to its name. */
    public static Path withSuffix(Path file, String suffix) {
        return file.resolveSibling(file.getFileName() + suffix);
    }

    public static Path tmpFile(Path file) {
        return file.resolveSibling(file.getFileName() + TMP_SUFFIX);
    }

    /**
     * The offset a file is named after: the 20 digits before {@code suffix}.
     *
     * @throws IllegalArgumentException if the name is not {@code <20 digits><suffix>}
     */
    public static long offsetFromFileName(String fileName, String suffix) {
        if (!fileName.endsWith(suffix) || fileName.length() != OFFSET_DIGITS + suffix.length()) {
            throw new IllegalArgumentException("Not a " + suffix + " file name: " + fileName);
        }
        String digits = fileName.substring(0, OFFSET_DIGITS);
        for (int i = 0; i < digits.length(); i++) {
            if (!Character.isDigit(digits.charAt(i))) {
                throw new IllegalArgumentException("Not a " + suffix + " file name: " + fileName);
            }
        }
        return Long.parseLong(digits);
    }

    /** Whether {@code fileName} is {@code <20 digits><suffix>}. */
    public static boolean hasOffsetName(String fileName, String suffix) {
        try {
            offsetFromFileName(fileName, suffix);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** {@code <topic>-<partition>}. */
    public static String partitionDirName(TopicPartition tp) {
        return tp.topic() + "-" + tp.partition();
    }

    /**
     * The topic partition a directory is named after. Topic names may contain {@code -}, partition
     * numbers may not, so the name splits at its last dash.
     */
    public static TopicPartition parsePartitionDirName(String dirName) {
        int dash = dirName.lastIndexOf('-');
        if (dash <= 0 || dash == dirName.length() - 1) {
            throw new IllegalArgumentException("Not a partition directory name: " + dirName);
        }
        try {
            int partition = Integer.parseInt(dirName.substring(dash + 1));
            if (partition < 0) {
                throw new IllegalArgumentException("Not a partition directory name: " + dirName);
            }
            return new TopicPartition(dirName.substring(0, dash), partition);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Not a partition directory name: " + dirName, e);
        }
    }
}
