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
import dev.tcplab.sim.Outputs;
import dev.tcplab.sim.Topology;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A bulk transfer through the whole simulator ({@code stack-sim}): {@link Topology#twoHosts} over a 10
 * Gbit/s link with 1 ms one-way delay and a 10 000-packet queue, both directions; 16 MiB send and
 * receive buffers by default ({@link #buffer}; the bandwidth-delay product is 10 Gbit/s × 2 ms = 2.5
 * MB); the trace off. Every segment is encoded into an IPv4 packet with checksums, serialised and
 * delayed by the link, decoded by the receiver, as in any simulation.
 *
 * <p>One persistent connection; one invocation moves {@value #CHUNK} bytes (64 MiB) from the client
 * application to the server application. The applications behave like poll() loops: the socket
 * listeners only set flags, and between two events of the loop (the {@code runUntil} condition) the
 * client writes {@value #WRITE}-byte pieces while its send buffer has room for a whole one (much as
 * Linux reports a socket writable only once a good part of its buffer is free), and the server reads
 * whatever is there. The client never stops writing, so the pipe stays full from one invocation
 * to the next; whatever the server reads beyond an invocation's share counts for the next one.
 *
 * <p>Figures:
 *
 * <ul>
 *   <li>the primary score is <b>simulated bytes per wall-clock second</b> ({@code
 *       @OperationsPerInvocation(CHUNK)}: one op = one byte delivered to the server application);
 *   <li>{@code simGbit}: the same as simulated gigabits per wall second (bytes × 8 / 10^9);
 *   <li>{@code simSeconds}: simulated seconds per wall second (how much faster than real time);
 *   <li>{@code wireSegments}: segments both stacks sent per wall second (data and ACKs).
 * </ul>
 *
 * <p>{@code pcap}: {@code off}; {@code file}, every packet the client sends or receives written by
 * {@link Outputs#pcap} (pcap4j and libpcap) to a temporary file (a new file each iteration, deleted
 * after it); {@code null}, the same into {@code /dev/null} (the cost without the file system); {@code
 * java}, for comparison, the same records written by {@link JavaPcap}, a few lines of plain Java with
 * a buffered stream, to a temporary file. The default runs {@code off} and {@code file} one after the
 * other: the ratio of their scores is the cost of writing pcap (target: at most 2). The quick {@link
 * #main} with mode {@code compare} alternates the two in one JVM and prints the ratio.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class SimBulkTransferBenchmark {
  static final int CHUNK = 64 * 1024 * 1024;
  static final int WRITE = 64 * 1024;
  static final int PORT = 5001;
  static final long MS = 1_000_000L;
  static final LinkConfig LINK =
      LinkConfig.builder().delay(1 * MS).bandwidth(10_000_000_000L).queue(10_000).build();

  /**
   * Send and receive buffer of both stacks, bytes: 16 MiB by default; anything from 4 MiB covers the
   * bandwidth-delay product (2.5 MB). The client keeps its buffer full, so the link's queue holds what
   * the receive window allows beyond the BDP: the larger the buffer, the more packets are in flight.
   */
  @Param({"16777216"})
  public int buffer;

  /** off; file (a temporary file) or null (/dev/null) through Outputs.pcap; java (JavaPcap). */
  @Param({"off", "file"})
  public String pcap;

  private Network net;
  private Host clientHost;
  private TcpSocket client;
  private TcpSocket server;
  private final byte[] source = new byte[1024 * 1024];
  private final byte[] sink = new byte[256 * 1024];
  private int sourceOffset;
  private long read;
  private long target;
  private boolean canWrite;
  private boolean canRead;
  private final Counter counter = new Counter();
  private AutoCloseable capture;
  private Path pcapFile;

  /** Per-iteration rates next to the score. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Rates {
    /** Simulated gigabits delivered to the server application. */
    public double simGbit;
    /** Simulated seconds that went by. */
    public double simSeconds;
    /** Segments both stacks sent. */
    public long wireSegments;

    @Setup(Level.Iteration)
    public void reset() {
      simGbit = 0;
      simSeconds = 0;
      wireSegments = 0;
    }
  }

  @Setup(Level.Trial)
  public void connect() {
    new Random(42).nextBytes(source);
    net = Topology.twoHosts(1, LINK, b -> b.sendBuffer(buffer).receiveBuffer(buffer));
    net.setTracing(false);
    clientHost = net.host(Topology.CLIENT);
    Host serverHost = net.host(Topology.SERVER);
    clientHost.stack().addObserver(counter);
    serverHost.stack().addObserver(counter);
    TcpListener listener = serverHost.stack().listen(PORT, 16);
    client = clientHost.stack().connect(serverHost.address(), PORT);
    client.setListener(new SocketListener() {
      @Override
      public void writable(TcpSocket s) {
        canWrite = true;
      }
    });
    net.runUntil(() -> client.state() == TcpState.ESTABLISHED, net.now() + 1_000 * MS);
    net.run(net.now() + 10 * MS); // the server's side of the handshake
    server = listener.accept();
    if (server == null || client.state() != TcpState.ESTABLISHED) {
      throw new IllegalStateException("handshake failed: client " + client);
    }
    server.setListener(new SocketListener() {
      @Override
      public void readable(TcpSocket s) {
        canRead = true;
      }
    });
    canWrite = true;
    // Out of slow start before anything is measured.
    transfer();
  }

  @Setup(Level.Iteration)
  public void startCapture() throws IOException {
    switch (pcap) {
      case "off" -> {
        return;
      }
      case "file", "java" -> pcapFile = Files.createTempFile("tcplab-bench", ".pcap");
      case "null" -> pcapFile = Path.of("/dev/null");
      default -> throw new IllegalArgumentException("pcap: off, file, null or java, not " + pcap);
    }
    if (pcap.equals("java")) {
      JavaPcap w = new JavaPcap(pcapFile);
      net.capture(clientHost, w);
      capture = w;
    } else {
      Outputs outputs = new Outputs().pcap(pcapFile);
      outputs.attach(net, clientHost);
      capture = outputs;
    }
  }

  @TearDown(Level.Iteration)
  public void stopCapture() throws Exception {
    if (capture == null) return;
    // The tap stays installed but writes nothing more: the next iteration replaces it.
    net.capture(clientHost, (t, h, bytes) -> {});
    capture.close();
    capture = null;
    if (!pcapFile.toString().equals("/dev/null")) Files.deleteIfExists(pcapFile);
  }

  @Benchmark
  @OperationsPerInvocation(CHUNK)
  public long bulkTransfer(Rates rates) {
    long t0 = net.now();
    long s0 = counter.sent;
    long bytes = transfer();
    rates.simGbit += CHUNK * 8 / 1e9;
    rates.simSeconds += (net.now() - t0) / 1e9;
    rates.wireSegments += counter.sent - s0;
    return bytes;
  }

  /** Runs the network until the server application has read another {@link #CHUNK} bytes. */
  private long transfer() {
    target += CHUNK;
    if (!net.runUntil(this::poll, Long.MAX_VALUE)) {
      throw new IllegalStateException("transfer stalled at " + read + " of " + target + ": " + client
          + " / " + server);
    }
    return read;
  }

  /** The applications' turn between two events; true when this invocation's share has arrived. */
  private boolean poll() {
    if (canWrite) {
      canWrite = false;
      while (client.writable() >= WRITE) {
        sourceOffset += client.write(source, sourceOffset, WRITE);
        if (sourceOffset == source.length) sourceOffset = 0;
      }
    }
    if (canRead) {
      canRead = false;
      int n;
      while ((n = server.read(sink, 0, sink.length)) > 0) read += n;
    }
    return read >= target;
  }

  /**
   * The file {@link Outputs#pcap} writes (classic pcap, nanosecond magic, LINKTYPE_RAW, machine byte
   * order, no wall-clock time in the header), in plain Java: 16 bytes of record header and the packet
   * into a buffered stream, no native call and nothing allocated per packet.
   */
  static final class JavaPcap implements Network.PacketTap, Closeable {
    private final OutputStream out;
    private final ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.nativeOrder());

    JavaPcap(Path file) throws IOException {
      out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
      header.putInt(0xa1b23c4d).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
          .putInt(65535).putInt(101);
      out.write(header.array(), 0, 24);
    }

    @Override
    public void packet(long timeNanos, Host host, byte[] bytes) {
      header.clear();
      header.putInt((int) (timeNanos / 1_000_000_000L)).putInt((int) (timeNanos % 1_000_000_000L))
          .putInt(bytes.length).putInt(bytes.length);
      try {
        out.write(header.array(), 0, 16);
        out.write(bytes);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }

  /** Counts segments leaving both stacks. */
  static final class Counter implements TcpObserver {
    long sent;

    @Override
    public void segmentSent(InetAddress src, InetAddress dst, Segment segment) {
      sent++;
    }
  }

  /**
   * A quick run without JMH: {@code [invocations] [off|file|null|java|compare] [buffer]}; {@code
   * compare} alternates off and file, five rounds each, and prints the ratio of the best rounds.
   */
  public static void main(String[] args) throws Exception {
    SimBulkTransferBenchmark b = new SimBulkTransferBenchmark();
    int ops = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    String mode = args.length > 1 ? args[1] : "off";
    boolean compare = mode.equals("compare");
    b.pcap = compare ? "off" : mode;
    b.buffer = args.length > 2 ? Integer.parseInt(args[2]) : 16 * 1024 * 1024;
    b.connect();
    double bestOff = 0;
    double bestFile = 0;
    for (int round = 0; round < (compare ? 10 : 3); round++) {
      if (compare) b.pcap = round % 2 == 0 ? "off" : "file";
      b.startCapture();
      Rates r = new Rates();
      long t0 = System.nanoTime();
      for (int i = 0; i < ops; i++) b.bulkTransfer(r);
      double secs = (System.nanoTime() - t0) / 1e9;
      b.stopCapture();
      System.out.printf(
          "pcap %s: %d x 64 MiB in %.2f s: %.2f simulated Gbit/s per wall second, %.2f simulated s/s,"
              + " %.0f segments/s, %.2f segments per data segment%n",
          b.pcap, ops, secs, r.simGbit / secs, r.simSeconds / secs, r.wireSegments / secs,
          r.wireSegments / (ops * (double) CHUNK / 1448));
      if (b.pcap.equals("off")) bestOff = Math.max(bestOff, r.simGbit / secs);
      if (b.pcap.equals("file")) bestFile = Math.max(bestFile, r.simGbit / secs);
    }
    if (compare) {
      System.out.printf("best off %.2f, best file %.2f simulated Gbit/s: pcap costs %.2fx%n",
          bestOff, bestFile, bestOff / bestFile);
    }
  }
}
