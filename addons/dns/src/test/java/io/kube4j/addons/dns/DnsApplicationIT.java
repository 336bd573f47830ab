package io.kube4j.addons.dns;

import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.Requirements;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The add-on as it is deployed: {@link DnsApplication} against the real apiserver answers on its DNS port, reports
 * ready once its informers have listed, and exports {@code kube4j_dns_requests_total} on the actuator's Prometheus
 * endpoint.
 */
class DnsApplicationIT {

    @Test
    void theApplicationServesDnsAndPrometheusMetrics() throws Exception {
        Requirements.requireBinary("etcd");
        try (ConfigurableApplicationContext ctx = new SpringApplicationBuilder(DnsApplication.class).run(
                "--kube4j.client.server=" + ApiServerInstance.shared().url(), "--kube4j.dns.bind-address=127.0.0.1",
                "--kube4j.dns.port=0", "--kube4j.dns.upstreams=127.0.0.1:9", "--server.port=0",
                "--kube4j.dns.cell=appcell")) {
            DnsServer server = ctx.getBean(DnsServer.class);
            SimpleResolver r = new SimpleResolver(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    server.port()));
            r.setTimeout(Duration.ofSeconds(2));
            Message soa = r.send(Message.newQuery(Record.newRecord(ZoneBuilder.absolute("cluster.local"), Type.SOA,
                    DClass.IN)));
            assertThat(soa.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(soa.getSection(Section.ANSWER)).singleElement()
                    .satisfies(s -> assertThat(s.getType()).isEqualTo(Type.SOA));
            Message nx = r.send(Message.newQuery(Record.newRecord(ZoneBuilder.absolute("x.nobody.appcell.bns"),
                    Type.A, DClass.IN)));
            assertThat(nx.getRcode()).isEqualTo(Rcode.NXDOMAIN);

            String base = "http://127.0.0.1:" + ctx.getEnvironment().getProperty("local.server.port");
            HttpClient http = HttpClient.newHttpClient();
            await().atMost(Duration.ofSeconds(20)).until(() -> http.send(HttpRequest.newBuilder(
                    URI.create(base + "/actuator/health/readiness")).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode() == 200);
            String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/actuator/prometheus")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).containsPattern(
                    "kube4j_dns_requests_total\\{[^}]*proto=\"udp\"[^}]*rcode=\"NXDOMAIN\"[^}]*type=\"A\"[^}]*} 1\\.0");
            assertThat(metrics).contains("kube4j_dns_request_duration_seconds_count{");
        }
    }
}
