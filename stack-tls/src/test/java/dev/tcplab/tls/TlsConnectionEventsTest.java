package dev.tcplab.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcplab.core.tcp.ConnectionEnd;
import dev.tcplab.core.tcp.Profile;
import dev.tcplab.core.tcp.TcpListener;
import dev.tcplab.core.tcp.TcpSocket;
import dev.tcplab.sim.Host;
import dev.tcplab.sim.LinkConfig;
import dev.tcplab.sim.Network;
import dev.tcplab.sim.Topology;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** When a TlsConnection tells its listener what: in its own step, in an order an application can use. */
@Timeout(60)
class TlsConnectionEventsTest {
  private static final long MS = 1_000_000L;
  private static final LinkConfig LINK =
      LinkConfig.builder().delay(10 * MS).bandwidth(10_000_000L).build();
  /** No serialisation delay: what is sent at one instant arrives at one instant. */
  private static final LinkConfig INSTANT = LinkConfig.builder().delay(10 * MS).bandwidth(0).build();

  /** A client and a server TlsConnection on two hosts; {@code onServer} sets the server up. */
  private static final class Pair {
    final Network net;
    final Host clientHost;
    final Host serverHost;
    TlsConnection client;
    TlsConnection server;

    Pair(TlsVersion v, RstPolicy serverPolicy, Consumer<TlsConnection> onServer,
        TlsConnection.Listener clientListener) {
      this(LINK, v, serverPolicy, onServer, clientListener);
    }

    Pair(LinkConfig link, TlsVersion v, RstPolicy serverPolicy, Consumer<TlsConnection> onServer,
        TlsConnection.Listener clientListener) {
      net = Topology.twoHosts(3, link, b -> b.profile(Profile.LINUX));
      clientHost = net.host(Topology.CLIENT);
      serverHost = net.host(Topology.SERVER);
      TlsIdentity identity = TlsIdentity.generate(3, "server");
      TcpListener l = serverHost.stack().listen(443, 4);
      l.onAcceptable(() -> net.at(net.now(), () -> {
        TcpSocket s = l.accept();
        if (s == null || server != null) return;
        server = TlsConnection.server(s, v, identity, 3, null, serverPolicy);
        onServer.accept(server);
      }));
      net.at(0, () -> {
        client = TlsConnection.client(clientHost.stack().connect(serverHost.address(), 443), v, 4,
            null, RstPolicy.DEFER_UNTIL_DELIVERED);
        client.setListener(clientListener);
      });
    }

    void runUntilBothEnded() {
      net.runUntil(() -> client != null && server != null && client.socket().end() != null
          && server.socket().end() != null, 600_000 * MS);
    }
  }

  static Stream<Arguments> versionsAndRstDelays() {
    return Stream.of(TlsVersion.values()).flatMap(v -> Stream.of(0L, 5 * MS).map(
        d -> Arguments.of(v, d)));
  }

  @ParameterizedTest(name = "{0}, RST {1} ns after the data")
  @MethodSource("versionsAndRstDelays")
  void truncatedAndClosedComeAfterTheLastData(TlsVersion v, long rstDelay) {
    // Rule: truncated() and closed() come in the connection's own step, after the application was offered everything TCP received before the end.
    List<String> events = new ArrayList<>();
    long[] read = new long[1];
    // With no serialisation delay and the abort in the same event as the write, the data and the RST
    // arrive at one instant: the client's step finds both at once.
    Pair p = new Pair(INSTANT, v, RstPolicy.IMMEDIATE, s -> s.setListener(new TlsConnection.Listener() {
      private boolean answered;

      @Override
      public void readable(TlsConnection c) {
        while (c.read(new byte[4096]) > 0) {
          // the request
        }
        if (answered) return;
        answered = true;
        c.socket().setNoDelay(true); // the record's last, short segment goes out at once too
        c.write(new byte[10_000]);
        // The data is on the wire; the RST follows it, before any ACK can come back.
        if (rstDelay == 0) {
          c.abort();
        } else {
          c.socket().stack().scheduler().schedule(c.socket().stack().clock().nanos() + rstDelay,
              c::abort);
        }
      }
    }), new TlsConnection.Listener() {
      @Override
      public void handshakeComplete(TlsConnection c) {
        c.write(new byte[] {1});
      }

      @Override
      public void readable(TlsConnection c) {
        byte[] buf = new byte[4096];
        int n;
        while ((n = c.read(buf)) > 0) read[0] += n;
      }

      @Override
      public void truncated(TlsConnection c, String how) {
        events.add("truncated " + how + " after " + read[0]);
      }

      @Override
      public void closed(TlsConnection c, ConnectionEnd how) {
        events.add("closed " + how + " after " + read[0] + ", truncation " + c.truncation());
      }
    });
    p.runUntilBothEnded();
    assertThat(events).containsExactly(
        "truncated RST before close_notify after 10000",
        "closed RESET_BY_PEER after 10000, truncation RST before close_notify");
  }

  @Test
  void writableIsNeverReportedFromInsideWrite() {
    // Rule: listener callbacks never re-enter: an application writing from writable() gets its next writable() in a later step, not nested in write().
    int[] depth = new int[1];
    int[] maxDepth = new int[1];
    int[] written = new int[1];
    long[] read = new long[1];
    Pair p = new Pair(TlsVersion.TLS_1_3, RstPolicy.DEFER_UNTIL_DELIVERED,
        s -> s.setListener(new TlsConnection.Listener() {
          @Override
          public void writable(TlsConnection c) {
            depth[0]++;
            maxDepth[0] = Math.max(maxDepth[0], depth[0]);
            try {
              if (!c.handshakeComplete() || c.closeNotifySent()) return;
              if (written[0] < 200_000) {
                c.write(new byte[1_000]);
                written[0] += 1_000;
              } else {
                c.close();
              }
            } finally {
              depth[0]--;
            }
          }
        }), new TlsConnection.Listener() {
          @Override
          public void readable(TlsConnection c) {
            byte[] buf = new byte[16_384];
            int n;
            while ((n = c.read(buf)) > 0) read[0] += n;
            if (n < 0) c.close();
          }
        });
    p.runUntilBothEnded();
    assertThat(maxDepth[0]).isEqualTo(1);
    assertThat(written[0]).isEqualTo(200_000);
    assertThat(read[0]).isEqualTo(200_000);
    assertThat(p.client.closeNotifyReceived()).isTrue();
    assertThat(p.server.closeNotifyReceived()).isTrue();
    assertThat(p.client.socket().end()).isEqualTo(ConnectionEnd.CLOSED_GRACEFULLY);
    assertThat(p.server.socket().end()).isEqualTo(ConnectionEnd.CLOSED_GRACEFULLY);
  }
}
