package io.kube4j.addons.logging.web;

/** A search request the caller got wrong: answered 400 with this message. */
public final class BadSearchException extends RuntimeException {

    public BadSearchException(String message) {
        super(message);
    }
}
