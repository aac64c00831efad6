package io.strata.broker.tiering;

import org.jboss.logging.Logger;

import java.util.concurrent.ExecutionException;

/** A job of the tiering thread: a round of one of its loops, or a deletion. */
@FunctionalInterface
interface TieringTask {

    Logger LOG = Logger.getLogger(TieringTask.class);

    void run() throws Exception;

    /**
     * {@code task} as the tiering thread runs it: a failure is logged in one line, so that a periodic
     * schedule goes on rather than ending; an interrupt (the service is closing) ends it quietly.
     */
    static Runnable guarded(String what, TieringTask task) {
        return () -> {
            try {
                task.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.warnf("Tiering: %s failed: %s", what, e instanceof ExecutionException ? e.getCause() : e);
            }
        };
    }
}
