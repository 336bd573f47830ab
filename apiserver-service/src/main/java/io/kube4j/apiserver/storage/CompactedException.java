package io.kube4j.apiserver.storage;

/** A read or watch asked for a revision the store has already compacted away (the API's 410 Gone). */
public class CompactedException extends RuntimeException {

    private final long compactRevision;

    public CompactedException(long requested, long compactRevision) {
        super("revision " + requested + " has been compacted (compact revision " + compactRevision + ")");
        this.compactRevision = compactRevision;
    }

    public long compactRevision() {
        return compactRevision;
    }
}
