package io.kube4j.addons.dns;

import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Type;

import java.util.List;
import java.util.Map;

/**
 * An immutable snapshot of every name the cluster DNS answers for, built by {@link ZoneBuilder} and swapped whole
 * (so a query is one hash lookup on a map no writer touches, and a reader never sees half an update).
 * <p>
 * {@code names} holds every owner name with its records by type, and also the empty non-terminals between a zone apex
 * and its names (with no records): a name present here answers NOERROR (records or NODATA), as CoreDNS's kubernetes
 * plugin does for {@code svc.cluster.local} or a namespace; a name absent under an apex is NXDOMAIN. Both carry the
 * apex's SOA in the authority section (negative caching). Names under no apex are not ours: {@link #lookup} says so
 * and the server forwards them.
 *
 * @param apexes    the zone apexes ({@code cluster.local.}, the reverse zones, {@code <cell>.bns.}) with their SOA
 * @param fallthrough apexes whose unknown names are forwarded rather than NXDOMAIN: the reverse zone, as CoreDNS's
 *                    {@code fallthrough in-addr.arpa ip6.arpa} (a PTR for an address outside the cluster is the
 *                    upstream's to answer)
 * @param names     owner name to records by type
 */
public record DnsZone(Map<Name, SOARecord> apexes, Map<Name, SOARecord> fallthrough,
                      Map<Name, Map<Integer, List<Record>>> names) {

    /**
     * The answer to one question.
     *
     * @param authoritative false when no apex covers the name (forward it)
     * @param rcode         {@link Rcode#NOERROR} or {@link Rcode#NXDOMAIN}
     * @param answers       the answer section (a CNAME for an ExternalName whatever the type asked)
     * @param soa           the SOA for the authority section of a negative answer, else null
     */
    public record Answer(boolean authoritative, int rcode, List<Record> answers, SOARecord soa) {
    }

    private static final Answer NOT_OURS = new Answer(false, Rcode.NOERROR, List.of(), null);

    /** Looks up one question; never null. */
    public Answer lookup(Name qname, int qtype) {
        Map<Integer, List<Record>> byType = names.get(qname);
        SOARecord soa = apexFor(apexes, qname);
        if (soa == null) {
            soa = byType == null ? null : apexFor(fallthrough, qname);
            if (soa == null) {
                return NOT_OURS;
            }
        }
        if (byType == null) {
            return new Answer(true, Rcode.NXDOMAIN, List.of(), soa);
        }
        List<Record> found = qtype == Type.ANY ? byType.values().stream().flatMap(List::stream).toList()
                : byType.get(qtype);
        if ((found == null || found.isEmpty()) && qtype != Type.CNAME) {
            found = byType.get(Type.CNAME); // an ExternalName answers any type with its CNAME
        }
        if (found == null || found.isEmpty()) {
            return new Answer(true, Rcode.NOERROR, List.of(), soa);
        }
        return new Answer(true, Rcode.NOERROR, found, null);
    }

    /** The SOA of the closest apex at or above the name, or null when none covers it. */
    static SOARecord apexFor(Map<Name, SOARecord> apexes, Name qname) {
        for (int labels = qname.labels(); labels >= 1; labels--) {
            Name n = labels == qname.labels() ? qname : new Name(qname, qname.labels() - labels);
            SOARecord soa = apexes.get(n);
            if (soa != null) {
                return soa;
            }
        }
        return null;
    }
}
