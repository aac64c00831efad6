package io.strata.broker.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Locale;

/**
 * Keys and values between JSON and bytes. Produced: {@code {"type": "JSON"|"STRING"|"BINARY", "data": ...}}
 * where JSON data is stored as its JSON text, STRING as UTF-8 and BINARY is base64 in the request.
 * Consumed ({@code format}): {@code auto} gives STRING when the bytes are valid UTF-8, else BINARY (base64);
 * {@code binary} always BINARY; {@code json} gives JSON when the bytes parse as JSON, else as {@code auto}.
 */
public final class RecordPayloads {

    /** How consumed keys and values are rendered. */
    enum Format { AUTO, BINARY, JSON }

    /** A key or value to produce. */
    record Payload(String type, byte[] bytes) {
    }

    /** A consumed key or value; {@code data} is a string, or a JSON value for the JSON type. */
    public record RenderedPayload(String type, Object data, int size) {
    }

    private RecordPayloads() {
    }

    /** The key or value of a produce request; null when absent or when its data is null. */
    static Payload encode(JsonNode node, String field, ObjectMapper mapper) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (!node.isObject()) {
            throw RestException.badRequest(field + " must be an object {\"type\": ..., \"data\": ...}.");
        }
        JsonNode typeNode = node.get("type");
        String type = typeNode == null || typeNode.isNull() ? "JSON" : typeNode.asText().toUpperCase(Locale.ROOT);
        JsonNode data = node.get("data");
        if (data == null || data.isNull()) {
            return switch (type) {
                case "JSON", "STRING", "BINARY" -> null;
                default -> throw unsupported(field, type);
            };
        }
        return switch (type) {
            case "JSON" -> {
                try {
                    yield new Payload(type, mapper.writeValueAsBytes(data));
                } catch (JsonProcessingException e) {
                    throw RestException.badRequest(field + ".data cannot be written as JSON: " + e.getOriginalMessage());
                }
            }
            case "STRING" -> {
                if (!data.isTextual()) {
                    throw RestException.badRequest(field + ".data must be a string for type STRING.");
                }
                yield new Payload(type, data.textValue().getBytes(StandardCharsets.UTF_8));
            }
            case "BINARY" -> new Payload(type, base64(data, field + ".data"));
            default -> throw unsupported(field, type);
        };
    }

    private static RestException unsupported(String field, String type) {
        return RestException.badRequest(field + ".type " + type + " is not supported; use JSON, STRING or BINARY"
                + " (schema registry formats are not served).");
    }

    /** Base64 (standard alphabet) text as bytes, or 400. */
    static byte[] base64(JsonNode node, String field) {
        if (!node.isTextual()) {
            throw RestException.badRequest(field + " must be a base64 string.");
        }
        try {
            return Base64.getDecoder().decode(node.textValue());
        } catch (IllegalArgumentException e) {
            throw RestException.badRequest(field + " is not valid base64: " + e.getMessage());
        }
    }

    /** A record timestamp: epoch milliseconds or an ISO-8601 instant; null when absent. */
    static Long timestamp(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isIntegralNumber() && node.canConvertToLong() && node.longValue() >= 0) {
            return node.longValue();
        }
        if (node.isTextual()) {
            try {
                return Instant.parse(node.textValue()).toEpochMilli();
            } catch (DateTimeParseException | ArithmeticException e) {
                // Falls through to the error below.
            }
        }
        throw RestException.badRequest(field + " must be epoch milliseconds or an ISO-8601 instant such as"
                + " 2026-01-31T12:00:00Z, was " + node + ".");
    }

    /** A record timestamp as an ISO-8601 instant, or null for none. */
    static String isoTimestamp(long timestamp) {
        return timestamp < 0 ? null : Instant.ofEpochMilli(timestamp).toString();
    }

    static Format format(String value) {
        if (value == null) {
            return Format.AUTO;
        }
        try {
            return Format.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw RestException.badRequest("format must be auto, binary or json, was " + value + ".");
        }
    }

    static RenderedPayload render(byte[] bytes, Format format, ObjectMapper mapper) {
        if (bytes == null) {
            return null;
        }
        if (format == Format.JSON) {
            try {
                return new RenderedPayload("JSON",
                        mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(bytes), bytes.length);
            } catch (java.io.IOException e) {
                // Not JSON: shown as the automatic format shows it.
            }
        }
        if (format != Format.BINARY) {
            String text = utf8(bytes);
            if (text != null) {
                return new RenderedPayload("STRING", text, bytes.length);
            }
        }
        return new RenderedPayload("BINARY", Base64.getEncoder().encodeToString(bytes), bytes.length);
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
