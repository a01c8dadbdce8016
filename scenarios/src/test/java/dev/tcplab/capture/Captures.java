package dev.tcplab.capture;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tcplab.capture.tls.NssKeyLog;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import dev.tcplab.sim.pcap.PcapReader;

/** Test captures from the resources, read through {@link CaptureInput} and analysed. */
final class Captures {
  static final boolean LIBPCAP = PcapReader.libpcapAvailable();

  private Captures() {}

  static Path resource(String name) throws Exception {
    URL url = Captures.class.getResource("/captures/" + name);
    if (url == null) throw new IllegalArgumentException("no test resource captures/" + name);
    return Path.of(url.toURI());
  }

  /** Every connection of a capture, plain TCP. */
  static List<ConnectionReport> analyze(Path file) throws Exception {
    List<ConnectionReport> reports = new ArrayList<>();
    feed(file, CaptureAnalysis.tcpOnly(reports::add), a -> {});
    return reports;
  }

  /** Every connection of a capture, TLS followed with {@code keys}. */
  static List<ConnectionReport> analyzeTls(Path file, NssKeyLog keys) throws Exception {
    List<ConnectionReport> reports = new ArrayList<>();
    feed(file, CaptureAnalysis.withTls(reports::add, keys), a -> {});
    return reports;
  }

  /** Reads {@code file} into {@code a}, with {@code setup} applied first; the file must be whole. */
  static void feed(Path file, CaptureAnalysis a, Consumer<CaptureAnalysis> setup)
      throws Exception {
    assumeTrue(LIBPCAP, "libpcap not installed: apt-get install libpcap0.8");
    setup.accept(a);
    String error = CaptureInput.feed(file, a, CaptureInput.Progress.NONE);
    if (error != null) throw new AssertionError(error);
  }

}
