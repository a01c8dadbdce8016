package dev.tcplab.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tcplab.core.tcp.Profile;
import dev.tcplab.core.tcp.TcpStack;
import dev.tcplab.core.wire.IpPacket;
import dev.tcplab.core.wire.IpPacketCodec;
import dev.tcplab.core.wire.MalformedPacketException;
import dev.tcplab.core.wire.Segment;
import dev.tcplab.core.wire.SeqNum;
import dev.tcplab.sim.app.CloseMode;
import dev.tcplab.sim.app.Transfer;
import dev.tcplab.sim.pcap.PcapReader;
import dev.tcplab.sim.pcap.PcapRecord;
import dev.tcplab.sim.pcap.Tshark;
import dev.tcplab.sim.trace.TraceEvent;
import dev.tcplab.sim.trace.TraceEvent.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same seed gives the same run, byte for byte, in every output; and the pcap written is what the
 * trace says the client saw, in a form Wireshark accepts.
 */
class DeterminismTest {
  private static final long MS = 1_000_000L;
  private static final long S = 1_000_000_000L;
  private static final long SEED = 42;
  /** Wireshark's expert group PI_SEQUENCE: TCP sequence analysis (retransmissions, dup ACKs, ...). */
  private static final int PI_SEQUENCE = 0x02000000;

  /** Every random fault on, both directions. */
  private static final LinkConfig FAULTY = LinkConfig.builder()
      .delay(8 * MS)
      .bandwidth(20_000_000L)
      .queue(50)
      .loss(new LossModel.Bernoulli(0.03))
      .duplication(0.03)
      .reordering(0.05, 2 * MS)
      .corruption(0.02)
      .build();

  @TempDir Path dir;

  /** The files of one run and the run itself. */
  private record Run(Transfer.Result result, Path pcap, Path text, Path json) {}

  private Run run(long seed, String name) throws IOException {
    Transfer t = new Transfer(seed, FAULTY, Profile.LINUX, TcpStack.CongestionAlgorithm.CUBIC,
        200_000, CloseMode.CLOSE, -1, CloseMode.CLOSE, -1, true, 0, 600 * S);
    Network net = t.network();
    Path pcap = dir.resolve(name + ".pcap");
    Path text = dir.resolve(name + ".txt");
    Path json = dir.resolve(name + ".jsonl");
    try (Outputs out = new Outputs().pcap(pcap).traceText(text).traceJson(json)) {
      out.attach(net, net.host(Topology.CLIENT));
      Transfer.Result r = t.run(net);
      assertThat(out.write(net)).containsExactly(pcap, text, json);
      return new Run(r, pcap, text, json);
    }
  }

  @Test
  void theSameSeedGivesIdenticalTracesJsonAndPcap() throws IOException {
    // Rule: every random choice comes from the seed, so two runs with one seed are byte-identical.
    Run a = run(SEED, "a");
    Run b = run(SEED, "b");

    // Not vacuous: the faults did happen.
    for (Kind k : List.of(Kind.DROPPED, Kind.DUPLICATED, Kind.REWRITTEN, Kind.CORRUPTED,
        Kind.DISCARDED)) {
      assertThat(a.result().network().trace().events(k)).as("%s events", k).isNotEmpty();
    }
    assertThat(a.result().deliveredIntact()).as(a.result().summary()).isTrue();
    assertThat(b.result().network().trace().lines())
        .isEqualTo(a.result().network().trace().lines());
    assertThat(Files.readAllLines(b.text())).isEqualTo(Files.readAllLines(a.text()));
    assertThat(Files.readAllLines(b.json())).isEqualTo(Files.readAllLines(a.json()));
    assertThat(Files.mismatch(a.pcap(), b.pcap())).as("first differing byte of the pcaps")
        .isEqualTo(-1L);
    assertThat(Files.mismatch(a.json(), b.json())).isEqualTo(-1L);
    assertThat(Files.mismatch(a.text(), b.text())).isEqualTo(-1L);
  }

  @Test
  void anotherSeedGivesAnotherRun() throws IOException {
    // Rule: the seed matters: ISNs, ports and fault draws change with it.
    Run a = run(SEED, "a");
    Run c = run(SEED + 1, "c");

    assertThat(c.result().network().trace().lines())
        .isNotEqualTo(a.result().network().trace().lines());
    assertThat(Files.mismatch(a.pcap(), c.pcap())).isNotEqualTo(-1L);
  }

  @Test
  void thePcapHoldsExactlyThePacketsTheTraceShowsAtTheClient() throws IOException {
    // Rule: the capture point sees each packet the client sends, receives or discards, once, at the
    // trace's time; each record decodes to the trace's segment (a discarded one does not decode).
    Run a = run(SEED, "a");
    List<TraceEvent> seen = a.result().network().trace().events().stream()
        .filter(e -> e.host().equals("client"))
        .filter(e -> e.kind() == Kind.SENT || e.kind() == Kind.RECEIVED
            || e.kind() == Kind.DISCARDED)
        .collect(Collectors.toList());

    List<PcapRecord> records = PcapReader.readAll(a.pcap());

    assertThat(records).hasSameSizeAs(seen);
    for (int i = 0; i < records.size(); i++) {
      TraceEvent e = seen.get(i);
      PcapRecord rec = records.get(i);
      byte[] bytes = rec.data();
      assertThat(rec.timeNanos()).as("time of frame %d", i + 1).isEqualTo(e.timeNanos());
      assertThat(rec.originalLength()).isEqualTo(bytes.length);
      if (e.kind() == Kind.DISCARDED) {
        assertThat(e.segment()).isNull();
        assertThatThrownBy(() -> IpPacketCodec.decode(bytes, 0, bytes.length))
            .as("frame %d was discarded by the client", i + 1)
            .isInstanceOf(MalformedPacketException.class)
            .hasMessage(e.text());
      } else {
        assertThat(decode(bytes).segment()).as("frame %d: %s", i + 1, e.toLine())
            .isEqualTo(e.segment());
        assertThat(decode(bytes).header().srcAddress().getHostAddress()).isEqualTo(e.src());
      }
    }
  }

  @Test
  void tsharkFindsFaultOnlyWithTheFramesCorruptedOnTheWire() throws IOException {
    // Rule: Wireshark finds nothing wrong with what the simulator wrote: the only frames it calls
    // malformed or bad are the ones corrupted on the wire (which the client discarded too), and its
    // only other warnings are TCP analysis of the loss recovery itself.
    assumeTrue(Tshark.available(), "tshark not installed: apt-get install tshark");
    Run a = run(SEED, "a");
    List<TraceEvent> seen = a.result().network().trace().events().stream()
        .filter(e -> e.host().equals("client"))
        .filter(e -> e.kind() == Kind.SENT || e.kind() == Kind.RECEIVED
            || e.kind() == Kind.DISCARDED)
        .collect(Collectors.toList());
    Set<Integer> discarded = new TreeSet<>();
    for (int i = 0; i < seen.size(); i++) {
      if (seen.get(i).kind() == Kind.DISCARDED) discarded.add(i + 1);
    }
    assertThat(discarded).isNotEmpty();

    List<String> args = new ArrayList<>(List.of("-n", "-r", a.pcap().toString()));
    args.addAll(Tshark.CHECK_CHECKSUMS);
    args.addAll(List.of("-Y", Tshark.PROBLEMS_FILTER, "-T", "fields", "-e", "frame.number",
        "-e", "_ws.malformed", "-e", "_ws.expert.group", "-e", "_ws.expert.message",
        "-E", "aggregator=|"));
    Set<Integer> broken = new TreeSet<>();
    for (String line : Tshark.run(args)) {
      String[] f = line.split("\t", -1);
      int frame = Integer.parseInt(f[0]);
      String[] groups = f[2].split("\\|");
      String[] messages = f[3].split("\\|");
      boolean malformed = !f[1].isEmpty();
      for (int i = 0; i < groups.length; i++) {
        if (malformed || Integer.parseInt(groups[i]) != PI_SEQUENCE) {
          broken.add(frame);
        } else if (!discarded.contains(frame) && messages[i].equals("TCP window update")) {
          // An ACK whose window is larger than that of the frame before it, which the link's
          // reordering can make an older ACK
          assertThat(seen.get(frame - 1).segment().payloadLength()).as("frame %d", frame).isZero();
        } else if (!discarded.contains(frame) && (messages[i].equals("D-SACK Sequence")
            || messages[i].startsWith("Duplicate ACK"))) {
          // The answer to a duplicate segment: a duplicate ACK whose first SACK block, at or below
          // the ACK, reports it (RFC 2883 §4)
          Segment ack = seen.get(frame - 1).segment();
          assertThat(ack.sackBlocks()).as("frame %d", frame).isNotEmpty();
          assertThat(SeqNum.leq(ack.sackBlocks().get(0).right(), ack.ack())).as("frame %d", frame)
              .isTrue();
        } else if (!discarded.contains(frame)) {
          // Wireshark calls a retransmission sent sooner than an RTT after the newest data
          // "out-of-order"; check that it is one.
          assertThat(messages[i]).as("frame %d", frame)
              .isEqualTo("This frame is a (suspected) out-of-order segment");
          TraceEvent e = seen.get(frame - 1);
          assertThat(seen.subList(0, frame - 1)).as("frame %d is a retransmission", frame)
              .anySatisfy(earlier -> {
                assertThat(earlier.kind()).isEqualTo(Kind.SENT);
                assertThat(earlier.segment().seq()).isEqualTo(e.segment().seq());
                assertThat(earlier.segment().payloadLength()).isPositive();
              });
        }
      }
    }
    assertThat(broken).as("frames tshark finds malformed or damaged").isEqualTo(discarded);

    // Without the damaged frames: no errors, no malformed packets, warnings only from TCP analysis.
    String clean = "!(" + discarded.stream().map(n -> "frame.number == " + n)
        .collect(Collectors.joining(" || ")) + ")"; // "in {...}" differs between versions
    Path cleanPcap = dir.resolve("clean.pcap");
    Tshark.run("-n", "-r", a.pcap().toString(), "-Y", clean, "-w", cleanPcap.toString());
    List<String> expertArgs = new ArrayList<>(List.of("-n", "-r", cleanPcap.toString()));
    expertArgs.addAll(Tshark.CHECK_CHECKSUMS);
    expertArgs.addAll(List.of("-q", "-z", "expert"));
    List<String> expert = Tshark.run(expertArgs);
    assertThat(String.join("\n", expert))
        .doesNotContain("Errors (", "Malformed", "Bad checksum", "Checksum");
    boolean inWarnings = false;
    for (String line : expert) {
      if (line.matches("^\\w+ \\(\\d+\\)$")) inWarnings = line.startsWith("Warns");
      if (inWarnings && line.matches("^\\s+\\d+\\s+\\w+.*")) {
        // Retransmissions Wireshark calls out-of-order, and the D-SACK reports of duplicated frames
        assertThat(line).as("an expert warning").contains("Sequence", "TCP")
            .containsAnyOf("out-of-order", "D-SACK Sequence");
      }
    }

    List<String> conversations = new ArrayList<>();
    for (String line : Tshark.run("-n", "-r", cleanPcap.toString(), "-q", "-z", "conv,tcp")) {
      if (line.contains("<->")) conversations.add(line.trim());
    }
    int clientPort = seen.get(0).segment().srcPort();
    assertThat(conversations).singleElement().asString()
        .matches("(10\\.0\\.0\\.1:" + clientPort + "\\s+<->\\s+10\\.0\\.0\\.2:5001"
            + "|10\\.0\\.0\\.2:5001\\s+<->\\s+10\\.0\\.0\\.1:" + clientPort + ")\\s.*");
  }

  private static IpPacket decode(byte[] bytes) {
    try {
      return IpPacketCodec.decode(bytes, 0, bytes.length);
    } catch (MalformedPacketException e) {
      throw new AssertionError("a packet the client handled does not decode", e);
    }
  }
}
