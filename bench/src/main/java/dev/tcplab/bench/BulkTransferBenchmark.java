package dev.tcplab.bench;

import dev.tcplab.core.tcp.TcpListener;
import dev.tcplab.core.tcp.TcpSocket;
import dev.tcplab.core.tcp.TcpState;
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
 * Bulk transfer between two stacks on one thread: client to server over an in-memory link with no
 * delay, MSS 1460, 4 MiB buffers, TCP_NODELAY. One invocation moves {@link #SEGMENTS_PER_CHUNK} full
 * segments' worth of bytes ({@value #CHUNK} bytes, 1.43 MiB) and returns when the server application
 * has read all of it: the client writes as much as its send buffer takes ({@link #writeSize} bytes per
 * call), the clock runs what is due (zero delay: deliveries and the ACKs they trigger), the server
 * reads everything into one reusable array; only when nothing moved does the clock jump to the next
 * timer (a delayed ACK).
 *
 * <p>Figures it reports:
 *
 * <ul>
 *   <li>the primary score is <b>data segments per second</b> ({@code @OperationsPerInvocation(1024)}:
 *       one op = one full-sized data segment), so {@code gc.alloc.rate.norm} from {@code -prof gc} is
 *       <b>bytes allocated per data segment</b>, everything both ends did for it included (its ACK
 *       share, the link, the queues; and the send-queue copy of its 1460 payload bytes);
 *   <li>{@code wireSegments}: every segment both stacks sent (data, ACKs, window updates) per second,
 *       counted by a {@code TcpObserver} on each stack ({@code segmentSent});
 *   <li>{@code dataSegments}: the segments with payload per second, a check that it matches the score.
 * </ul>
 *
 * <p>B per wire segment = gc.alloc.rate.norm * score / wireSegments.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class BulkTransferBenchmark {
  static final int MSS = 1460;
  static final int SEGMENTS_PER_CHUNK = 1024;
  static final int CHUNK = SEGMENTS_PER_CHUNK * MSS;
  static final int BUFFER = 4 * 1024 * 1024;

  /**
   * Bytes per {@code write()} call. 64240 (44 full segments) is an application writing in 64 KB pieces
   * aligned to the MSS; 1495040 writes the whole chunk at once (one 1.43 MiB send-queue chunk, a
   * humongous object for G1). Both keep one op = 1024 full-sized data segments. Unaligned sizes such as
   * {@code -p writeSize=65536} work too, but then a write may end in a short segment (TCP_NODELAY) and a
   * segment straddling two chunks is gathered into a copy: check {@code dataSegments} against the score.
   */
  @Param({"64240", "1495040"})
  public int writeSize;

  private BenchNet net;
  private TcpSocket client;
  private TcpSocket server;
  private final byte[] source = new byte[CHUNK];
  private final byte[] sink = new byte[256 * 1024];
  private long segmentsAtStart;
  private long dataSegmentsAtStart;

  /** Wire segments counted per iteration, reported as rates next to the score. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Segments {
    /** Every segment either stack sent (data, ACKs, window updates). */
    public long wireSegments;
    /** Segments with payload (client to server). */
    public long dataSegments;

    @Setup(Level.Iteration)
    public void reset() {
      wireSegments = 0;
      dataSegments = 0;
    }
  }

  @Setup(Level.Trial)
  public void connect() {
    new Random(42).nextBytes(source);
    net = new BenchNet(0, MSS, BUFFER, BUFFER);
    TcpListener listener = net.server.listen(80, 16);
    client = net.client.connect(BenchNet.SERVER_ADDR, 80, 0, s -> {
      s.setReceiveBufferSize(BUFFER);
      s.setSendBufferSize(BUFFER);
      s.setNoDelay(true);
    });
    net.clock.advanceBy(10 * BenchNet.MS);
    server = listener.accept();
    if (server == null || client.state() != TcpState.ESTABLISHED) {
      throw new IllegalStateException("handshake failed: client " + client.state());
    }
    server.setNoDelay(true);
    // One transfer so that the first measured one does not pay for slow start from IW10.
    transfer();
  }

  @Benchmark
  @OperationsPerInvocation(SEGMENTS_PER_CHUNK)
  public long bulkTransfer(Segments counters) {
    long seg0 = net.segmentsSent();
    long data0 = net.dataSegmentsSent();
    long bytes = transfer();
    counters.wireSegments += net.segmentsSent() - seg0;
    counters.dataSegments += net.dataSegmentsSent() - data0;
    return bytes;
  }

  /** Writes {@link #CHUNK} bytes into the client and runs the network until the server read them all. */
  private long transfer() {
    int written = 0;
    long read = 0;
    while (read < CHUNK) {
      int w = 0;
      while (written < CHUNK) {
        int k = client.write(source, written, Math.min(writeSize, CHUNK - written));
        if (k == 0) break;
        written += k;
        w += k;
      }
      net.clock.runDue();
      int n;
      boolean progress = w > 0;
      while ((n = server.read(sink, 0, sink.length)) > 0) {
        read += n;
        progress = true;
      }
      if (!progress && !net.clock.runNext(Long.MAX_VALUE)) {
        // Nothing written, nothing arrived and no timer left: the connection is stuck.
        throw new IllegalStateException(
            "transfer stalled at " + read + " of " + CHUNK + ": " + client + " / " + server);
      }
    }
    return read;
  }

  /** A quick run without JMH: prints segments per op and a rough rate. */
  public static void main(String[] args) {
    BulkTransferBenchmark b = new BulkTransferBenchmark();
    b.writeSize = args.length > 1 ? Integer.parseInt(args[1]) : 64240;
    b.connect();
    Segments s = new Segments();
    long t0 = System.nanoTime();
    int ops = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    for (int i = 0; i < ops; i++) b.bulkTransfer(s);
    double secs = (System.nanoTime() - t0) / 1e9;
    System.out.printf(
        "%d transfers in %.2f s: %.1f wire segments per transfer (%.1f with data), %.0f wire segments/s%n",
        ops, secs, (double) s.wireSegments / ops, (double) s.dataSegments / ops, s.wireSegments / secs);
  }
}
