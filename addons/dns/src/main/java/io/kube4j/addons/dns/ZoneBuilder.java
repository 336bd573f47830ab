package io.kube4j.addons.dns;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Address;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Builds a {@link DnsZone} from the informers' Services, EndpointSlices, Pods and ReplicaSets, with the names and
 * answers of CoreDNS's kubernetes plugin (the Kubernetes DNS specification), plus kube4j's Borg Name Service names.
 * <ul>
 * <li>{@code <svc>.<ns>.svc.<domain>}: A/AAAA of the ClusterIPs; for a headless Service the addresses of its ready
 * endpoints (all of them with {@code publishNotReadyAddresses}); ExternalName is a CNAME to the external name.</li>
 * <li>{@code _<port>._<proto>.<svc>.<ns>.svc.<domain>} SRV for each named port, targeting the Service's name or, when
 * headless, each endpoint's name; SRV on the Service name itself lists every named port.</li>
 * <li>headless endpoints: {@code <hostname>.<svc>.<ns>.svc.<domain>}, the hostname being the endpoint's
 * {@code hostname}, else its Pod's {@code spec.hostname} when the Pod's {@code spec.subdomain} is the Service, else the
 * dashed address ({@code 10-1-2-3}); a ready Pod whose subdomain names a headless Service of its namespace also gets
 * {@code <hostname>.<subdomain>.<ns>.svc.<domain>} (StatefulSet {@code web-0.web.default.svc.cluster.local}).</li>
 * <li>{@code <a-b-c-d>.<ns>.pod.<domain>} for every running Pod's IP ("pods verified": only addresses a Pod of that
 * namespace has, not any well-formed one as "pods insecure" would).</li>
 * <li>PTR for ClusterIPs (the Service name), headless endpoints (their name) and other Pod IPs (the pod name).</li>
 * <li>Borg Name Service, zone {@code <cell>.bns}: {@code <index>.<job>.<user>.<cell>.bns} is one replica,
 * {@code <job>.<user>.<cell>.bns} every ready replica; SRV {@code _<port>._<proto>.<job>.<user>.<cell>.bns} for named
 * container ports, targeting the replicas' index names. The job is the Pod's controller as the user sees it: its
 * StatefulSet, or the Deployment owning its ReplicaSet, or the ReplicaSet itself when no Deployment owns it; the user
 * is the namespace. The index of a StatefulSet replica is its ordinal (stable across restarts); a Deployment or
 * ReplicaSet replica's index is its position, counted from 0, among the job's live Pods (not deleting, not Succeeded
 * or Failed) ordered by creationTimestamp then name. That order is all the API gives such Pods, so indices shift when an
 * older replica goes away, as Borg's task indices do not: clients that need stable identities should use a
 * StatefulSet. Jobs whose names contain dots are skipped (a dot would split the name into labels).</li>
 * </ul>
 * Everything is computed here once per change, so that answering is a map lookup ({@link DnsZone#lookup}).
 */
public final class ZoneBuilder {

    private final Name domain;
    private final Name bnsApex;
    private final long ttl;

    /**
     * @param clusterDomain e.g. {@code cluster.local}
     * @param ttl           seconds, for every record and the SOA's negative TTL
     * @param cell          the BNS cell (the cluster's name)
     */
    public ZoneBuilder(String clusterDomain, long ttl, String cell) {
        this.domain = absolute(clusterDomain);
        this.bnsApex = absolute(cell + ".bns");
        this.ttl = ttl;
    }

    public Name domain() {
        return domain;
    }

    public Name bnsApex() {
        return bnsApex;
    }

    /** The zone with no objects yet: its apexes answer, their names are NXDOMAIN. */
    public DnsZone empty() {
        return build(List.of(), List.of(), List.of(), List.of(), 1);
    }

    /**
     * Builds the whole zone.
     *
     * @param serial the SOA serial (CoreDNS uses the time of the last change)
     */
    public DnsZone build(Collection<Service> services, Collection<EndpointSlice> slices, Collection<Pod> pods,
                         Collection<ReplicaSet> replicaSets, long serial) {
        Map<Name, SOARecord> apexes = new LinkedHashMap<>();
        apexes.put(domain, soa(domain, serial));
        apexes.put(bnsApex, soa(bnsApex, serial));
        Map<Name, SOARecord> fallthrough = Map.of(absolute("in-addr.arpa"), soa(absolute("in-addr.arpa"), serial),
                absolute("ip6.arpa"), soa(absolute("ip6.arpa"), serial));
        Records out = new Records();

        Map<String, Pod> podsByKey = new HashMap<>();
        for (Pod p : pods) {
            podsByKey.put(key(p), p);
        }
        Map<String, List<EndpointSlice>> slicesByService = new HashMap<>();
        for (EndpointSlice s : slices) {
            String svc = s.getMetadata().getLabels() == null ? null
                    : s.getMetadata().getLabels().get("kubernetes.io/service-name");
            if (svc != null) {
                slicesByService.computeIfAbsent(s.getMetadata().getNamespace() + "/" + svc, k -> new ArrayList<>())
                        .add(s);
            }
        }
        Set<String> headless = new java.util.HashSet<>();
        for (Service svc : services) {
            String ns = svc.getMetadata().getNamespace();
            Name svcName = name(svc.getMetadata().getName() + "." + ns + ".svc", domain);
            if (svcName == null || svc.getSpec() == null) {
                continue;
            }
            out.touch(svcName);
            if ("ExternalName".equals(svc.getSpec().getType())) {
                Name target = absoluteOrNull(svc.getSpec().getExternalName());
                if (target != null) {
                    out.add(new CNAMERecord(svcName, DClass.IN, ttl, target));
                }
                continue;
            }
            String clusterIp = svc.getSpec().getClusterIP();
            if (clusterIp == null || clusterIp.isEmpty() || "None".equals(clusterIp)) {
                headless.add(key(svc));
                headlessRecords(svc, svcName, slicesByService.getOrDefault(key(svc), List.of()), podsByKey, out);
            } else {
                List<String> ips = svc.getSpec().getClusterIPs() == null || svc.getSpec().getClusterIPs().isEmpty()
                        ? List.of(clusterIp) : svc.getSpec().getClusterIPs();
                for (String ip : ips) {
                    address(svcName, ip, out);
                    ptr(ip, svcName, out);
                }
                for (ServicePort port : nn(svc.getSpec().getPorts())) {
                    if (port.getName() != null && !port.getName().isEmpty() && port.getPort() != null) {
                        srv(port.getName(), port.getProtocol(), svcName, svcName, port.getPort(), out);
                    }
                }
            }
        }

        for (Pod pod : pods) {
            if (!running(pod)) {
                continue;
            }
            String ns = pod.getMetadata().getNamespace();
            for (String ip : podIps(pod)) {
                Name podName = name(ip.replace('.', '-').replace(':', '-') + "." + ns + ".pod", domain);
                if (podName != null) {
                    address(podName, ip, out);
                    ptrIfAbsent(ip, podName, out);
                }
            }
            String hostname = pod.getSpec() == null ? null : pod.getSpec().getHostname();
            String subdomain = pod.getSpec() == null ? null : pod.getSpec().getSubdomain();
            if (hostname != null && subdomain != null && headless.contains(ns + "/" + subdomain) && ready(pod)) {
                Name host = name(hostname + "." + subdomain + "." + ns + ".svc", domain);
                if (host != null) {
                    for (String ip : podIps(pod)) {
                        address(host, ip, out);
                    }
                }
            }
        }

        bns(pods, replicaSets, out);

        // empty non-terminals: NOERROR/NODATA for svc.cluster.local, a namespace, _tcp.<svc>..., as CoreDNS
        for (Name owner : List.copyOf(out.names.keySet())) {
            for (int strip = 1; strip < owner.labels(); strip++) {
                Name parent = new Name(owner, strip);
                out.names.computeIfAbsent(parent, k -> new LinkedHashMap<>());
                if (apexes.containsKey(parent) || fallthrough.containsKey(parent)) {
                    break;
                }
            }
        }
        apexes.values().forEach(out::add); // the apex answers its SOA
        Map<Name, Map<Integer, List<Record>>> frozen = new HashMap<>(out.names.size() * 2);
        out.names.forEach((n, byType) -> {
            Map<Integer, List<Record>> types = new HashMap<>();
            byType.forEach((t, rs) -> types.put(t, List.copyOf(rs)));
            frozen.put(n, Map.copyOf(types));
        });
        return new DnsZone(Map.copyOf(apexes), fallthrough, frozen);
    }

    private void headlessRecords(Service svc, Name svcName, List<EndpointSlice> slices, Map<String, Pod> pods,
                                 Records out) {
        boolean publishNotReady = Boolean.TRUE.equals(svc.getSpec().getPublishNotReadyAddresses());
        String ns = svc.getMetadata().getNamespace();
        for (EndpointSlice slice : slices) {
            if (!"IPv4".equals(slice.getAddressType()) && !"IPv6".equals(slice.getAddressType())) {
                continue; // FQDN slices carry no addresses
            }
            for (Endpoint ep : nn(slice.getEndpoints())) {
                boolean ready = ep.getConditions() == null || ep.getConditions().getReady() == null
                        || ep.getConditions().getReady();
                if (!ready && !publishNotReady) {
                    continue;
                }
                for (String ip : nn(ep.getAddresses())) {
                    String host = ep.getHostname();
                    if (host == null && ep.getTargetRef() != null && "Pod".equals(ep.getTargetRef().getKind())) {
                        Pod pod = pods.get(ns + "/" + ep.getTargetRef().getName());
                        if (pod != null && pod.getSpec() != null && pod.getSpec().getHostname() != null
                                && svc.getMetadata().getName().equals(pod.getSpec().getSubdomain())) {
                            host = pod.getSpec().getHostname();
                        }
                    }
                    if (host == null) {
                        host = ip.replace('.', '-').replace(':', '-');
                    }
                    Name epName = name(host, svcName);
                    address(svcName, ip, out);
                    if (epName == null) {
                        continue;
                    }
                    address(epName, ip, out);
                    ptr(ip, epName, out);
                    for (EndpointPort port : nn(slice.getPorts())) {
                        if (port.getName() != null && !port.getName().isEmpty() && port.getPort() != null) {
                            srv(port.getName(), port.getProtocol(), svcName, epName, port.getPort(), out);
                        }
                    }
                }
            }
        }
    }

    private record Replica(Pod pod, String job, int ordinal) {
    }

    private void bns(Collection<Pod> pods, Collection<ReplicaSet> replicaSets, Records out) {
        Map<String, ReplicaSet> rsByKey = new HashMap<>();
        for (ReplicaSet rs : replicaSets) {
            rsByKey.put(key(rs), rs);
        }
        Map<String, List<Replica>> byJob = new LinkedHashMap<>();
        for (Pod pod : pods) {
            if (!live(pod)) {
                continue;
            }
            OwnerReference owner = controller(pod);
            if (owner == null) {
                continue;
            }
            String ns = pod.getMetadata().getNamespace();
            String job;
            int ordinal = -1;
            if ("StatefulSet".equals(owner.getKind())) {
                job = owner.getName();
                String podName = pod.getMetadata().getName();
                if (!podName.startsWith(job + "-")) {
                    continue;
                }
                try {
                    ordinal = Integer.parseInt(podName.substring(job.length() + 1));
                } catch (NumberFormatException e) {
                    continue;
                }
            } else if ("ReplicaSet".equals(owner.getKind())) {
                ReplicaSet rs = rsByKey.get(ns + "/" + owner.getName());
                OwnerReference deployment = rs == null ? null : controller(rs);
                job = deployment != null && "Deployment".equals(deployment.getKind()) ? deployment.getName()
                        : owner.getName();
            } else {
                continue;
            }
            if (job.contains(".")) {
                continue;
            }
            byJob.computeIfAbsent(ns + "/" + job, k -> new ArrayList<>()).add(new Replica(pod, job, ordinal));
        }
        Comparator<Replica> creationOrder = Comparator
                .comparing((Replica r) -> created(r.pod()))
                .thenComparing(r -> r.pod().getMetadata().getName());
        byJob.forEach((jobKey, replicas) -> {
            String ns = jobKey.substring(0, jobKey.indexOf('/'));
            Name jobName = name(replicas.get(0).job() + "." + ns, bnsApex);
            if (jobName == null) {
                return;
            }
            out.touch(jobName);
            List<Replica> positional = replicas.stream().filter(r -> r.ordinal() < 0).sorted(creationOrder).toList();
            List<Replica> indexed = new ArrayList<>();
            for (int i = 0; i < positional.size(); i++) {
                indexed.add(new Replica(positional.get(i).pod(), positional.get(i).job(), i));
            }
            replicas.stream().filter(r -> r.ordinal() >= 0).forEach(indexed::add);
            for (Replica r : indexed) {
                Name taskName = name(Integer.toString(r.ordinal()), jobName);
                out.touch(taskName);
                List<String> ips = podIps(r.pod());
                for (String ip : ips) {
                    address(taskName, ip, out);
                }
                if (!ips.isEmpty() && ready(r.pod())) {
                    for (String ip : ips) {
                        address(jobName, ip, out);
                    }
                    for (Container c : r.pod().getSpec() == null ? List.<Container>of()
                            : nn(r.pod().getSpec().getContainers())) {
                        for (ContainerPort p : nn(c.getPorts())) {
                            if (p.getName() != null && p.getContainerPort() != null) {
                                srv(p.getName(), p.getProtocol(), jobName, taskName, p.getContainerPort(), out);
                            }
                        }
                    }
                }
            }
        });
    }

    private void srv(String portName, String protocol, Name owner, Name target, int port, Records out) {
        String proto = protocol == null ? "tcp" : protocol.toLowerCase(java.util.Locale.ROOT);
        Name srvName = name("_" + portName + "._" + proto, owner);
        if (srvName != null) {
            out.add(new SRVRecord(srvName, DClass.IN, ttl, 0, 100, port, target));
            out.add(new SRVRecord(owner, DClass.IN, ttl, 0, 100, port, target));
        }
    }

    private void address(Name owner, String ip, Records out) {
        InetAddress addr = parse(ip);
        if (addr == null) {
            return;
        }
        out.add(addr.getAddress().length == 4 ? new ARecord(owner, DClass.IN, ttl, addr)
                : new AAAARecord(owner, DClass.IN, ttl, addr));
    }

    private void ptr(String ip, Name target, Records out) {
        InetAddress addr = parse(ip);
        if (addr != null) {
            out.add(new PTRRecord(ReverseMap.fromAddress(addr), DClass.IN, ttl, target));
        }
    }

    private void ptrIfAbsent(String ip, Name target, Records out) {
        InetAddress addr = parse(ip);
        if (addr != null) {
            Name rev = ReverseMap.fromAddress(addr);
            Map<Integer, Set<Record>> byType = out.names.get(rev);
            if (byType == null || !byType.containsKey(Type.PTR)) {
                out.add(new PTRRecord(rev, DClass.IN, ttl, target));
            }
        }
    }

    private SOARecord soa(Name apex, long serial) {
        // CoreDNS's: ns.dns.<zone> hostmaster.<zone> serial 7200 1800 86400 <ttl>
        return new SOARecord(apex, DClass.IN, ttl, name("ns.dns", apex), name("hostmaster", apex), serial,
                7200, 1800, 86400, ttl);
    }

    /** Owner names to records by type, in insertion order, without duplicates. */
    private static final class Records {
        final Map<Name, Map<Integer, Set<Record>>> names = new HashMap<>();

        void touch(Name n) {
            names.computeIfAbsent(n, k -> new LinkedHashMap<>());
        }

        void add(Record r) {
            names.computeIfAbsent(r.getName(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(r.getType(), k -> new LinkedHashSet<>()).add(r);
        }
    }

    static boolean running(Pod pod) {
        return live(pod) && !podIps(pod).isEmpty();
    }

    static boolean live(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return pod.getMetadata().getDeletionTimestamp() == null && !"Succeeded".equals(phase)
                && !"Failed".equals(phase);
    }

    static boolean ready(Pod pod) {
        if (pod.getStatus() == null) {
            return false;
        }
        for (PodCondition c : nn(pod.getStatus().getConditions())) {
            if ("Ready".equals(c.getType())) {
                return "True".equals(c.getStatus());
            }
        }
        return false;
    }

    static List<String> podIps(Pod pod) {
        if (pod.getStatus() == null) {
            return List.of();
        }
        List<String> ips = new ArrayList<>();
        for (PodIP ip : nn(pod.getStatus().getPodIPs())) {
            if (ip.getIp() != null && !ips.contains(ip.getIp())) {
                ips.add(ip.getIp());
            }
        }
        if (ips.isEmpty() && pod.getStatus().getPodIP() != null && !pod.getStatus().getPodIP().isEmpty()) {
            ips.add(pod.getStatus().getPodIP());
        }
        return ips;
    }

    private static Instant created(Pod pod) {
        String ts = pod.getMetadata().getCreationTimestamp();
        try {
            return ts == null ? Instant.MAX : Instant.parse(ts);
        } catch (RuntimeException e) {
            return Instant.MAX;
        }
    }

    private static OwnerReference controller(HasMetadata o) {
        for (OwnerReference ref : nn(o.getMetadata().getOwnerReferences())) {
            if (Boolean.TRUE.equals(ref.getController())) {
                return ref;
            }
        }
        return null;
    }

    private static String key(HasMetadata o) {
        return o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
    }

    private static InetAddress parse(String ip) {
        try {
            return Address.getByAddress(ip);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static Name name(String relative, Name origin) {
        try {
            return Name.fromString(relative, origin);
        } catch (TextParseException | RuntimeException e) {
            return null; // not a valid DNS name (too long, bad label): it cannot be asked for either
        }
    }

    static Name absolute(String name) {
        Name n = absoluteOrNull(name);
        if (n == null) {
            throw new IllegalArgumentException("not a DNS name: " + name);
        }
        return n;
    }

    private static Name absoluteOrNull(String name) {
        if (name == null || name.isEmpty()) {
            return null;
        }
        return ZoneBuilder.name(name.endsWith(".") ? name : name + ".", Name.root);
    }

    private static <T> List<T> nn(List<T> list) {
        return list == null ? List.of() : list;
    }

    static String keyOf(HasMetadata o) {
        return Objects.requireNonNull(key(o));
    }
}
