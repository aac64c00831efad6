package io.strata.broker.protocol;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The listener's server TLS context, rebuilt from its files when one of them changes on disk, so that
 * certificates can be rotated without a restart: each new connection asks for the {@link #current}
 * context, which compares the files' modification times with those it last saw (a few {@code stat}
 * calls). A rebuild that fails, such as when the certificate was replaced but its key not yet, keeps the
 * last good context and is tried again once a file changes again. Thread-safe.
 */
final class ReloadingSslContext {

    private static final Logger LOG = Logger.getLogger(ReloadingSslContext.class);

    private final TlsSettings settings;
    private List<FileTime> seen;
    private SslContext context;

    ReloadingSslContext(TlsSettings settings) throws IOException {
        this.settings = settings;
        this.seen = modificationTimes();
        this.context = settings.newContext();
        LOG.infof("Kafka listener TLS: %s provider, TLSv1.3 and TLSv1.2, client certificates %s", providerName(),
                settings.clientAuth().name().toLowerCase(Locale.ROOT));
    }

    /** The context for a new connection: rebuilt first if a file changed since the last look. */
    synchronized SslContext current() {
        List<FileTime> now = modificationTimes();
        if (!now.equals(seen)) {
            List<Path> changed = changedFiles(now);
            seen = now;
            try {
                context = settings.newContext();
                LOG.infof("Kafka listener TLS reloaded after %s changed", changed);
            } catch (IOException | RuntimeException e) {
                LOG.warnf("Kafka listener TLS not reloaded after %s changed, new connections keep the previous"
                        + " certificate: %s", changed, e.getMessage());
            }
        }
        return context;
    }

    /** Each file's modification time, or {@code null} for a file that cannot be looked at now (mid-rotation). */
    private List<FileTime> modificationTimes() {
        List<FileTime> times = new ArrayList<>();
        for (Path file : settings.files()) {
            try {
                times.add(Files.getLastModifiedTime(file));
            } catch (IOException e) {
                times.add(null);
            }
        }
        return times;
    }

    private List<Path> changedFiles(List<FileTime> now) {
        List<Path> files = settings.files();
        List<Path> changed = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            if (!Objects.equals(now.get(i), seen.get(i))) {
                changed.add(files.get(i));
            }
        }
        return changed;
    }

    private static String providerName() {
        SslProvider provider = TlsSettings.provider();
        return provider == SslProvider.JDK ? "JDK (OpenSSL not available: " + OpenSsl.unavailabilityCause() + ")"
                : "OpenSSL (" + OpenSsl.versionString() + ")";
    }
}
