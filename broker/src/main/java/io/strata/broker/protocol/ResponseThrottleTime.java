package io.strata.broker.protocol;

import org.apache.kafka.common.protocol.ApiMessage;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Optional;

/**
 * Sets the {@code throttle_time_ms} of any response body that has one. kafka-clients' generated bodies share no
 * interface for it, and a switch over every API key would be one more list to keep, so the accessors are looked up
 * once per body class. Thread-safe.
 */
public final class ResponseThrottleTime {

    private record Accessors(MethodHandle get, MethodHandle set) {
    }

    private static final ClassValue<Optional<Accessors>> ACCESSORS = new ClassValue<>() {
        @Override
        protected Optional<Accessors> computeValue(Class<?> type) {
            try {
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                return Optional.of(new Accessors(
                        lookup.findVirtual(type, "throttleTimeMs", MethodType.methodType(int.class)),
                        lookup.findVirtual(type, "setThrottleTimeMs", MethodType.methodType(type, int.class))));
            } catch (NoSuchMethodException | IllegalAccessException e) {
                return Optional.empty();
            }
        }
    };

    private ResponseThrottleTime() {
    }

    /**
     * Raises the response's throttle time to {@code ms} if it is lower; a response without the field (or none, for
     * acks=0) is left as it is. Returns {@code response}.
     */
    public static <T extends ApiMessage> T atLeast(T response, int ms) {
        if (response == null) {
            return null;
        }
        ACCESSORS.get(response.getClass()).ifPresent(accessors -> {
            try {
                if ((int) accessors.get().invoke(response) < ms) {
                    accessors.set().invoke(response, ms);
                }
            } catch (Throwable e) {
                throw new IllegalStateException("setting the throttle time of a " + response.getClass().getSimpleName(), e);
            }
        });
        return response;
    }
}
