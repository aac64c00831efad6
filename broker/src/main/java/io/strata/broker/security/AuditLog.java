package io.strata.broker.security;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.time.Instant;

/**
 * The security audit trail: one JSON line per denied request, failed authentication, and change to topics, configs
 * or security metadata (who, what, from where, with what outcome), to the logger {@value #CATEGORY}, apart from
 * the broker's own logs so that an operator may route it to a file or a collector of its own. Lines never carry
 * secrets. Stateless.
 */
public final class AuditLog {

    /** The logger the lines go to, at INFO. */
    public static final String CATEGORY = "strata.audit";

    private static final Logger LOG = Logger.getLogger(CATEGORY);
    private static final JsonFactory JSON = new JsonFactory();

    private AuditLog() {
    }

    /**
     * {@code principal}, connected from {@code client}, was refused {@code operation} on a resource while serving
     * {@code request} (a Kafka API key name, or an HTTP method and path).
     */
    public static void denied(String request, KafkaPrincipal principal, InetAddress client, AclOperation operation,
                              ResourceType type, String resource) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        LOG.info(line("denied", request, principal, client, json -> {
            json.writeStringField("operation", operation.name());
            json.writeStringField("resourceType", type.name());
            json.writeStringField("resource", resource);
        }));
    }

    /** A client at {@code client} failed to authenticate with {@code mechanism} (SASL, or HTTP basic). */
    public static void authenticationFailed(String request, InetAddress client, String mechanism) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        LOG.info(line("authentication-failed", request, null, client,
                json -> json.writeStringField("mechanism", mechanism)));
    }

    /**
     * {@code request} of {@code principal} from {@code client} changed, or tried to change, the resource; {@code
     * detail} says how where the resource alone does not (an ACL's principal and operation), or is null; {@code
     * outcome} is the Kafka error name ({@code NONE} when it succeeded) or the HTTP status.
     */
    public static void changed(String request, KafkaPrincipal principal, InetAddress client, String resourceType,
                               String resource, String detail, String outcome) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        LOG.info(line("change", request, principal, client, json -> {
            json.writeStringField("resourceType", resourceType);
            json.writeStringField("resource", resource);
            if (detail != null) {
                json.writeStringField("detail", detail);
            }
            json.writeStringField("outcome", outcome);
        }));
    }

    private static String line(String event, String request, KafkaPrincipal principal, InetAddress client,
                               Fields fields) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("time", Instant.now().toString());
            json.writeStringField("event", event);
            json.writeStringField("request", request);
            json.writeStringField("principal", principal == null ? null : principal.toString());
            json.writeStringField("client", client == null ? null : client.getHostAddress());
            fields.write(json);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to a string", e);
        }
        return out.toString();
    }

    @FunctionalInterface
    private interface Fields {
        void write(JsonGenerator json) throws IOException;
    }
}
