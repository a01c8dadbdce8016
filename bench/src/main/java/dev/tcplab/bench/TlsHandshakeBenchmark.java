package dev.tcplab.bench;

import dev.tcplab.core.tcp.TcpListener;
import dev.tcplab.core.tcp.TcpSocket;
import dev.tcplab.core.tcp.TcpStack;
import dev.tcplab.core.tcp.TcpState;
import dev.tcplab.sim.Host;
import dev.tcplab.sim.LinkConfig;
import dev.tcplab.sim.Network;
import dev.tcplab.sim.Topology;
import dev.tcplab.tls.RstPolicy;
import dev.tcplab.tls.TlsConnection;
import dev.tcplab.tls.TlsEngine;
import dev.tcplab.tls.TlsIdentity;
import dev.tcplab.tls.TlsVersion;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Full TLS handshakes per second (one op = one handshake; no resumption), TLS 1.3 and 1.2 ({@code
 * version}); the server's {@link TlsIdentity} (ECDSA P-256) is generated once, in {@code @Setup}, as a
 * real server loads its key once. Every handshake uses fresh seeds, so fresh randoms and key shares.
 *
 * <ul>
 *   <li>{@link #engineOnly}: the handshake alone, in memory: a client and a server {@link TlsEngine}
 *       (created per op) pump bytes to each other until both report {@code handshakeComplete()} and
 *       nothing is left to send. What it costs: x25519 (TLS 1.3) or ECDHE (TLS 1.2, also x25519) on both
 *       sides, one ECDSA P-256 signature (server) and its verification (client), the key schedule,
 *       transcript hashes, BC's message parsing and encoding, and the deterministic Hash_DRBGs.
 *   <li>{@link #overTcp}: a whole connection on the simulator ({@link Topology#twoHosts}, 1 ms one-way
 *       delay, 10 Gbit/s, trace off): the client connects, {@link TlsConnection}s do the handshake, the
 *       client closes (close_notify and FIN), the server answers with its close_notify and FIN when the
 *       client's arrives; the op ends when both connections are gone from both stacks (the client's
 *       TIME-WAIT is run out, 60 simulated seconds, so nothing accumulates between ops).
 *   <li>{@link #tcpOnly}: the same connect and close without TLS, the TCP share of {@link #overTcp}.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class TlsHandshakeBenchmark {
  static final int PORT = 443;
  static final long MS = 1_000_000L;
  static final LinkConfig LINK =
      LinkConfig.builder().delay(1 * MS).bandwidth(10_000_000_000L).queue(100_000).build();

  /** The handshake in memory: two engines, no TCP. */
  @State(Scope.Thread)
  public static class Engines {
    @Param({"1.3", "1.2"})
    public String version;

    TlsVersion v;
    TlsIdentity identity;
    long seed = 1_000;
    final byte[] buf = new byte[64 * 1024];

    @Setup(Level.Trial)
    public void setup() {
      v = TlsVersion.parse(version);
      identity = TlsIdentity.generate(1);
    }
  }

  /** One network with a listener, reused by every op. */
  @State(Scope.Thread)
  public static class Net {
    @Param({"1.3", "1.2"})
    public String version;

    TlsVersion v;
    TlsIdentity identity;
    Network net;
    Host clientHost;
    Host serverHost;
    TcpListener listener;
    long seed = 1_000;

    @Setup(Level.Trial)
    public void setup() {
      v = TlsVersion.parse(version);
      identity = TlsIdentity.generate(1);
      net = Topology.twoHosts(1, LINK);
      net.setTracing(false);
      clientHost = net.host(Topology.CLIENT);
      serverHost = net.host(Topology.SERVER);
      listener = serverHost.stack().listen(PORT, 16);
    }
  }

  /** The same network for TCP only (no version). */
  @State(Scope.Thread)
  public static class TcpNet {
    Network net;
    Host clientHost;
    Host serverHost;
    TcpListener listener;

    @Setup(Level.Trial)
    public void setup() {
      net = Topology.twoHosts(1, LINK);
      net.setTracing(false);
      clientHost = net.host(Topology.CLIENT);
      serverHost = net.host(Topology.SERVER);
      listener = serverHost.stack().listen(PORT, 16);
    }
  }

  @Benchmark
  public TlsEngine engineOnly(Engines s) {
    long seed = s.seed++;
    TlsEngine client = TlsEngine.client(s.v, seed, null);
    TlsEngine server = TlsEngine.server(s.v, s.identity, seed + 1, null);
    client.start();
    while (true) {
      boolean moved = pump(client, server, s.buf) | pump(server, client, s.buf);
      if (!moved) break;
    }
    if (!client.handshakeComplete() || !server.handshakeComplete()) {
      throw new IllegalStateException("handshake did not complete: " + client + " / " + server);
    }
    return server;
  }

  /** Moves everything {@code from} has to send into {@code to}; true if anything moved. */
  private static boolean pump(TlsEngine from, TlsEngine to, byte[] buf) {
    boolean moved = false;
    int n;
    while ((n = from.readOutput(buf, 0, buf.length)) > 0) {
      to.offerInput(buf, 0, n);
      moved = true;
    }
    return moved;
  }

  @Benchmark
  public long overTcp(Net s) {
    long seed = s.seed += 2;
    Network net = s.net;
    TcpSocket cs = s.clientHost.stack().connect(s.serverHost.address(), PORT);
    TlsConnection client = TlsConnection.client(cs, s.v, seed, null, RstPolicy.DEFER_UNTIL_DELIVERED);
    Conn c = new Conn(client);
    boolean done = net.runUntil(() -> c.poll(s), Long.MAX_VALUE);
    if (!done || c.server == null || !c.handshakes) {
      throw new IllegalStateException("handshake failed: " + cs + " / " + client.failure()
          + (c.server == null ? "" : " / " + c.server.failure()));
    }
    return net.now();
  }

  /** One connection's applications, run between events (the runUntil condition). */
  private static final class Conn {
    final TlsConnection client;
    TlsConnection server;
    boolean handshakes;
    boolean closing;

    Conn(TlsConnection client) {
      this.client = client;
    }

    boolean poll(Net s) {
      if (server == null) {
        TcpSocket ss = s.listener.accept();
        if (ss != null) {
          server = TlsConnection.server(ss, s.v, s.identity, s.seed + 1, null,
              RstPolicy.DEFER_UNTIL_DELIVERED);
          server.setListener(new TlsConnection.Listener() {
            @Override
            public void closeNotifyReceived(TlsConnection c) {
              c.close();
            }
          });
        }
        return false;
      }
      if (!closing) {
        if (!(client.handshakeComplete() && server.handshakeComplete())) return false;
        handshakes = true;
        closing = true;
        client.close();
        return false;
      }
      return client.socket().end() != null && server.socket().end() != null
          && idle(s.clientHost.stack()) && idle(s.serverHost.stack());
    }
  }

  @Benchmark
  public long tcpOnly(TcpNet s) {
    TcpSocket cs = s.clientHost.stack().connect(s.serverHost.address(), PORT);
    TcpConn c = new TcpConn(cs);
    if (!s.net.runUntil(() -> c.poll(s), Long.MAX_VALUE)) {
      throw new IllegalStateException("connection did not close: " + cs + " / " + c.server);
    }
    return s.net.now();
  }

  /** The TCP-only applications: the client closes once connected, the server once the FIN is in. */
  private static final class TcpConn {
    final TcpSocket client;
    TcpSocket server;
    boolean clientClosed;
    boolean serverClosed;

    TcpConn(TcpSocket client) {
      this.client = client;
    }

    boolean poll(TcpNet s) {
      if (server == null && (server = s.listener.accept()) == null) return false;
      if (!clientClosed) {
        if (client.state() != TcpState.ESTABLISHED) return false;
        clientClosed = true;
        client.close();
        return false;
      }
      if (!serverClosed && server.peerClosed()) {
        serverClosed = true;
        server.close();
      }
      return client.end() != null && server.end() != null && idle(s.clientHost.stack())
          && idle(s.serverHost.stack());
    }
  }

  private static boolean idle(TcpStack stack) {
    return stack.connectionCount() == 0;
  }

  /** A quick run without JMH: {@code [1.3|1.2] [handshakes]}. */
  public static void main(String[] args) {
    Engines e = new Engines();
    e.version = args.length > 0 ? args[0] : "1.3";
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
    e.setup();
    Net net = new Net();
    net.version = e.version;
    net.setup();
    TcpNet tcp = new TcpNet();
    tcp.setup();
    TlsHandshakeBenchmark b = new TlsHandshakeBenchmark();
    for (int round = 0; round < 3; round++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) b.engineOnly(e);
      long t1 = System.nanoTime();
      for (int i = 0; i < n; i++) b.overTcp(net);
      long t2 = System.nanoTime();
      for (int i = 0; i < n; i++) b.tcpOnly(tcp);
      long t3 = System.nanoTime();
      System.out.printf("TLS %s: engine-only %.0f/s, over TCP %.0f/s, TCP only %.0f/s%n", e.version,
          n / ((t1 - t0) / 1e9), n / ((t2 - t1) / 1e9), n / ((t3 - t2) / 1e9));
    }
  }
}
