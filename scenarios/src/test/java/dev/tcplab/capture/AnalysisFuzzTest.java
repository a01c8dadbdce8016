package dev.tcplab.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tcplab.capture.tls.NssKeyLog;
import dev.tcplab.sim.pcap.PcapReader;
import dev.tcplab.sim.pcap.PcapRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Damaged packets never break the analysis: the packets of the real captures with random bytes
 * flipped, cut short or shuffled are either analysed or counted as problems, and every connection
 * still gets a report.
 */
class AnalysisFuzzTest {
  private static final String[] FILES = {
    "tls12-graceful.pcap", "tls13-graceful-large.pcap", "tls12-fin-without-close-notify.pcap",
    "receiver-abort-mid-stream.pcap", "both-shutdown.pcap", "active-close-time-wait.pcap",
    "refused-syn-rst.pcap"
  };

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
  void mutatedPacketsAreAnalysedOrCounted(long seed) throws Exception {
    assumeTrue(Captures.LIBPCAP, "libpcap not installed: apt-get install libpcap0.8");
    Random random = new Random(seed);
    String file = FILES[random.nextInt(FILES.length)];
    List<byte[]> packets = new ArrayList<>();
    for (PcapRecord r : PcapReader.readAll(Captures.resource(file))) {
      byte[] d = r.data();
      byte[] ip = java.util.Arrays.copyOfRange(d, 14, d.length);
      switch (random.nextInt(4)) {
        case 0 -> {
          for (int i = random.nextInt(8); i >= 0; i--) {
            if (ip.length > 0) ip[random.nextInt(ip.length)] ^= (byte) (1 + random.nextInt(255));
          }
        }
        case 1 -> ip = java.util.Arrays.copyOf(ip, random.nextInt(ip.length + 1));
        case 2 -> java.util.Collections.shuffle(packets, random);
        default -> { }
      }
      packets.add(ip);
    }
    List<ConnectionReport> reports = new ArrayList<>();
    CaptureAnalysis a = CaptureAnalysis.withTls(reports::add,
        NssKeyLog.read(Captures.resource("keylog.txt")));
    long n = 0;
    for (byte[] p : packets) a.packet(++n, n * 1000, p, 0, p.length);
    a.finish();
    assertThat(a.packets()).isEqualTo(packets.size());
    assertThat(a.tcpPackets() + a.problemCount() + a.otherPackets()).isEqualTo(packets.size());
    assertThat(reports).hasSize(a.connections());
    for (ConnectionReport r : reports) assertThat(r.verdict()).isNotBlank();
  }
}
