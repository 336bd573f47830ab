package io.kube4j.security.pki;

import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

import javax.security.auth.x500.X500Principal;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** Reads names out of certificates: subject CN and O (as Kubernetes does), DNS and IP subject alternative names. */
public final class SubjectAltNames {

    private static final Pattern IPV4 = Pattern.compile("^\\d{1,3}(\\.\\d{1,3}){3}$");

    private SubjectAltNames() {
    }

    /** True for an IPv4 dotted quad or an IPv6 literal (never resolves a host name). */
    public static boolean isIpLiteral(String s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        if (IPV4.matcher(s).matches()) {
            for (String part : s.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    return false;
                }
            }
            return true;
        }
        return s.indexOf(':') >= 0 && s.matches("^[0-9a-fA-F:.]+$");
    }

    /** The canonical text of an IP literal (so that {@code ::1} and {@code 0:0:0:0:0:0:0:1} compare equal). */
    public static String canonicalIp(String ip) {
        try {
            return InetAddress.getByName(ip).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + ip, e);
        }
    }

    public static String commonName(X509Certificate cert) {
        List<String> cns = values(cert.getSubjectX500Principal(), BCStyle.CN);
        return cns.isEmpty() ? "" : cns.get(0);
    }

    public static List<String> organizations(X509Certificate cert) {
        return values(cert.getSubjectX500Principal(), BCStyle.O);
    }

    private static List<String> values(X500Principal principal, org.bouncycastle.asn1.ASN1ObjectIdentifier type) {
        X500Name name = X500Name.getInstance(principal.getEncoded());
        List<String> out = new ArrayList<>();
        for (RDN rdn : name.getRDNs(type)) {
            // every value of a multi-valued RDN, unescaped (a user "a,b" stays "a,b", as Go's pkix reads it)
            for (org.bouncycastle.asn1.x500.AttributeTypeAndValue atv : rdn.getTypesAndValues()) {
                if (atv.getType().equals(type)) {
                    org.bouncycastle.asn1.ASN1Encodable v = atv.getValue();
                    out.add(v instanceof org.bouncycastle.asn1.ASN1String str ? str.getString() : IETFUtils.valueToString(v));
                }
            }
        }
        return out;
    }

    public static Set<String> dnsNames(X509Certificate cert) {
        return sans(cert, 2);
    }

    /** IP SANs, canonical text. */
    public static Set<String> ipAddresses(X509Certificate cert) {
        Set<String> out = new TreeSet<>();
        for (String ip : sans(cert, 7)) {
            out.add(canonicalIp(ip));
        }
        return out;
    }

    private static Set<String> sans(X509Certificate cert, int type) {
        Set<String> out = new TreeSet<>();
        try {
            Collection<List<?>> all = cert.getSubjectAlternativeNames();
            if (all != null) {
                for (List<?> san : all) {
                    if (((Integer) san.get(0)) == type) {
                        out.add(String.valueOf(san.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            throw new IllegalArgumentException("unreadable subject alternative names: " + e.getMessage(), e);
        }
        return out;
    }
}
