package io.kube4j.security.authn;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/** The subject attributes Kubernetes maps to identities: CN (user) and O (groups), in certificate order. */
final class SubjectNames {

    private SubjectNames() {
    }

    static String commonName(X509Certificate c) {
        List<String> cn = values(c, BCStyle.CN);
        return cn.isEmpty() ? "" : cn.get(0);
    }

    static List<String> organizations(X509Certificate c) {
        return values(c, BCStyle.O);
    }

    private static List<String> values(X509Certificate c, ASN1ObjectIdentifier oid) {
        X500Name name = X500Name.getInstance(c.getSubjectX500Principal().getEncoded());
        List<String> out = new ArrayList<>();
        for (RDN rdn : name.getRDNs(oid)) {
            for (var atv : rdn.getTypesAndValues()) {
                if (atv.getType().equals(oid)) {
                    out.add(IETFUtils.valueToString(atv.getValue()));
                }
            }
        }
        return out;
    }
}
