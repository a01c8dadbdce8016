package dev.tcplab.bench;

import dev.tcplab.core.tcp.SocketListener;
import dev.tcplab.core.tcp.TcpListener;
import dev.tcplab.core.tcp.TcpObserver;
import dev.tcplab.core.tcp.TcpSocket;
import dev.tcplab.core.tcp.TcpState;
import dev.tcplab.core.wire.Segment;
import dev.tcplab.sim.Host;
import dev.tcplab.sim.LinkConfig;
import dev.tcplab.sim.Network;
import dev.tcplab.sim.Topology;
import dev.tcplab.tls.RstPolicy;
import dev.tcplab.tls.TlsConnection;
import dev.tcplab.tls.TlsIdentity;
import dev.tcplab.tls.TlsVersion;
import java.net.InetAddress;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * TLS bulk throughput through the whole simulator, and plain TCP on the same network for the overhead
 * ratio: {@link Topology#twoHosts} over a link with 1 ms one-way delay, 10 Gbit/s and a 100 000-packet
 * queue (no loss), 8 MiB send and receive buffers on both stacks, the trace off. One persistent
 * connection, set up in {@code @Setup}: with {@code mode=tls} a {@link TlsConnection} on each end
 * (TLS 1.3 TLS_AES_128_GCM_SHA256 or TLS 1.2 TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, {@link #version}),
 * with {@code mode=tcp} the {@link TcpSocket}s directly ({@link #version} is then ignored: the two tcp
 * rows are the same configuration measured twice).
 *
 * <p>One invocation runs the network until the client application has read another {@value #CHUNK}
 * bytes (8 MB) of application data sent by the <em>server</em> application. The applications behave
 * like poll() loops: the listeners only set flags, and between two events of the loop (the {@code
 * runUntil} condition) the server writes {@link #writeSize}-byte pieces while the TCP send buffer has
 * room for a whole one (plus the TLS record overhead in tls mode, so that the TLS layer hands
 * everything straight to TCP), and the client reads whatever is there into one 256 KiB array. The
 * server never stops writing, so the pipe stays full from one invocation to the next (no drain at the
 * chunk boundary, where Nagle would hold the last short segment for the peer's delayed ACK); what the
 * client reads beyond an invocation's share counts for the next one.
 *
 * <p>Figures:
 *
 * <ul>
 *   <li>the primary score is <b>application MB per wall-clock second</b> ({@code
 *       @OperationsPerInvocation(8)}: one op = 10^6 bytes read by the client application);
 *   <li>{@code appGbit}: the same in Gbit/s (10^9 bits) per wall second;
 *   <li>{@code wireMB}: TCP payload bytes both stacks sent, MB per wall second (in tls mode the records
 *       with their headers and tags; the ratio wireMB / score is the on-the-wire overhead);
 *   <li>{@code wireSegments}: segments both stacks sent per wall second (data and ACKs);
 *   <li>{@code simSeconds}: simulated seconds per wall second.
 * </ul>
 *
 * <p>TLS overhead = score(tcp) / score(tls) from the same run.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class TlsBulkBenchmark {
  static final int MB = 1_000_000;
  static final int CHUNK_MB = 8;
  static final int CHUNK = CHUNK_MB * MB;
  static final int BUFFER = 8 * 1024 * 1024;
  static final int PORT = 443;
  static final long MS = 1_000_000L;
  /** Record overhead budgeted per 16 KiB record: header and tag (22 B in TLS 1.3, 29 B in TLS 1.2). */
  static final int RECORD_SLACK = 32;
  static final LinkConfig LINK =
      LinkConfig.builder().delay(1 * MS).bandwidth(10_000_000_000L).queue(100_000).build();

  /** tls: through TlsConnection; tcp: the same sockets without TLS. */
  @Param({"tls", "tcp"})
  public String mode;

  /** TLS version (1.3 or 1.2); ignored with mode=tcp. */
  @Param({"1.3", "1.2"})
  public String version;

  /**
   * Bytes per application write: 65536 by default. A piece is written only when the send buffer has
   * room for all of it, so larger pieces (up to the whole chunk, {@code -p writeSize=8000000}) mean
   * fewer, bigger writes with the pipe drained in between, never a backlog inside the TLS layer.
   */
  @Param({"65536"})
  public int writeSize;

  private Network net;
  private TcpSocket clientSocket;
  private TcpSocket serverSocket;
  private TlsConnection clientTls;
  private TlsConnection serverTls;
  private boolean tls;
  private final byte[] source = new byte[CHUNK];
  private final byte[] sink = new byte[256 * 1024];
  private int sourceOffset;
  private long read;
  private long target;
  private boolean canWrite;
  private boolean canRead;
  private final Counter counter = new Counter();

  /** Per-iteration rates next to the score. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Rates {
    /** Gigabits of application data read by the client. */
    public double appGbit;
    /** TCP payload megabytes both stacks sent. */
    public double wireMB;
    /** Segments both stacks sent. */
    public long wireSegments;
    /** Simulated seconds that went by. */
    public double simSeconds;

    @Setup(Level.Iteration)
    public void reset() {
      appGbit = 0;
      wireMB = 0;
      wireSegments = 0;
      simSeconds = 0;
    }
  }

  @Setup(Level.Trial)
  public void connect() {
    tls = switch (mode) {
      case "tls" -> true;
      case "tcp" -> false;
      default -> throw new IllegalArgumentException("mode: tls or tcp, not " + mode);
    };
    new Random(42).nextBytes(source);
    net = Topology.twoHosts(1, LINK, b -> b.sendBuffer(BUFFER).receiveBuffer(BUFFER));
    net.setTracing(false);
    Host clientHost = net.host(Topology.CLIENT);
    Host serverHost = net.host(Topology.SERVER);
    clientHost.stack().addObserver(counter);
    serverHost.stack().addObserver(counter);
    TcpListener listener = serverHost.stack().listen(PORT, 16);
    clientSocket = clientHost.stack().connect(serverHost.address(), PORT);
    TlsVersion v = TlsVersion.parse(version);
    if (tls) {
      clientTls = TlsConnection.client(clientSocket, v, 2, null, RstPolicy.DEFER_UNTIL_DELIVERED);
    }
    if (!net.runUntil(() -> listener.pending() > 0, net.now() + 1_000 * MS)) {
      throw new IllegalStateException("TCP handshake failed: client " + clientSocket);
    }
    serverSocket = listener.accept();
    if (tls) {
      serverTls = TlsConnection.server(serverSocket, v, TlsIdentity.generate(1), 1, null,
          RstPolicy.DEFER_UNTIL_DELIVERED);
      serverTls.setListener(new TlsConnection.Listener() {
        @Override
        public void writable(TlsConnection c) {
          canWrite = true;
        }
      });
      clientTls.setListener(new TlsConnection.Listener() {
        @Override
        public void readable(TlsConnection c) {
          canRead = true;
        }
      });
      if (!net.runUntil(() -> clientTls.handshakeComplete() && serverTls.handshakeComplete(),
          net.now() + 1_000 * MS)) {
        throw new IllegalStateException("TLS handshake failed: " + clientTls.failure() + " / "
            + serverTls.failure());
      }
    } else {
      serverSocket.setListener(new SocketListener() {
        @Override
        public void writable(TcpSocket s) {
          canWrite = true;
        }
      });
      clientSocket.setListener(new SocketListener() {
        @Override
        public void readable(TcpSocket s) {
          canRead = true;
        }
      });
      net.run(net.now() + 10 * MS);
    }
    if (clientSocket.state() != TcpState.ESTABLISHED || serverSocket.state() != TcpState.ESTABLISHED) {
      throw new IllegalStateException("not established: " + clientSocket + " / " + serverSocket);
    }
    // Two transfers before anything is measured: out of slow start, buffers grown.
    canWrite = true;
    transfer();
    transfer();
  }

  @Benchmark
  @OperationsPerInvocation(CHUNK_MB)
  public long bulkTransfer(Rates rates) {
    long t0 = net.now();
    long s0 = counter.segments;
    long b0 = counter.payloadBytes;
    long bytes = transfer();
    rates.appGbit += CHUNK * 8 / 1e9;
    rates.wireMB += (counter.payloadBytes - b0) / (double) MB;
    rates.wireSegments += counter.segments - s0;
    rates.simSeconds += (net.now() - t0) / 1e9;
    return bytes;
  }

  /** Runs the network until the client application has read another {@link #CHUNK} bytes. */
  long transfer() {
    target += CHUNK;
    if (!net.runUntil(this::poll, Long.MAX_VALUE)) {
      throw new IllegalStateException("transfer stalled at " + read + " of " + target + ": "
          + clientSocket + " / " + serverSocket
          + (tls ? " / " + clientTls.failure() + " / " + serverTls.failure() : ""));
    }
    return read;
  }

  /** The applications' turn between two events; true when this invocation's share has arrived. */
  private boolean poll() {
    if (canWrite) {
      canWrite = false;
      while (true) {
        int n = Math.min(writeSize, source.length - sourceOffset);
        int slack = tls ? (n / 16384 + 1) * RECORD_SLACK : 0;
        if (serverSocket.writable() < n + slack) break;
        int k = tls ? serverTls.write(source, sourceOffset, n) : serverSocket.write(source, sourceOffset, n);
        sourceOffset += k;
        if (sourceOffset == source.length) sourceOffset = 0;
        if (k < n) break;
      }
    }
    if (canRead) {
      canRead = false;
      int n;
      if (tls) {
        while ((n = clientTls.read(sink, 0, sink.length)) > 0) read += n;
      } else {
        while ((n = clientSocket.read(sink, 0, sink.length)) > 0) read += n;
      }
    }
    return read >= target;
  }

  /** Counts segments and payload bytes leaving both stacks. */
  static final class Counter implements TcpObserver {
    long segments;
    long payloadBytes;

    @Override
    public void segmentSent(InetAddress src, InetAddress dst, Segment segment) {
      segments++;
      payloadBytes += segment.payloadLength();
    }
  }

  /** A quick run without JMH: {@code [tls|tcp] [1.3|1.2] [invocations] [writeSize]}. */
  public static void main(String[] args) {
    TlsBulkBenchmark b = new TlsBulkBenchmark();
    b.mode = args.length > 0 ? args[0] : "tls";
    b.version = args.length > 1 ? args[1] : "1.3";
    int ops = args.length > 2 ? Integer.parseInt(args[2]) : 50;
    b.writeSize = args.length > 3 ? Integer.parseInt(args[3]) : 65536;
    b.connect();
    for (int round = 0; round < 5; round++) {
      Rates r = new Rates();
      long t0 = System.nanoTime();
      for (int i = 0; i < ops; i++) b.bulkTransfer(r);
      double secs = (System.nanoTime() - t0) / 1e9;
      System.out.printf("%s %s: %d x 8 MB in %.2f s: %.1f MB/s (%.3f Gbit/s), wire %.1f MB/s,"
              + " %.0f segments/s, %.2f simulated s/s%n",
          b.mode, b.tls ? b.version : "-", ops, secs, ops * CHUNK_MB / secs, r.appGbit / secs,
          r.wireMB / secs, r.wireSegments / secs, r.simSeconds / secs);
    }
  }
}
