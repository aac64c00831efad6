package io.strata.broker.protocol;

import io.strata.broker.cluster.Endpoint;
import org.apache.kafka.common.security.auth.SecurityProtocol;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.strata.broker.config.SettingCheck.describe;

/**
 * Kafka's syntax of listener settings: {@code NAME://host:port,...} for {@code listeners} and
 * {@code advertised.listeners}, {@code NAME:PROTOCOL,...} for {@code listener.security.protocol.map}. Names are upper
 * cased, as Kafka normalises them; blanks around entries and empty entries are ignored. A value that does not parse
 * fails with a line naming the setting, its value and the entry at fault. What the entries mean together is
 * {@link BrokerListeners}'s to check. Stateless.
 */
final class ListenerFormat {

    /** A name, {@code ://}, a host (empty, a name, an IPv4 address or an IPv6 one in brackets), a colon, a port. */
    private static final Pattern ENDPOINT = Pattern.compile(
            "([^:/\\s]+)://(\\[[0-9a-fA-F:.%]*]|[^:\\[\\]/\\s]*):(\\d{1,5})");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");

    private ListenerFormat() {
    }

    /** The endpoints of {@code value}, in its order, each host without IPv6 brackets. */
    static List<Endpoint> endpoints(String property, String value) {
        List<Endpoint> endpoints = new ArrayList<>();
        for (String entry : entries(property, value)) {
            Matcher matcher = ENDPOINT.matcher(entry);
            if (!matcher.matches()) {
                throw invalid(property, value, entry, "it is not NAME://host:port (an IPv6 host in brackets)");
            }
            String host = matcher.group(2).startsWith("[")
                    ? matcher.group(2).substring(1, matcher.group(2).length() - 1) : matcher.group(2);
            endpoints.add(new Endpoint(name(property, value, entry, matcher.group(1)), host,
                    Integer.parseInt(matcher.group(3))));
        }
        return endpoints;
    }

    /** The security protocol of each listener name {@code value} maps, in its order. */
    static Map<String, SecurityProtocol> protocolMap(String property, String value) {
        Map<String, SecurityProtocol> protocols = new LinkedHashMap<>();
        for (String entry : entries(property, value)) {
            int colon = entry.indexOf(':');
            if (colon < 0) {
                throw invalid(property, value, entry, "it is not NAME:PROTOCOL");
            }
            String name = name(property, value, entry, entry.substring(0, colon).strip());
            SecurityProtocol protocol = protocol(property, value, entry, entry.substring(colon + 1).strip());
            if (protocols.put(name, protocol) != null) {
                throw invalid(property, value, entry, "it maps " + name + " a second time");
            }
        }
        return protocols;
    }

    private static List<String> entries(String property, String value) {
        List<String> entries = Arrays.stream(value.split(",")).map(String::strip).filter(e -> !e.isEmpty()).toList();
        if (entries.isEmpty()) {
            throw new IllegalArgumentException(describe(property) + " is \"" + value + "\", which names no listener");
        }
        return entries;
    }

    private static String name(String property, String value, String entry, String name) {
        if (!NAME.matcher(name).matches()) {
            throw invalid(property, value, entry, "a listener name is letters, digits, _ and -");
        }
        return name.toUpperCase(Locale.ROOT);
    }

    private static SecurityProtocol protocol(String property, String value, String entry, String name) {
        try {
            return SecurityProtocol.forName(name);
        } catch (IllegalArgumentException e) {
            throw invalid(property, value, entry, "the security protocol is one of "
                    + String.join(", ", SecurityProtocol.names()));
        }
    }

    private static IllegalArgumentException invalid(String property, String value, String entry, String why) {
        return new IllegalArgumentException(describe(property) + " is \"" + value + "\": in \"" + entry + "\", " + why);
    }
}
