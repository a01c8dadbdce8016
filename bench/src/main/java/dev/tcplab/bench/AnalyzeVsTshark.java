package dev.tcplab.bench;

import dev.tcplab.capture.CaptureAnalysis;
import dev.tcplab.capture.CaptureInput;
import dev.tcplab.capture.tls.NssKeyLog;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * {@code tcplab analyze} against {@code tshark -q -z conv,tcp} on the same capture, in one run: the
 * capture of {@link CaptureGenerator#cached} (a million packets of simulated request/response
 * conversations by default), analysed as the command line does (TCP and TLS followed, reports
 * built and dropped), then read by tshark. Prints packets per wall second of each and the ratio,
 * the most connections held at once, and the heap's peak after the analysis compared with a file
 * half the size (memory follows the open connections, not the file).
 *
 * <p>{@code java -cp bench/target/benchmarks.jar dev.tcplab.bench.AnalyzeVsTshark [PACKETS]}
 */
public final class AnalyzeVsTshark {
  private AnalyzeVsTshark() {}

  public static void main(String[] args) throws Exception {
    long packets = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
    Path file = CaptureGenerator.cached(packets, 1);
    Path half = CaptureGenerator.cached(packets / 2, 1);
    System.out.printf("capture: %s (%,d packets, %,d bytes)%n", file, packets, file.toFile().length());

    long[] held = new long[1];
    analyse(file, held); // warm-up
    analyse(half, held);
    double[] ours = new double[3];
    for (int i = 0; i < ours.length; i++) ours[i] = analyse(file, held);
    Arrays.sort(ours);
    double rate = packets / ours[1];
    System.out.printf("tcplab analyze: %.2f s (median of %d) = %,.0f packets/s; at most %,d"
        + " connections held%n", ours[1], ours.length, rate, held[0]);

    long peakHalf = peakHeapAfter(half, held);
    long peakWhole = peakHeapAfter(file, held);
    System.out.printf("heap peak while analysing: %,d bytes for %,d packets, %,d bytes for %,d%n",
        peakHalf, packets / 2, peakWhole, packets);

    double tshark = tshark(file);
    if (tshark < 0) {
      System.out.println("tshark: not installed (apt-get install tshark), no ratio");
    } else {
      System.out.printf("tshark -q -z conv,tcp: %.2f s = %,.0f packets/s; tcplab analyze is %.1fx"
          + " faster%n", tshark, packets / tshark, tshark / ours[1]);
    }
  }

  /** Seconds to analyse {@code file}; {@code held} keeps the most connections held at once. */
  private static double analyse(Path file, long[] held) throws IOException {
    long[] reports = new long[1];
    CaptureAnalysis a = CaptureAnalysis.withTls(r -> reports[0]++, NssKeyLog.empty());
    long t0 = System.nanoTime();
    String error = CaptureInput.feed(file, a, (read, size, n) ->
        held[0] = Math.max(held[0], a.openConnections()));
    double s = (System.nanoTime() - t0) / 1e9;
    if (error != null) throw new IllegalStateException(error);
    if (reports[0] != a.connections()) throw new IllegalStateException("reports lost");
    return s;
  }

  private static long peakHeapAfter(Path file, long[] held) throws IOException {
    System.gc();
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) p.resetPeakUsage();
    }
    analyse(file, held);
    long peak = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) peak += p.getPeakUsage().getUsed();
    }
    return peak;
  }

  /** Seconds tshark takes, or -1 without tshark. */
  private static double tshark(Path file) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("tshark", "-q", "-z", "conv,tcp", "-r", file.toString())
        .redirectErrorStream(true)
        .redirectOutput(new File("/dev/null"));
    long t0 = System.nanoTime();
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      return -1;
    }
    if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException("tshark failed on " + file);
    }
    return (System.nanoTime() - t0) / 1e9;
  }
}
