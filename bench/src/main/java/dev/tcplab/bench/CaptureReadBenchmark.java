package dev.tcplab.bench;

import dev.tcplab.sim.pcap.CaptureReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reading a capture of a million packets ({@link CaptureGenerator#cached}: about 15 000 simulated
 * TCP conversations, 0.84 GB, raw IP) through {@link CaptureReader}: one invocation reads the whole
 * file; the score is <b>records per second</b>. The file stays in the page cache between
 * invocations, so this is the cost of libpcap, the JNI call, the copy and the link-layer decoding,
 * not of the disk.
 *
 * <ul>
 *   <li>{@code records}: every record, its timestamp and the IP packet's offset and length;
 *   <li>{@code tcpHeaders}: the same, plus the fields a conversation table needs, read by hand from
 *       the IPv4/IPv6 and TCP headers (addresses, ports, flags, sequence number, payload length)
 *       — a lower bound on an analyzer's per-packet cost.
 * </ul>
 *
 * <p>For comparison, {@code tshark -q -z conv,tcp -r FILE} on the same file (see the README's
 * performance table).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class CaptureReadBenchmark {
  static final int PACKETS = 1_000_000;

  private Path file;

  @Setup(Level.Trial)
  public void file() throws IOException {
    file = CaptureGenerator.cached(PACKETS, 1);
  }

  @Benchmark
  @OperationsPerInvocation(PACKETS)
  public long records() {
    long sum = 0;
    try (CaptureReader r = CaptureReader.open(file)) {
      while (r.next()) sum += r.timeNanos() + r.ipOffset() + r.ipLength();
      check(r);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sum;
  }

  @Benchmark
  @OperationsPerInvocation(PACKETS)
  public long tcpHeaders() {
    long sum = 0;
    try (CaptureReader r = CaptureReader.open(file)) {
      while (r.next()) {
        int len = r.ipLength();
        if (len < 20) continue;
        byte[] b = r.buffer();
        int ip = r.ipOffset();
        int tcp;
        long addresses;
        int payload;
        if (r.ipVersion() == 4) {
          int ihl = (b[ip] & 0xf) * 4;
          if (b[ip + 9] != 6 || len < ihl + 20) continue;
          tcp = ip + ihl;
          addresses = (long) int32(b, ip + 12) << 32 | (int32(b, ip + 16) & 0xffffffffL);
          payload = u16(b, ip + 2) - ihl;
        } else {
          if (b[ip + 6] != 6 || len < 60) continue;
          tcp = ip + 40;
          addresses = int32(b, ip + 20) ^ int32(b, ip + 36);
          payload = u16(b, ip + 4);
        }
        int ports = int32(b, tcp);
        int seq = int32(b, tcp + 4);
        int flags = b[tcp + 13];
        payload -= ((b[tcp + 12] & 0xf0) >>> 4) * 4;
        sum += addresses + ports + seq + flags + payload;
      }
      check(r);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sum;
  }

  private static void check(CaptureReader r) throws IOException {
    if (r.error() != null) throw r.error();
    if (r.packetNumber() != PACKETS) {
      throw new IllegalStateException(r.packetNumber() + " records, expected " + PACKETS);
    }
  }

  private static int int32(byte[] b, int at) {
    return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | b[at + 3] & 0xff;
  }

  private static int u16(byte[] b, int at) {
    return (b[at] & 0xff) << 8 | b[at + 1] & 0xff;
  }

  /** A quick run without JMH: reads the file {@code rounds} times (default 5) and prints rates. */
  public static void main(String[] args) throws IOException {
    CaptureReadBenchmark b = new CaptureReadBenchmark();
    b.file();
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    for (int i = 0; i < rounds; i++) {
      long t0 = System.nanoTime();
      long s = b.records();
      double secs = (System.nanoTime() - t0) / 1e9;
      long t1 = System.nanoTime();
      s += b.tcpHeaders();
      double secs2 = (System.nanoTime() - t1) / 1e9;
      System.out.printf("records: %.2f M/s (%.0f ns each); with TCP header fields: %.2f M/s [%d]%n",
          PACKETS / secs / 1e6, secs * 1e9 / PACKETS, PACKETS / secs2 / 1e6, s & 1);
    }
  }
}
