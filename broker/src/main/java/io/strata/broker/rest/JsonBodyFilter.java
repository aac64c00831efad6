package io.strata.broker.rest;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * A request with a body must declare it JSON, the only type the API reads. Without a Content-Type
 * the framework would read the body anyway, so a client that forgot the header (curl's {@code -d}
 * without {@code -H}) would get a different answer from one that sent another type; both are answered
 * 415 with the header to send. Stateless and thread-safe.
 */
public final class JsonBodyFilter {

    @ServerRequestFilter
    public void requireContentType(ContainerRequestContext request) {
        boolean hasBody = request.getLength() > 0 || request.getHeaderString("Transfer-Encoding") != null;
        if (hasBody && request.getHeaderString(HttpHeaders.CONTENT_TYPE) == null) {
            throw RestException.unsupportedMediaType(null);
        }
    }
}
