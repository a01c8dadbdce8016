package dev.tcplab.tls;

import static dev.tcplab.tls.scenario.OffloadProxyTransfer.APP;
import static dev.tcplab.tls.scenario.OffloadProxyTransfer.APP_ADDRESS;
import static dev.tcplab.tls.scenario.OffloadProxyTransfer.CLIENT;
import static dev.tcplab.tls.scenario.OffloadProxyTransfer.CLIENT_ADDRESS;
import static dev.tcplab.tls.scenario.OffloadProxyTransfer.PROXY;
import static dev.tcplab.tls.scenario.OffloadProxyTransfer.PROXY_ADDRESS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tcplab.core.tcp.ConnectionEnd;
import dev.tcplab.core.wire.TcpFlags;
import dev.tcplab.sim.trace.TraceEvent;
import dev.tcplab.sim.trace.TraceEvent.Kind;
import dev.tcplab.tls.scenario.OffloadProxyTransfer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * PH01192 in its z/VM shape: the TLS is terminated by an offload proxy ("ssl-server") that relays to a
 * cleartext application, and that sends close_notify and aborts its TLS connection as soon as the
 * application's FIN arrives. The application and the proxy's TCP both do everything right; what the
 * client gets depends only on the proxy's RST policy.
 */
@Timeout(60)
class OffloadProxyTest {
  private static final Pattern DEFERRED = Pattern.compile(
      "RST deferred: TLS half closing \\(close_notify sent\\), connection in ESTABLISHED, (\\d+)"
          + " bytes unacknowledged");

  static Stream<Arguments> versionsAndPolicies() {
    return Stream.of(TlsVersion.values())
        .flatMap(v -> Stream.of(RstPolicy.values()).map(p -> Arguments.of(v, p)));
  }

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("versionsAndPolicies")
  void theClientGetsEverythingOnlyIfTheProxyDefersItsRst(TlsVersion v, RstPolicy policy) {
    // Rule: the proxy's abort at the application's EOF truncates the relayed response under IMMEDIATE and loses nothing under DEFER_UNTIL_DELIVERED.
    OffloadProxyTransfer.Result r = OffloadProxyTransfer.zvm(policy).withVersion(v).run();
    TlsTrace trace = new TlsTrace(r.network());
    String why = r.outcome() + "\n" + trace.summary();
    assertThat(r.finished()).as(why).isTrue();

    // The application side is unremarkable: request in, response out, FIN, all relayed.
    assertThat(r.app().bytesWritten()).isEqualTo(150_000);
    assertThat(r.proxy().relayed()).isEqualTo(150_000);
    assertThat(r.app().end()).isEqualTo(ConnectionEnd.CLOSED_GRACEFULLY);
    assertThat(r.proxy().appEnd()).isEqualTo(ConnectionEnd.CLOSED_GRACEFULLY);
    assertThat(r.proxy().tlsEnd()).isEqualTo(ConnectionEnd.ABORTED_LOCALLY);
    assertThat(r.client().end()).as(why).isEqualTo(ConnectionEnd.RESET_BY_PEER);

    // The proxy's decision comes at the application's EOF, with data still on its way to the client.
    TraceEvent eof = trace.app(PROXY, "EOF from the app after 150000 bytes");
    TraceEvent rst = trace.firstRst(PROXY).orElseThrow();
    TlsConnection client = r.client().tls();
    if (policy == RstPolicy.IMMEDIATE) {
      TraceEvent decision = trace.stack(PROXY, "RST now (policy IMMEDIATE)");
      assertThat(decision.timeNanos()).isEqualTo(eof.timeNanos()).isEqualTo(rst.timeNanos());
      assertThat(r.client().bytesRead()).as(why).isPositive().isLessThan(150_000);
      assertThat(r.clientReadEverything()).isFalse();
      assertThat(client.closeNotifyReceived()).isFalse();
      assertThat(client.truncation()).isEqualTo("RST before close_notify");
      assertThat(trace.dataSent(PROXY).stream().filter(e -> e.dst().equals(CLIENT_ADDRESS)))
          .allMatch(e -> trace.before(e, rst));
    } else {
      TraceEvent decision = trace.stack(PROXY, "RST deferred");
      Matcher m = DEFERRED.matcher(decision.text());
      assertThat(m.matches()).as(decision.text()).isTrue();
      assertThat(Long.parseLong(m.group(1))).isPositive();
      assertThat(decision.timeNanos()).isEqualTo(eof.timeNanos());
      TraceEvent release = trace.stack(PROXY, "all data acknowledged, close_notify included");
      assertThat(rst.timeNanos()).isEqualTo(release.timeNanos()).isGreaterThan(eof.timeNanos());
      assertThat(r.clientReadEverything()).as(why).isTrue(); // count and CRC-32 of the app's bytes
      assertThat(client.closeNotifyReceived()).isTrue();
      assertThat(client.truncation()).isNull();
      int end = trace.dataEnd(PROXY, CLIENT_ADDRESS);
      assertThat(rst.segment().seq()).as("the RST after all TLS data").isEqualTo(end);
      assertThat(trace.firstAckAtLeast(PROXY, end).filter(a -> trace.before(a, rst))).isPresent();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(TlsVersion.class)
  void theProxyTerminatesTlsAndTalksToTheAppInClear(TlsVersion v) {
    // Rule: one host, two links: TLS on 443 towards the client, cleartext TCP to 8080 towards the app; no packet crosses between the two sides.
    OffloadProxyTransfer.Result r =
        OffloadProxyTransfer.zvm(RstPolicy.DEFER_UNTIL_DELIVERED).withVersion(v).run();
    TlsTrace trace = new TlsTrace(r.network());
    assertThat(r.finished()).isTrue();
    List<TraceEvent> atClient = trace.find(Kind.RECEIVED, CLIENT, "");
    List<TraceEvent> atApp = trace.find(Kind.RECEIVED, APP, "");
    assertThat(atClient).isNotEmpty().allMatch(e -> e.src().equals(PROXY_ADDRESS)
        && e.segment().srcPort() == OffloadProxyTransfer.TLS_PORT);
    assertThat(atApp).isNotEmpty().allMatch(e -> e.src().equals(PROXY_ADDRESS)
        && e.segment().dstPort() == OffloadProxyTransfer.APP_PORT);
    assertThat(trace.sent(PROXY)).allMatch(e -> e.dst().equals(CLIENT_ADDRESS)
        || e.dst().equals(APP_ADDRESS));
    // The app got the request in clear, as the client wrote it inside TLS.
    assertThat(r.app().requestBytes()).isEqualTo(
        "GET /large HTTP/1.1\r\nHost: server\r\n\r\n".length());
    String clear = atApp.stream().filter(e -> e.segment().payloadLength() > 0)
        .map(e -> new String(e.segment().payload(), StandardCharsets.US_ASCII)).findFirst()
        .orElseThrow();
    assertThat(clear).startsWith("GET /large HTTP/1.1\r\n");
    // ... and nothing the client received is cleartext HTTP: TLS records only (type 22 or 23).
    assertThat(atClient.stream().filter(e -> e.segment().payloadLength() > 0))
        .noneMatch(e -> new String(e.segment().payload(), StandardCharsets.US_ASCII)
            .contains("HTTP/1.1"));
    // The application's FIN is what triggers the proxy's close_notify and abort.
    TraceEvent appFin = trace.sent(APP, TcpFlags.FIN).get(0);
    assertThat(trace.before(appFin, trace.stack(PROXY, "TLS close_notify queued"))).isTrue();
  }
}
