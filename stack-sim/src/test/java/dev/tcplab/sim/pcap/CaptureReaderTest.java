package dev.tcplab.sim.pcap;

import static dev.tcplab.sim.pcap.CaptureFiles.concat;
import static dev.tcplab.sim.pcap.CaptureFiles.ethernet;
import static dev.tcplab.sim.pcap.CaptureFiles.int32;
import static dev.tcplab.sim.pcap.CaptureFiles.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tcplab.sim.pcap.CaptureFiles.Frame;
import dev.tcplab.sim.pcap.CaptureFiles.Packet;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link CaptureReader} on real captures (tcpdump and dumpcap on Linux loopback: Ethernet, Linux
 * cooked v1 and v2, a 60-byte snapshot length, pcapng with one and two interfaces; and the shared
 * captures of real connections) and on files written by hand for the link types and damage no
 * capture at hand shows.
 *
 * <p>The loopback captures each hold one IPv4 conversation (127.0.0.1, port 47001: SYN, SYN-ACK,
 * ACK, 5 bytes of request, a 3000-byte answer, FINs) as records 1-10 and the same over IPv6 (::1,
 * port 47002) as records 11-20.
 */
class CaptureReaderTest {
  private static final int FILE_HEADER = 24;
  private static final int RECORD_HEADER = 16;

  @TempDir Path dir;

  /** The IP packets of lo-ethernet.pcap, read independently through pcap4j, and their times. */
  private static List<PcapRecord> loopback;

  @BeforeAll
  static void requireLibpcap() throws IOException {
    assumeTrue(PcapReader.libpcapAvailable(), "libpcap not installed: apt-get install libpcap0.8");
    loopback = new ArrayList<>();
    for (PcapRecord r : PcapReader.readAll(resource("lo-ethernet.pcap"))) {
      byte[] frame = r.data();
      loopback.add(new PcapRecord(r.timeNanos(), Arrays.copyOfRange(frame, 14, frame.length),
          r.originalLength() - 14));
    }
  }

  /** What one record looked like to the reader. */
  private record Seen(
      long number,
      long timeNanos,
      int capturedLength,
      int originalLength,
      int ipVersion,
      int ipOffset,
      byte[] ip,
      String problem) {}

  private static List<Seen> readAll(CaptureReader r) {
    List<Seen> seen = new ArrayList<>();
    while (r.next()) {
      byte[] ip =
          r.ipLength() < 0
              ? null
              : Arrays.copyOfRange(r.buffer(), r.ipOffset(), r.ipOffset() + r.ipLength());
      seen.add(
          new Seen(
              r.packetNumber(),
              r.timeNanos(),
              r.capturedLength(),
              r.originalLength(),
              r.ipVersion(),
              r.ipOffset(),
              ip,
              r.problem()));
    }
    return seen;
  }

  private static List<Seen> readAll(Path file) throws IOException {
    try (CaptureReader r = CaptureReader.open(file)) {
      List<Seen> seen = readAll(r);
      assertThat(r.error()).as("error reading %s", file).isNull();
      assertThat(r.bytesRead()).isEqualTo(r.fileSize()).isEqualTo(Files.size(file));
      return seen;
    }
  }

  private Path write(String name, byte[] bytes) throws IOException {
    return Files.write(dir.resolve(name), bytes);
  }

  /** The TCP destination port of an IP packet without extension headers. */
  private static int dstPort(byte[] ip) {
    int tcp = (ip[0] >>> 4) == 4 ? (ip[0] & 0xf) * 4 : 40;
    return ((ip[tcp + 2] & 0xff) << 8) | (ip[tcp + 3] & 0xff);
  }

  /** Checks the loopback conversations: 10 IPv4 records to/from port 47001, then 10 IPv6. */
  private static void assertLoopbackConversations(List<Seen> seen, int linkHeader) {
    assertThat(seen).hasSize(20);
    for (int i = 0; i < 20; i++) {
      Seen s = seen.get(i);
      int version = i < 10 ? 4 : 6;
      assertThat(s.number()).isEqualTo(i + 1);
      assertThat(s.problem()).as("problem of %d", i + 1).isNull();
      assertThat(s.ipVersion()).as("version of %d", i + 1).isEqualTo(version);
      assertThat(s.ipOffset()).isEqualTo(linkHeader);
      assertThat(s.ip()).hasSize(s.capturedLength() - linkHeader);
      assertThat(s.ip()[0] >>> 4).isEqualTo(version);
      int port = dstPort(s.ip());
      int srcPort = (s.ip()[version == 4 ? 20 : 40] & 0xff) << 8 | s.ip()[version == 4 ? 21 : 41] & 0xff;
      assertThat(List.of(port, srcPort)).contains(version == 4 ? 47001 : 47002);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Real captures, each link type

  @Test
  void readsARealEthernetCaptureWithIpv4AndIpv6() throws IOException {
    Path file = resource("lo-ethernet.pcap");
    try (CaptureReader r = CaptureReader.open(file)) {
      assertThat(r.file()).isEqualTo(file);
      assertThat(r.linkType()).isEqualTo(CaptureReader.LINKTYPE_ETHERNET).isEqualTo(1);
      assertThat(r.packetNumber()).isZero();
      assertThat(r.ipLength()).isEqualTo(-1);
      assertThat(r.fileSize()).isEqualTo(7906);
      assertThat(r.bytesRead()).isEqualTo(FILE_HEADER);

      List<Seen> seen = readAll(r);

      assertThat(r.error()).isNull();
      assertThat(r.next()).as("after the end").isFalse();
      assertLoopbackConversations(seen, 14);
      // Microseconds in the file, nanoseconds here (tshark: 1795577403.013034000).
      assertThat(seen.get(0).timeNanos()).isEqualTo(1_795_577_403_013_034_000L);
      assertThat(seen.get(19).timeNanos()).isEqualTo(1_795_577_403_214_378_000L);
      assertThat(seen.get(5).capturedLength()).isEqualTo(3066).isEqualTo(seen.get(5).originalLength());
      assertThat(seen.get(15).capturedLength()).isEqualTo(3086);
      // The IP bytes are those pcap4j reads (independent path), at the same times.
      for (int i = 0; i < 20; i++) {
        assertThat(seen.get(i).ip()).isEqualTo(loopback.get(i).data());
        assertThat(seen.get(i).timeNanos()).isEqualTo(loopback.get(i).timeNanos());
      }
      assertThat(r.bytesRead()).isEqualTo(7906);
    }
  }

  @Test
  void readsRealLinuxCookedCapturesV1AndV2() throws IOException {
    Path sll = resource("linux-sll-any.pcap");
    Path sll2 = resource("linux-sll2-any.pcap");
    try (CaptureReader r1 = CaptureReader.open(sll);
        CaptureReader r2 = CaptureReader.open(sll2)) {
      assertThat(r1.linkType()).isEqualTo(CaptureReader.LINKTYPE_LINUX_SLL).isEqualTo(113);
      assertThat(r2.linkType()).isEqualTo(CaptureReader.LINKTYPE_LINUX_SLL2).isEqualTo(276);
    }

    assertLoopbackConversations(readAll(sll), 16);
    assertLoopbackConversations(readAll(sll2), 20);
  }

  @Test
  void recordsCutByTheSnapshotLengthKeepTheirWireLength() throws IOException {
    List<Seen> seen = readAll(resource("sll2-snaplen60.pcap"));

    assertThat(seen).hasSize(20);
    assertThat(seen).allSatisfy(s -> assertThat(s.capturedLength()).isLessThanOrEqualTo(60));
    // The 3000-byte answers: 20 + 20 + 32 + 3000 bytes over IPv4 in SLL2, 3020 + 20 + 40 IPv6.
    assertThat(seen.get(5).originalLength()).isEqualTo(20 + 52 + 3000);
    assertThat(seen.get(5).capturedLength()).isEqualTo(60);
    assertThat(seen.get(5).ip()).hasSize(40);
    assertThat(seen.get(5).ipVersion()).isEqualTo(4);
    assertThat(seen.get(15).originalLength()).isEqualTo(20 + 72 + 3000);
    assertThat(seen.get(15).ip()).hasSize(40);
    assertThat(seen.get(15).ipVersion()).isEqualTo(6);
    // Short enough to be whole: a bare IPv4 ACK, 20 + 52 bytes.
    assertThat(seen.get(2).capturedLength()).isEqualTo(60);
    assertThat(seen.get(2).originalLength()).isEqualTo(72);
  }

  @Test
  void readsPcapngLikeThePcapItWasConvertedFrom() throws IOException {
    List<Seen> pcap = readAll(resource("lo-ethernet.pcap"));
    List<Seen> pcapng = readAll(resource("lo-ethernet.pcapng")); // editcap -F pcapng

    assertThat(pcapng).usingRecursiveFieldByFieldElementComparator().isEqualTo(pcap);
  }

  @Test
  void readsPcapngWithTwoInterfacesOfOneLinkType() throws IOException {
    // mergecap -I none of lo-ethernet.pcap and refused-syn-rst.pcap: interface 1 holds the two
    // older records, which come first, then interface 0's twenty.
    List<Seen> seen = readAll(resource("two-interfaces.pcapng"));

    assertThat(seen).hasSize(22);
    assertThat(seen).extracting(Seen::number).containsExactlyElementsOf(
        java.util.stream.LongStream.rangeClosed(1, 22).boxed().toList());
    assertThat(seen).allSatisfy(s -> assertThat(s.ipOffset()).isEqualTo(14));
    List<Seen> refused = readAll(resource("refused-syn-rst.pcap"));
    assertThat(seen.subList(0, 2)).usingRecursiveFieldByFieldElementComparator()
        .isEqualTo(refused);
    List<Seen> loopbackSeen = readAll(resource("lo-ethernet.pcap"));
    for (int i = 0; i < 20; i++) {
      assertThat(seen.get(i + 2).ip()).isEqualTo(loopbackSeen.get(i).ip());
      assertThat(seen.get(i + 2).timeNanos()).isEqualTo(loopbackSeen.get(i).timeNanos());
    }
  }

  @Test
  void pcapngWithInterfacesOfDifferentLinkTypesStopsWithTheReason() throws IOException {
    // dumpcap -i lo -i any: an Ethernet and a Linux cooked interface, which libpcap refuses to mix.
    Path file = resource("mixed-linktypes.pcapng");
    try (CaptureReader r = CaptureReader.open(file)) {
      assertThat(r.linkType()).isEqualTo(1);
      List<Seen> seen = readAll(r);
      PcapFormatException e = r.error();
      assertThat(e).isNotNull();
      assertThat(e.file()).isEqualTo(file);
      assertThat(e.packetNumber()).isEqualTo(seen.size() + 1);
      assertThat(e.getMessage())
          .startsWith(file + ": packet " + (seen.size() + 1) + " ")
          .contains("type")
          .doesNotContain("\n");
      // dumpcap writes both interface blocks before any packet: nothing can be read.
      assertThat(seen).isEmpty();
      assertThat(e.getMessage()).contains("type 113");
    }
  }

  @Test
  void anInterfaceOfAnotherLinkTypeInTheMiddleStopsThereAfterTheRecordsBeforeIt()
      throws IOException {
    List<Packet> first = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      PcapRecord r = loopback.get(i);
      first.add(new Packet(0, new Frame(r.timeNanos(), ethernet(r.data(), 0x0800))));
    }
    byte[] ethernetPart = CaptureFiles.pcapng(ByteOrder.LITTLE_ENDIAN, new int[] {1}, first);
    // A second section-less tail: an SLL2 interface block and one packet on it.
    byte[] withSll2 =
        CaptureFiles.pcapng(
            ByteOrder.LITTLE_ENDIAN,
            new int[] {1, 276},
            List.of(new Packet(1, new Frame(9, new byte[40]))));
    byte[] tail = Arrays.copyOfRange(withSll2, 28 + 32, withSll2.length);
    Path file = write("late-interface.pcapng", concat(ethernetPart, tail));

    try (CaptureReader r = CaptureReader.open(file)) {
      List<Seen> seen = readAll(r);
      assertThat(seen).hasSize(5);
      assertThat(seen.get(4).ip()).isEqualTo(loopback.get(4).data());
      assertThat(r.error().packetNumber()).isEqualTo(6);
      assertThat(r.error()).hasMessageStartingWith(file + ": packet 6 ").hasMessageContaining("276");
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "active-close-time-wait.pcap",
        "both-shutdown.pcap",
        "receiver-abort-mid-stream.pcap",
        "refused-syn-rst.pcap"
      })
  void readsTheSharedCapturesOfRealConnections(String name) throws IOException {
    Path file = resource(name);
    List<PcapRecord> independent = PcapReader.readAll(file);

    List<Seen> seen = readAll(file);

    assertThat(seen).hasSameSizeAs(independent);
    for (int i = 0; i < seen.size(); i++) {
      Seen s = seen.get(i);
      byte[] frame = independent.get(i).data();
      assertThat(s.ipVersion()).isEqualTo(4);
      assertThat(s.ip()).isEqualTo(Arrays.copyOfRange(frame, 14, frame.length));
      assertThat(s.timeNanos()).isEqualTo(independent.get(i).timeNanos());
      assertThat(s.originalLength()).isEqualTo(independent.get(i).originalLength());
    }
  }

  @Test
  void readsRawIpFilesOfTheSimulator() throws IOException {
    Path file = dir.resolve("sim.pcap");
    try (PcapWriter w = PcapWriter.open(file)) {
      w.write(5, loopback.get(0).data());
      w.write(7, loopback.get(10).data());
    }

    try (CaptureReader r = CaptureReader.open(file)) {
      assertThat(r.linkType()).isEqualTo(CaptureReader.LINKTYPE_RAW).isEqualTo(101);
      List<Seen> seen = readAll(r);
      assertThat(seen).extracting(Seen::timeNanos).containsExactly(5L, 7L);
      assertThat(seen).extracting(Seen::ipVersion).containsExactly(4, 6);
      assertThat(seen).extracting(Seen::ipOffset).containsExactly(0, 0);
      assertThat(seen.get(0).ip()).isEqualTo(loopback.get(0).data());
      assertThat(seen.get(1).ip()).isEqualTo(loopback.get(10).data());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Link types and headers written by hand

  /** Each IP packet of the loopback capture behind {@code header}, as a file of {@code linkType}. */
  private Path wrapped(String name, int linkType, ByteOrder order, java.util.function.Function<byte[], byte[]> header)
      throws IOException {
    List<Frame> frames = new ArrayList<>();
    for (PcapRecord r : loopback) frames.add(new Frame(r.timeNanos(), header.apply(r.data())));
    return write(name, CaptureFiles.pcap(linkType, 262144, order, true, frames));
  }

  private static void assertSameIpPackets(List<Seen> seen, int offset) {
    assertThat(seen).hasSameSizeAs(loopback);
    for (int i = 0; i < seen.size(); i++) {
      assertThat(seen.get(i).problem()).isNull();
      assertThat(seen.get(i).ipOffset()).isEqualTo(offset);
      assertThat(seen.get(i).ip()).isEqualTo(loopback.get(i).data());
      assertThat(seen.get(i).ipVersion()).isEqualTo(i < 10 ? 4 : 6);
      assertThat(seen.get(i).timeNanos()).isEqualTo(loopback.get(i).timeNanos());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"LITTLE_ENDIAN", "BIG_ENDIAN"})
  void bsdLoopbackInEitherHostByteOrder(String orderName) throws IOException {
    ByteOrder order = orderName.equals("BIG_ENDIAN") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    int[] ipv6Families = {24, 28, 30};
    int[] n = {0};
    Path file =
        wrapped("null.pcap", 0, order, ip -> {
          int family = (ip[0] >>> 4) == 4 ? 2 : ipv6Families[n[0]++ % 3];
          return concat(int32(family, order), ip);
        });

    try (CaptureReader r = CaptureReader.open(file)) {
      assertThat(r.linkType()).isEqualTo(CaptureReader.LINKTYPE_NULL).isZero();
    }
    assertSameIpPackets(readAll(file), 4);
  }

  @Test
  void openBsdLoopbackIsInNetworkByteOrder() throws IOException {
    Path file =
        wrapped("loop.pcap", 108, ByteOrder.LITTLE_ENDIAN,
            ip -> concat(int32((ip[0] >>> 4) == 4 ? 2 : 24, ByteOrder.BIG_ENDIAN), ip));

    try (CaptureReader r = CaptureReader.open(file)) {
      assertThat(r.linkType()).isEqualTo(CaptureReader.LINKTYPE_LOOP).isEqualTo(108);
    }
    assertSameIpPackets(readAll(file), 4);
  }

  @ParameterizedTest
  @ValueSource(ints = {101, 12, 14})
  void rawIpUnderEachOfItsNumbers(int linkType) throws IOException {
    Path file = wrapped("raw-" + linkType + ".pcap", linkType, ByteOrder.BIG_ENDIAN, ip -> ip);

    try (CaptureReader r = CaptureReader.open(file)) {
      assertThat(r.linkType()).isEqualTo(101);
    }
    assertSameIpPackets(readAll(file), 0);
  }

  @Test
  void skipsSingleAndDoubleVlanTags() throws IOException {
    Path file =
        wrapped("vlan.pcap", 1, ByteOrder.LITTLE_ENDIAN, ip -> {
          int type = (ip[0] >>> 4) == 4 ? 0x0800 : 0x86dd;
          return ip.length % 2 == 0
              ? ethernet(ip, 0x8100, 100, type) // 802.1Q
              : ethernet(ip, 0x88a8, 200, 0x8100, 100, type); // 802.1ad QinQ
        });

    List<Seen> seen = readAll(file);

    assertThat(seen).hasSameSizeAs(loopback);
    for (int i = 0; i < seen.size(); i++) {
      int tags = loopback.get(i).data().length % 2 == 0 ? 1 : 2;
      assertThat(seen.get(i).ipOffset()).isEqualTo(14 + 4 * tags);
      assertThat(seen.get(i).ip()).isEqualTo(loopback.get(i).data());
    }
    assertThat(seen).extracting(Seen::ipOffset).contains(18, 22); // both kinds occur
    // The old QinQ type 0x9100, three deep.
    Path deep = write("qinq.pcap", CaptureFiles.pcap(1, List.of(
        new Frame(1, ethernet(loopback.get(0).data(), 0x9100, 1, 0x88a8, 2, 0x8100, 3, 0x0800)))));
    assertThat(readAll(deep)).singleElement().satisfies(s -> {
      assertThat(s.ipOffset()).isEqualTo(26);
      assertThat(s.ip()).isEqualTo(loopback.get(0).data());
    });
  }

  @Test
  void recordsWithoutAnIpPacketSayWhyAndReadingGoesOn() throws IOException {
    byte[] ip = loopback.get(0).data();
    byte[] arp = new byte[28];
    List<Frame> frames =
        List.of(
            new Frame(1, ethernet(arp, 0x0806)),
            new Frame(2, ethernet(new byte[40], 0x88cc)), // LLDP
            new Frame(3, Arrays.copyOf(ethernet(ip, 0x0800), 10)), // header cut short
            new Frame(4, ethernet(new byte[0], 0x8100)), // the tag itself cut short
            new Frame(5, ethernet(new byte[40], 0x0030)), // an 802.3 length field
            new Frame(6, new byte[0]), // nothing at all
            new Frame(7, ethernet(ip, 0x0800)),
            new Frame(8, ethernet(new byte[0], 0x86dd))); // IPv6 with no byte of it captured
    List<Seen> seen = readAll(write("mixed.pcap", CaptureFiles.pcap(1, frames)));

    assertThat(seen).extracting(Seen::problem).containsExactly(
        "ARP, not IP",
        "ethertype 0x88cc, not IPv4 or IPv6",
        "Ethernet header cut short: 10 of 14 bytes captured",
        "VLAN tag 1 cut short: 14 bytes captured",
        "an IEEE 802.3 frame (length field 48), not IPv4 or IPv6",
        "Ethernet header cut short: 0 of 14 bytes captured",
        null,
        null);
    assertThat(seen).extracting(s -> s.ip() == null ? -1 : s.ip().length)
        .containsExactly(-1, -1, -1, -1, -1, -1, ip.length, 0);
    assertThat(seen).extracting(Seen::ipVersion).containsExactly(0, 0, 0, 0, 0, 0, 4, 6);
    assertThat(seen.get(6).ip()).isEqualTo(ip);
  }

  @Test
  void otherLinkTypesExplainTheirProblems() throws IOException {
    byte[] ip = loopback.get(0).data();
    Path raw = write("raw-bad.pcap", CaptureFiles.pcap(101, List.of(
        new Frame(1, new byte[] {0x55, 0}), new Frame(2, new byte[0]), new Frame(3, ip))));
    Path nul = write("null-bad.pcap", CaptureFiles.pcap(0, List.of(
        new Frame(1, concat(int32(7, ByteOrder.LITTLE_ENDIAN), ip)), new Frame(2, new byte[3]))));
    Path sll2 = write("sll2-bad.pcap", CaptureFiles.pcap(276, List.of(
        new Frame(1, new byte[19]), new Frame(2, concat(new byte[] {0x08, 0x06}, new byte[18])))));

    assertThat(readAll(raw)).extracting(Seen::problem)
        .containsExactly("IP version 5, not 4 or 6", "no bytes captured", null);
    assertThat(readAll(nul)).extracting(Seen::problem).containsExactly(
        "address family field 0x07000000, not IPv4 or IPv6",
        "BSD loopback header cut short: 3 of 4 bytes captured");
    assertThat(readAll(sll2)).extracting(Seen::problem).containsExactly(
        "Linux cooked (SLL2) header cut short: 19 of 20 bytes captured", "ARP, not IP");
  }

  @Test
  void bigEndianMicrosecondFilesAreScaledToNanoseconds() throws IOException {
    byte[] frame = ethernet(loopback.get(0).data(), 0x0800);
    Path file = write("be-usec.pcap", CaptureFiles.pcap(1, 65535, ByteOrder.BIG_ENDIAN, false,
        List.of(new Frame(1_234_567_890_123_456_789L, frame, 1500))));

    assertThat(readAll(file)).singleElement().satisfies(s -> {
      assertThat(s.timeNanos()).isEqualTo(1_234_567_890_123_456_000L);
      assertThat(s.capturedLength()).isEqualTo(frame.length);
      assertThat(s.originalLength()).isEqualTo(1500);
      assertThat(s.ip()).isEqualTo(loopback.get(0).data());
    });
  }

  @Test
  void handWrittenPcapngInBothByteOrders() throws IOException {
    List<Packet> packets = new ArrayList<>();
    for (int i = 0; i < loopback.size(); i++) {
      packets.add(new Packet(i % 2, new Frame(loopback.get(i).timeNanos(),
          concat(int32((loopback.get(i).data()[0] >>> 4) == 4 ? 2 : 30, ByteOrder.BIG_ENDIAN),
              loopback.get(i).data()))));
    }
    for (ByteOrder order : List.of(ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN)) {
      Path file = write("loop-" + order + ".pcapng",
          CaptureFiles.pcapng(order, new int[] {108, 108}, packets));
      assertSameIpPackets(readAll(file), 4);
    }
  }

  @Test
  void anUnsupportedLinkTypeIsNamedWithTheSupportedOnes() throws IOException {
    Path wifi = write("wifi.pcap", CaptureFiles.pcap(105, List.of(new Frame(1, new byte[30]))));

    PcapFormatException e =
        catchThrowableOfType(PcapFormatException.class, () -> CaptureReader.open(wifi));

    assertThat(e).isNotNull();
    assertThat(e.packetNumber()).isZero();
    assertThat(e.getMessage())
        .startsWith(wifi + ": not a readable pcap or pcapng file: link type 105 ")
        .contains("not supported", "1 (Ethernet)", "113", "276", "101", "108")
        .doesNotContain("\n");
  }

  // ---------------------------------------------------------------------------------------------
  // Damaged files

  /** The offset of record {@code number} (1-based) in a classic pcap file. */
  private static int recordOffset(byte[] file, int number) {
    ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    int off = FILE_HEADER;
    for (int i = 1; i < number; i++) off += RECORD_HEADER + b.getInt(off + 8);
    return off;
  }

  @Test
  void aFileCutInTheMiddleOfARecordDeliversTheRecordsBeforeIt() throws IOException {
    byte[] whole = Files.readAllBytes(resource("lo-ethernet.pcap"));
    Path cut = write("cut.pcap", Arrays.copyOf(whole, recordOffset(whole, 16) + RECORD_HEADER + 100));

    try (CaptureReader r = CaptureReader.open(cut)) {
      List<Seen> seen = readAll(r);
      assertThat(seen).hasSize(15);
      assertThat(seen.get(14).ip()).isEqualTo(loopback.get(14).data());
      PcapFormatException e = r.error();
      assertThat(e.packetNumber()).isEqualTo(16);
      assertThat(e.file()).isEqualTo(cut);
      assertThat(e.getMessage())
          .startsWith(cut + ": packet 16 is truncated or damaged: ")
          .contains("truncated")
          .doesNotContain("\n");
      assertThat(r.next()).isFalse();
      assertThat(r.error()).isSameAs(e);
      assertThat(r.bytesRead()).isLessThan(r.fileSize());
    }
  }

  @Test
  void aDamagedRecordHeaderStopsThereWithThePacketNumber() throws IOException {
    byte[] bytes = Files.readAllBytes(resource("lo-ethernet.pcap"));
    int fourth = recordOffset(bytes, 4);
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(fourth + 8, 0x7fff_0000);
    Path damaged = write("damaged.pcap", bytes);

    try (CaptureReader r = CaptureReader.open(damaged)) {
      assertThat(readAll(r)).hasSize(3);
      assertThat(r.error().packetNumber()).isEqualTo(4);
      assertThat(r.error()).hasMessageStartingWith(damaged + ": packet 4 ");
    }
  }

  @Test
  void garbageEmptyMissingAndDirectoriesAreNamed() throws IOException {
    Path garbage = Files.writeString(dir.resolve("notes.pcap"), "not a capture\n".repeat(20),
        StandardCharsets.UTF_8);
    Path empty = Files.createFile(dir.resolve("empty.pcap"));
    Path shortFile = write("short.pcap", Arrays.copyOf(Files.readAllBytes(resource("lo-ethernet.pcap")), 10));
    Path missing = dir.resolve("missing.pcap");

    assertThatThrownBy(() -> CaptureReader.open(garbage))
        .isInstanceOf(PcapFormatException.class)
        .hasMessage(garbage + ": not a readable pcap or pcapng file: unknown file format");
    assertThatThrownBy(() -> CaptureReader.open(empty))
        .isInstanceOf(PcapFormatException.class)
        .hasMessage(empty + ": not a readable pcap or pcapng file: the file is empty");
    assertThatThrownBy(() -> CaptureReader.open(shortFile))
        .isInstanceOf(PcapFormatException.class)
        .hasMessageStartingWith(shortFile + ": not a readable pcap or pcapng file: ");
    assertThatThrownBy(() -> CaptureReader.open(missing))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessage(missing.toString());
    assertThatThrownBy(() -> CaptureReader.open(dir))
        .isInstanceOf(PcapFormatException.class)
        .hasMessageStartingWith(dir + ": ");
  }

  @Test
  void aFileWithOnlyAHeaderEndsCleanly() throws IOException {
    Path file = write("header-only.pcap", CaptureFiles.pcap(1, List.of()));

    try (CaptureReader r = CaptureReader.open(file)) {
      assertThat(r.next()).isFalse();
      assertThat(r.error()).isNull();
      assertThat(r.packetNumber()).isZero();
      assertThat(r.bytesRead()).isEqualTo(24);
    }
  }

  @Test
  void closeEndsReadingAndTwiceIsHarmless() throws IOException {
    CaptureReader r = CaptureReader.open(resource("lo-ethernet.pcap"));
    assertThat(r.next()).isTrue();
    r.close();
    r.close();

    assertThat(r.next()).isFalse();
    assertThat(r.packetNumber()).isEqualTo(1);
    assertThat(r.error()).isNull();
  }

  // ---------------------------------------------------------------------------------------------
  // Both paths, tshark, fuzzing

  private static List<Path> allCaptures() {
    return List.of(
        resource("lo-ethernet.pcap"),
        resource("lo-ethernet.pcapng"),
        resource("linux-sll-any.pcap"),
        resource("linux-sll2-any.pcap"),
        resource("sll2-snaplen60.pcap"),
        resource("two-interfaces.pcapng"),
        resource("mixed-linktypes.pcapng"),
        resource("active-close-time-wait.pcap"),
        resource("both-shutdown.pcap"),
        resource("receiver-abort-mid-stream.pcap"),
        resource("refused-syn-rst.pcap"));
  }

  @Test
  void theDirectCallReadsWhatPcap4jReads() throws IOException {
    assertThat(LibpcapDirect.problem()).as("the direct call is bound here").isNull();
    // Also files larger than the 1 MiB read buffer the direct path gives libpcap, pcap and pcapng.
    Random random = new Random(11);
    List<Frame> frames = new ArrayList<>();
    List<Packet> packets = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      byte[] ip = loopback.get(random.nextInt(loopback.size())).data();
      byte[] frame = ethernet(Arrays.copyOf(ip, random.nextInt(1500)), (ip[0] >>> 4) == 4 ? 0x0800 : 0x86dd);
      frames.add(new Frame(1_000_000_000L * i + random.nextInt(1_000_000_000), frame));
      packets.add(new Packet(0, frames.get(i)));
    }
    Path bigPcap = write("big.pcap", CaptureFiles.pcap(1, frames));
    Path bigPcapng = write("big.pcapng", CaptureFiles.pcapng(ByteOrder.BIG_ENDIAN, new int[] {1}, packets));
    assertThat(Files.size(bigPcap)).isGreaterThan(2 << 20);
    assertThat(readAll(bigPcapng)).hasSize(3000);
    List<Path> files = new ArrayList<>(allCaptures());
    files.add(bigPcap);
    files.add(bigPcapng);
    for (Path file : files) {
      try (CaptureReader direct = CaptureReader.open(file, true);
          CaptureReader viaPcap4j = CaptureReader.open(file, false)) {
        assertThat(readAll(direct)).as(file.toString())
            .usingRecursiveFieldByFieldElementComparator()
            .isEqualTo(readAll(viaPcap4j));
        assertThat(String.valueOf(direct.error())).isEqualTo(String.valueOf(viaPcap4j.error()));
      }
    }
  }

  @Test
  void agreesWithTsharkOnEveryRecord() throws IOException {
    assumeTrue(Tshark.available(), Tshark.MISSING);
    for (Path file : allCaptures()) {
      List<String> want = new ArrayList<>();
      for (String line : Tshark.fields(file, "frame.number", "frame.time_epoch", "frame.cap_len",
          "frame.len", "ip.version", "ipv6.version")) {
        String[] f = line.split("\t", -1);
        String version = !f[4].isEmpty() ? f[4] : !f[5].isEmpty() ? f[5] : "0";
        want.add(String.join(" ", f[0], f[1].replace(".", ""), f[2], f[3], version));
      }
      List<String> got = new ArrayList<>();
      try (CaptureReader r = CaptureReader.open(file)) {
        while (r.next()) {
          got.add(String.format("%d %d %d %d %d", r.packetNumber(), r.timeNanos(),
              r.capturedLength(), r.originalLength(), r.ipVersion()));
        }
        if (r.error() != null) {
          // tshark reads on where libpcap stops (mixed link types): compare what both read.
          want = want.subList(0, got.size());
        }
      }
      assertThat(got).as(file.toString()).isEqualTo(want);
    }
  }

  /**
   * Random byte flips and cuts of real captures: reading ends — with records, an error or an
   * exception of the documented kinds — and the accessors stay within the buffer.
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void survivesRandomDamage() throws IOException {
    Random random = new Random(20240607);
    int errors = 0;
    int refused = 0;
    int clean = 0;
    for (int round = 0; round < 1500; round++) {
      List<Path> captures = allCaptures();
      byte[] bytes = Files.readAllBytes(captures.get(random.nextInt(captures.size())));
      int flips = 1 + random.nextInt(8);
      for (int i = 0; i < flips; i++) {
        // Mostly in the first records, where headers are dense.
        int at = random.nextInt(random.nextBoolean() ? Math.min(bytes.length, 200) : bytes.length);
        bytes[at] ^= (byte) (1 << random.nextInt(8));
      }
      if (random.nextInt(3) == 0) bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length + 1));
      Path file = write("fuzz.pcap", bytes);
      CaptureReader r;
      try {
        r = CaptureReader.open(file);
      } catch (PcapFormatException e) {
        assertThat(e.packetNumber()).isZero();
        assertThat(e.getMessage()).startsWith(file + ": ").doesNotContain("\n");
        refused++;
        continue;
      }
      try (r) {
        long records = 0;
        while (r.next()) {
          records++;
          assertThat(r.packetNumber()).isEqualTo(records);
          assertThat(records).as("records in %d bytes", bytes.length).isLessThanOrEqualTo(bytes.length / 16);
          assertThat(r.capturedLength()).isBetween(0, r.buffer().length);
          if (r.ipLength() >= 0) {
            assertThat(r.ipOffset() + r.ipLength()).isEqualTo(r.capturedLength());
            assertThat(r.ipVersion()).isIn(4, 6);
            assertThat(r.problem()).isNull();
          } else {
            assertThat(r.problem()).isNotBlank();
            assertThat(r.ipOffset()).isBetween(0, r.capturedLength());
          }
          assertThat(r.bytesRead()).isBetween(0L, r.fileSize());
        }
        if (r.error() != null) {
          assertThat(r.error().packetNumber()).isEqualTo(records + 1);
          assertThat(r.error().getMessage()).startsWith(file + ": packet ").doesNotContain("\n");
          errors++;
        } else {
          clean++;
        }
      }
    }
    // The damage was varied enough to reach each outcome.
    assertThat(refused).isPositive();
    assertThat(errors).isPositive();
    assertThat(clean).isPositive();
  }
}
