package dev.tcplab.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tcplab.sim.LinkConfig;
import dev.tcplab.sim.LossModel;
import dev.tcplab.sim.Network;
import dev.tcplab.sim.Outputs;
import dev.tcplab.sim.Topology;
import dev.tcplab.sim.trace.TraceEvent;
import dev.tcplab.tls.scenario.ServerEnding;
import dev.tcplab.tls.scenario.TlsTransfer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A TLS run is as repeatable as a TCP one (seeded TLS randoms, keys and signatures), and what it
 * writes is a capture Wireshark decrypts with the run's NSS key log: the server's close_notify is on
 * the wire under DEFER_UNTIL_DELIVERED and missing under IMMEDIATE.
 */
@Timeout(60)
class TlsDeterminismAndTsharkTest {
  private static final long MS = 1_000_000L;
  private static final long S = 1_000 * MS;
  private static final String SERVER_ADDRESS = "10.0.0.2";
  private static final String CLIENT_ADDRESS = "10.0.0.1";
  /** Loss and reordering both ways, so that the seed has something to decide. */
  private static final LinkConfig LOSSY = LinkConfig.builder().delay(10 * MS).bandwidth(10_000_000L)
      .loss(new LossModel.Bernoulli(0.02)).reordering(0.05, 3 * MS).build();

  @TempDir Path dir;

  /** The files of one run. */
  private record Run(TlsTransfer.Result result, Path pcap, Path text, Path json, Path keys) {}

  private Run run(TlsTransfer t, String name) throws IOException {
    Network net = t.network();
    Path pcap = dir.resolve(name + ".pcap");
    Path text = dir.resolve(name + ".txt");
    Path json = dir.resolve(name + ".jsonl");
    Path keys = dir.resolve(name + ".keys");
    try (Outputs out = new Outputs().pcap(pcap).traceText(text).traceJson(json)) {
      out.attach(net, net.host(Topology.CLIENT));
      TlsTransfer.Result r = t.run(net);
      assertThat(r.finished()).as(r.outcome()).isTrue();
      assertThat(out.write(net)).containsExactly(pcap, text, json);
      r.keyLog().write(keys);
      return new Run(r, pcap, text, json, keys);
    }
  }

  private static TlsTransfer transfer(long seed, TlsVersion v, RstPolicy p) {
    return new TlsTransfer(seed, LOSSY, v, p, ServerEnding.ABORT_AFTER_CLOSE_NOTIFY, 150_000,
        540_000, 600 * S);
  }

  static Stream<Arguments> versionsAndPolicies() {
    return Stream.of(TlsVersion.values())
        .flatMap(v -> Stream.of(RstPolicy.values()).map(p -> Arguments.of(v, p)));
  }

  // ---------------------------------------------------------------------------------------------
  // determinism

  @ParameterizedTest(name = "{0}")
  @EnumSource(TlsVersion.class)
  void theSameSeedGivesByteIdenticalPcapsTracesAndKeyLogs(TlsVersion v) throws IOException {
    // Rule: every random choice, TLS included (randoms, key shares, signatures), comes from the seed, so one seed gives one run, byte for byte.
    Run a = run(transfer(7, v, RstPolicy.DEFER_UNTIL_DELIVERED), "a");
    Run b = run(transfer(7, v, RstPolicy.DEFER_UNTIL_DELIVERED), "b");
    // Not vacuous: the link did drop and reorder, and TLS records went over it.
    assertThat(a.result().network().trace().events(TraceEvent.Kind.DROPPED)).isNotEmpty();
    assertThat(a.result().clientReadEverything()).isTrue();
    assertThat(Files.size(a.pcap())).isGreaterThan(150_000);

    assertThat(Files.readAllBytes(b.pcap())).isEqualTo(Files.readAllBytes(a.pcap()));
    assertThat(Files.readAllBytes(b.text())).isEqualTo(Files.readAllBytes(a.text()));
    assertThat(Files.readAllBytes(b.json())).isEqualTo(Files.readAllBytes(a.json()));
    assertThat(Files.readString(b.keys())).isEqualTo(Files.readString(a.keys())).isNotEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(TlsVersion.class)
  void aDifferentSeedGivesADifferentRun(TlsVersion v) throws IOException {
    // Rule: the seed is really used: another seed changes the capture, the trace and the TLS secrets.
    Run a = run(transfer(7, v, RstPolicy.DEFER_UNTIL_DELIVERED), "a");
    Run c = run(transfer(8, v, RstPolicy.DEFER_UNTIL_DELIVERED), "c");
    assertThat(Files.readAllBytes(c.pcap())).isNotEqualTo(Files.readAllBytes(a.pcap()));
    assertThat(Files.readAllLines(c.text())).isNotEqualTo(Files.readAllLines(a.text()));
    assertThat(Files.readString(c.keys())).isNotEqualTo(Files.readString(a.keys()));
    // Both runs still delivered everything.
    assertThat(c.result().clientReadEverything()).isTrue();
  }

  // ---------------------------------------------------------------------------------------------
  // tshark

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("versionsAndPolicies")
  void tsharkFindsTheServersCloseNotifyOnlyWhenTheRstWasDeferred(TlsVersion v, RstPolicy p)
      throws IOException {
    // Rule: the PH01192 difference is visible on the wire: the server's close_notify alert reaches the client only under DEFER_UNTIL_DELIVERED.
    assumeTrue(Tshark.available(), Tshark.MISSING);
    Run r = run(TlsTransfer.ph01192(p).withVersion(v), "ph01192");
    String keyLog = "tls.keylog_file:" + r.keys();

    List<String> alerts = Tshark.run("-n", "-r", r.pcap().toString(), "-o", keyLog,
        "-Y", "tls.alert_message.desc == 0", "-T", "fields", "-e", "frame.number", "-e", "ip.src");
    List<String> serverResets = Tshark.run("-n", "-r", r.pcap().toString(),
        "-Y", "tcp.flags.reset == 1 && ip.src == " + SERVER_ADDRESS, "-T", "fields",
        "-e", "frame.number");
    assertThat(serverResets).isNotEmpty(); // both policies end with a RST
    int firstReset = Integer.parseInt(serverResets.get(0).trim());
    if (p == RstPolicy.DEFER_UNTIL_DELIVERED) {
      List<String> fromServer = alerts.stream().filter(l -> l.endsWith("\t" + SERVER_ADDRESS)).toList();
      assertThat(fromServer).as("the server's close_notify, decrypted: %s", alerts).hasSize(1);
      assertThat(Integer.parseInt(fromServer.get(0).split("\t")[0]))
          .as("close_notify before the RST").isLessThan(firstReset);
      // The client's answer is there too.
      assertThat(alerts).anyMatch(l -> l.endsWith("\t" + CLIENT_ADDRESS));
    } else {
      assertThat(alerts).as("the server's close_notify was discarded with its queue").isEmpty();
    }
    // Without the key log, no alert can be read at all: the finding above is the decryption's.
    assertThat(Tshark.run("-n", "-r", r.pcap().toString(), "-Y", "tls.alert_message.desc == 0",
        "-T", "fields", "-e", "frame.number")).isEmpty();
  }

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("versionsAndPolicies")
  void tsharkDecryptsTheApplicationDataWithTheKeyLog(TlsVersion v, RstPolicy p) throws IOException {
    // Rule: the NSS key log written by KeyLog lets Wireshark decrypt the application data: the request as HTTP, every complete response record.
    assumeTrue(Tshark.available(), Tshark.MISSING);
    Run r = run(TlsTransfer.ph01192(p).withVersion(v), "ph01192");
    String keyLog = "tls.keylog_file:" + r.keys();

    List<String> requests = Tshark.run("-n", "-r", r.pcap().toString(), "-o", keyLog,
        "-Y", "http.request", "-T", "fields", "-e", "ip.src", "-e", "http.request.method",
        "-e", "http.request.uri");
    assertThat(requests).containsExactly(CLIENT_ADDRESS + "\tGET\t/large");
    assertThat(Tshark.run("-n", "-r", r.pcap().toString(), "-Y", "http.request")).isEmpty();

    // Decrypted application-data records (tls.app_data_proto names what they carry).
    List<String> records = Tshark.run("-n", "-r", r.pcap().toString(), "-o", keyLog,
        "-Y", "tls.app_data_proto", "-T", "fields", "-e", "ip.src", "-e", "tls.app_data_proto");
    long fromServer = records.stream().filter(l -> l.startsWith(SERVER_ADDRESS + "\t"))
        .mapToLong(l -> l.split("\t")[1].split(",").length).sum();
    // 150 000 bytes are 10 records; IMMEDIATE discarded them before one was complete on the wire.
    assertThat(fromServer).as(String.join("\n", records))
        .isEqualTo(p == RstPolicy.DEFER_UNTIL_DELIVERED ? 10 : 0);
  }
}
