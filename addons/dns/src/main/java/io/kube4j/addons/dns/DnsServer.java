package io.kube4j.addons.dns;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Name;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Type;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The cluster DNS server: answers the cluster's zones from the current {@link DnsZone} snapshot and forwards every
 * other name to the upstream resolvers, over UDP and TCP on one port. Usable in process (tests, the benchmark) and as
 * the {@link DnsApplication}'s listener.
 * <p>
 * Plain blocking sockets: a UDP question is answered by a map lookup on a snapshot, so a few threads looping on one
 * socket keep both cores busy with no event-loop hand-off; forwarded questions complete asynchronously (dnsjava's
 * {@code sendAsync}) and never hold a UDP worker. TCP (RFC 7766: length-prefixed, several queries per connection, idle
 * connections closed) takes a thread per connection: it carries truncated answers and zone-sized ones, not the bulk.
 * Messages are parsed and written by dnsjava.
 */
public final class DnsServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DnsServer.class);
    private static final int UDP_MIN = 512;
    private static final int UDP_ADVERTISED = 1232; // the DNS flag day 2020 EDNS buffer size
    private static final Duration TCP_IDLE = Duration.ofSeconds(10);

    private final InetAddress bind;
    private final int requestedPort;
    private final Supplier<DnsZone> zone;
    private final Resolver upstream;
    private final MeterRegistry meters;
    private final int udpWorkers;
    private final Map<Long, Counter> counters = new ConcurrentHashMap<>();
    private final Timer udpTimer;
    private final Timer tcpTimer;
    private volatile boolean running;
    private DatagramSocket udp;
    /** With a wildcard bind: one more UDP socket per host address, so answers leave from the address asked. */
    private final List<DatagramSocket> udpPerAddress = new ArrayList<>();
    private ServerSocket tcp;
    private final List<Thread> threads = new ArrayList<>();
    private ExecutorService tcpConnections;

    /**
     * @param bind       the address to listen on
     * @param port       0 for an ephemeral one (UDP's, then TCP takes the same number)
     * @param zone       the current snapshot, read once per question
     * @param upstreams  where names outside the cluster zones go; empty: those get SERVFAIL
     * @param timeout    per upstream query
     * @param meters     {@code kube4j_dns_requests_total} and {@code kube4j_dns_request_duration_seconds}
     * @param udpWorkers threads reading the UDP socket
     */
    public DnsServer(InetAddress bind, int port, Supplier<DnsZone> zone, List<InetSocketAddress> upstreams,
                     Duration timeout, MeterRegistry meters, int udpWorkers) {
        this.bind = bind;
        this.requestedPort = port;
        this.zone = zone;
        this.meters = meters;
        this.udpWorkers = Math.max(1, udpWorkers);
        this.upstream = upstreams.isEmpty() ? null : resolver(upstreams, timeout);
        this.udpTimer = Timer.builder("kube4j.dns.request.duration").description("time to answer a DNS question")
                .tag("proto", "udp").register(meters);
        this.tcpTimer = Timer.builder("kube4j.dns.request.duration").description("time to answer a DNS question")
                .tag("proto", "tcp").register(meters);
    }

    private static Resolver resolver(List<InetSocketAddress> upstreams, Duration timeout) {
        List<Resolver> rs = new ArrayList<>();
        for (InetSocketAddress a : upstreams) {
            SimpleResolver r = new SimpleResolver(a);
            r.setTimeout(timeout);
            rs.add(r);
        }
        ExtendedResolver ext = new ExtendedResolver(rs);
        ext.setTimeout(timeout);
        ext.setRetries(1);
        return ext;
    }

    /** Binds UDP and TCP on the same port and starts serving. */
    public synchronized void start() throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < 10 && udp == null; attempt++) {
            DatagramSocket u = new DatagramSocket(null);
            u.setReuseAddress(true); // beside the per-address sockets of the same port
            try {
                u.bind(new InetSocketAddress(bind, requestedPort));
                u.setReceiveBufferSize(4 << 20);
                ServerSocket t = new ServerSocket();
                t.setReuseAddress(true);
                t.bind(new InetSocketAddress(bind, u.getLocalPort()), 128);
                udp = u;
                tcp = t;
            } catch (IOException e) { // the ephemeral UDP port's number was taken for TCP: try another one
                u.close();
                last = e;
                if (requestedPort != 0) {
                    break;
                }
            }
        }
        if (udp == null) {
            throw last;
        }
        running = true;
        for (int i = 0; i < udpWorkers; i++) {
            threads.add(start("dns-udp-" + i, () -> serveUdp(udp)));
        }
        if (bind.isAnyLocalAddress()) {
            bindPerAddress();
        }
        tcpConnections = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "dns-tcp-conn");
            t.setDaemon(true);
            return t;
        });
        threads.add(start("dns-tcp-accept", this::acceptTcp));
    }

    /**
     * A socket bound to the wildcard answers from whatever source address the route back picks, not from the one the
     * question was sent to: a pod asking the kube-dns ClusterIP, DNAT-ed to the node's InternalIP, would get the
     * answer from its bridge's gateway address, which conntrack cannot match to the question (the pod drops it).
     * Linux hands a datagram to the most specific bound socket, so one socket per host address (taken at start; the
     * wildcard one still serves addresses added later) answers from the right address, as CoreDNS's does with
     * IP_PKTINFO, which Java's sockets do not offer.
     */
    private void bindPerAddress() {
        List<InetAddress> addresses = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (nic.isUp()) {
                    for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                        if (!a.isLoopbackAddress() && (a instanceof Inet4Address) == (bind instanceof Inet4Address)) {
                            addresses.add(a);
                        }
                    }
                }
            }
        } catch (SocketException e) {
            log.warn("cannot list the host's addresses ({}): answering from the wildcard socket only", e.toString());
            return;
        }
        for (InetAddress a : addresses) {
            try {
                DatagramSocket s = new DatagramSocket(null);
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(a, udp.getLocalPort()));
                s.setReceiveBufferSize(1 << 20);
                udpPerAddress.add(s);
                threads.add(start("dns-udp-" + a.getHostAddress(), () -> serveUdp(s)));
            } catch (IOException e) {
                log.warn("cannot listen on {}:{} (udp): answers to it leave from the wildcard socket ({})",
                        a.getHostAddress(), udp.getLocalPort(), e.toString());
            }
        }
    }

    private static Thread start(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** The port both listeners are bound to. */
    public int port() {
        return udp.getLocalPort();
    }

    public InetAddress address() {
        return bind;
    }

    private void serveUdp(DatagramSocket udp) {
        byte[] buf = new byte[65535];
        DatagramPacket packet = new DatagramPacket(buf, buf.length);
        while (running) {
            try {
                packet.setData(buf);
                udp.receive(packet);
                long start = System.nanoTime();
                byte[] in = java.util.Arrays.copyOf(packet.getData(), packet.getLength());
                InetSocketAddress from = (InetSocketAddress) packet.getSocketAddress();
                answer(in, "udp").thenAccept(reply -> {
                    if (reply != null) {
                        sendUdp(udp, reply, from);
                    }
                    udpTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                });
            } catch (SocketException e) {
                if (running) {
                    log.warn("UDP listener failed: {}", e.toString());
                }
                return;
            } catch (IOException | RuntimeException e) {
                log.debug("dropped a UDP question: {}", e.toString());
            }
        }
    }

    private void sendUdp(DatagramSocket udp, Message reply, InetSocketAddress to) {
        try {
            byte[] out = reply.toWire(maxUdp(reply));
            udp.send(new DatagramPacket(out, out.length, to));
        } catch (IOException e) {
            log.debug("could not answer {}: {}", to, e.toString());
        }
    }

    private static int maxUdp(Message reply) {
        OPTRecord opt = reply.getOPT(); // set from the question's: its payload size is the client's
        return opt == null ? UDP_MIN : Math.max(UDP_MIN, Math.min(opt.getPayloadSize(), 65535));
    }

    private void acceptTcp() {
        while (running) {
            try {
                Socket s = tcp.accept();
                tcpConnections.execute(() -> serveTcp(s));
            } catch (IOException e) {
                if (running) {
                    log.warn("TCP listener failed: {}", e.toString());
                }
                return;
            }
        }
    }

    private void serveTcp(Socket s) {
        try (s) {
            s.setSoTimeout((int) TCP_IDLE.toMillis());
            s.setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(s.getInputStream()));
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            while (running) {
                int len;
                try {
                    len = in.readUnsignedShort();
                } catch (EOFException | SocketTimeoutException e) {
                    return;
                }
                byte[] q = new byte[len];
                in.readFully(q);
                long start = System.nanoTime();
                Message reply = answer(q, "tcp").toCompletableFuture().join();
                if (reply == null) {
                    return;
                }
                byte[] wire = reply.toWire(65535);
                synchronized (out) {
                    out.writeShort(wire.length);
                    out.write(wire);
                    out.flush();
                }
                tcpTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            }
        } catch (IOException | RuntimeException e) {
            log.debug("TCP connection ended: {}", e.toString());
        }
    }

    /** Answers one wire-format question; completes with null when it cannot even be answered with an error. */
    CompletionStage<Message> answer(byte[] wire, String proto) {
        Message query;
        try {
            query = new Message(wire);
        } catch (IOException e) {
            if (wire.length < Header.LENGTH) {
                return CompletableFuture.completedFuture(null);
            }
            try {
                Message err = new Message(new Header(java.util.Arrays.copyOf(wire, Header.LENGTH)).getID());
                err.getHeader().setFlag(Flags.QR);
                err.getHeader().setRcode(Rcode.FORMERR);
                count(-1, Rcode.FORMERR, proto);
                return CompletableFuture.completedFuture(err);
            } catch (IOException e2) {
                return CompletableFuture.completedFuture(null);
            }
        }
        Record question = query.getQuestion();
        if (query.getHeader().getFlag(Flags.QR)) {
            return CompletableFuture.completedFuture(null); // a response sent to us: never answer it (loops)
        }
        if (query.getHeader().getOpcode() != Opcode.QUERY || question == null) {
            Message err = reply(query);
            err.getHeader().setRcode(question == null ? Rcode.FORMERR : Rcode.NOTIMP);
            count(question == null ? -1 : question.getType(), err.getRcode(), proto);
            return CompletableFuture.completedFuture(err);
        }
        DnsZone z = zone.get(); // one snapshot for the whole answer
        DnsZone.Answer a = z.lookup(question.getName(), question.getType());
        if (!a.authoritative()) {
            return forward(query, proto);
        }
        Message reply = reply(query);
        reply.getHeader().setFlag(Flags.AA);
        reply.getHeader().setRcode(a.rcode());
        for (Record r : a.answers()) {
            reply.addRecord(r, Section.ANSWER);
        }
        if (a.soa() != null) {
            reply.addRecord(a.soa(), Section.AUTHORITY);
        }
        if (question.getType() == Type.SRV) { // the targets' addresses, as CoreDNS's additional section
            for (Record r : a.answers()) {
                if (r instanceof SRVRecord srv) {
                    DnsZone.Answer target = z.lookup(srv.getTarget(), Type.A);
                    for (Record t : target.answers()) {
                        if (!reply.findRecord(t, Section.ADDITIONAL)) {
                            reply.addRecord(t, Section.ADDITIONAL);
                        }
                    }
                }
            }
        }
        if (question.getType() != Type.CNAME && question.getType() != Type.ANY && a.answers().size() == 1
                && a.answers().get(0) instanceof CNAMERecord cname) {
            return chase(z, cname.getTarget(), question.getType(), reply, proto);
        }
        count(question.getType(), a.rcode(), proto);
        return CompletableFuture.completedFuture(reply);
    }

    /**
     * Follows an ExternalName's CNAME, as CoreDNS does: stub resolvers (glibc, musl) do not re-ask for the target
     * themselves, so the answer must carry the target's records too, from the zone or from the upstreams.
     */
    private CompletionStage<Message> chase(DnsZone z, Name target, int qtype, Message reply, String proto) {
        DnsZone.Answer inZone = z.lookup(target, qtype);
        if (inZone.authoritative() || upstream == null) {
            inZone.answers().forEach(r -> reply.addRecord(r, Section.ANSWER));
            count(qtype, Rcode.NOERROR, proto);
            return CompletableFuture.completedFuture(reply);
        }
        return upstream.sendAsync(Message.newQuery(Record.newRecord(target, qtype, DClass.IN))).handle((resp, err) -> {
            if (resp != null) {
                resp.getSection(Section.ANSWER).forEach(r -> reply.addRecord(r, Section.ANSWER));
            } else {
                log.debug("upstream failed for {}: {}", target, String.valueOf(err));
            }
            count(qtype, Rcode.NOERROR, proto);
            return reply;
        });
    }

    private CompletionStage<Message> forward(Message query, String proto) {
        int type = query.getQuestion().getType();
        if (upstream == null) {
            Message err = reply(query);
            err.getHeader().setRcode(Rcode.SERVFAIL);
            count(type, Rcode.SERVFAIL, proto);
            return CompletableFuture.completedFuture(err);
        }
        int id = query.getHeader().getID();
        Message upstreamQuery = query.clone();
        return upstream.sendAsync(upstreamQuery).handle((resp, err) -> {
            Message out;
            if (err != null || resp == null) {
                log.debug("upstream failed for {}: {}", query.getQuestion().getName(), String.valueOf(err));
                out = reply(query);
                out.getHeader().setRcode(Rcode.SERVFAIL);
            } else {
                out = resp;
                out.getHeader().setID(id);
            }
            count(type, out.getRcode(), proto);
            return out;
        });
    }

    private static Message reply(Message query) {
        Message reply = new Message(query.getHeader().getID());
        Header h = reply.getHeader();
        h.setFlag(Flags.QR);
        h.setFlag(Flags.RA);
        if (query.getHeader().getFlag(Flags.RD)) {
            h.setFlag(Flags.RD);
        }
        if (query.getQuestion() != null) {
            reply.addRecord(query.getQuestion(), Section.QUESTION);
        }
        OPTRecord opt = query.getOPT();
        if (opt != null) {
            reply.addRecord(new OPTRecord(Math.max(UDP_MIN, Math.min(opt.getPayloadSize(), UDP_ADVERTISED)), 0, 0),
                    Section.ADDITIONAL);
        }
        return reply;
    }

    private void count(int qtype, int rcode, String proto) {
        // a number, not a string, as the key: this runs once per question
        long key = ((long) qtype << 32) | ((long) rcode << 1) | ("udp".equals(proto) ? 0 : 1);
        Counter c = counters.get(key);
        if (c == null) {
            c = counters.computeIfAbsent(key, k -> newCounter(qtype < 0 ? "UNKNOWN" : Type.string(qtype),
                    Rcode.string(rcode), proto));
        }
        c.increment();
    }

    private Counter newCounter(String type, String rc, String proto) {
        return Counter.builder("kube4j.dns.requests")
                .description("DNS questions answered, by type, response code and transport")
                .tag("type", type).tag("rcode", rc).tag("proto", proto).register(meters);
    }

    @Override
    public synchronized void close() {
        running = false;
        if (udp != null) {
            udp.close();
        }
        udpPerAddress.forEach(DatagramSocket::close);
        udpPerAddress.clear();
        if (tcp != null) {
            try {
                tcp.close();
            } catch (IOException e) {
                log.debug("closing the TCP listener: {}", e.toString());
            }
        }
        if (tcpConnections != null) {
            tcpConnections.shutdownNow();
        }
        for (Thread t : threads) {
            t.interrupt();
        }
        threads.clear();
    }
}
