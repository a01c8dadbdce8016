package dev.tcplab.capture;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tcplab.sim.pcap.PcapReader;
import dev.tcplab.sim.pcap.PcapRecord;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import dev.tcplab.capture.tls.NssKeyLog;
import org.pcap4j.core.Pcaps;

/** Test captures from the resources, read and analysed. */
final class Captures {
  static final boolean LIBPCAP = libpcapLoads();

  private Captures() {}

  static Path resource(String name) throws Exception {
    URL url = Captures.class.getResource("/captures/" + name);
    if (url == null) throw new IllegalArgumentException("no test resource captures/" + name);
    return Path.of(url.toURI());
  }

  /** Every connection of an Ethernet capture. */
  static List<ConnectionReport> analyze(Path file) throws Exception {
    return analyze(file, 14);
  }

  /** Every connection of a capture whose link header is {@code linkHeader} bytes long. */
  static List<ConnectionReport> analyze(Path file, int linkHeader) throws Exception {
    List<ConnectionReport> reports = new ArrayList<>();
    feed(file, linkHeader, a -> {}, reports);
    return reports;
  }

  /** Analyses {@code file}, with {@code setup} applied to the analysis first. */
  static void feed(Path file, int linkHeader, java.util.function.Consumer<CaptureAnalysis> setup)
      throws Exception {
    feed(file, linkHeader, setup, new ArrayList<>());
  }

  /** Every connection of an Ethernet capture, TLS followed with {@code keys}. */
  static List<ConnectionReport> analyzeTls(Path file, NssKeyLog keys) throws Exception {
    List<ConnectionReport> reports = new ArrayList<>();
    feed(file, 14, CaptureAnalysis.withTls(reports::add, keys), a -> {});
    return reports;
  }

  private static void feed(Path file, int linkHeader,
      java.util.function.Consumer<CaptureAnalysis> setup, List<ConnectionReport> reports)
      throws Exception {
    feed(file, linkHeader, CaptureAnalysis.tcpOnly(reports::add), setup);
  }

  static void feed(Path file, int linkHeader, CaptureAnalysis a,
      java.util.function.Consumer<CaptureAnalysis> setup) throws Exception {
    assumeTrue(LIBPCAP, "libpcap not installed: apt-get install libpcap0.8");
    setup.accept(a);
    long n = 0;
    for (PcapRecord r : PcapReader.readAll(file)) {
      byte[] d = r.data();
      a.packet(++n, r.timeNanos(), d, linkHeader, d.length - linkHeader);
    }
    a.finish();
  }

  private static boolean libpcapLoads() {
    try {
      Pcaps.libVersion();
      return true;
    } catch (LinkageError e) {
      return false;
    }
  }
}
