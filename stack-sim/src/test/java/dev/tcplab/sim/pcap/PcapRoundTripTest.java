package dev.tcplab.sim.pcap;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tcplab.core.wire.IpPacketCodec;
import dev.tcplab.core.wire.Segment;
import dev.tcplab.core.wire.TcpFlags;
import dev.tcplab.core.wire.TcpOption;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

class PcapRoundTripTest {
  private static final int CLIENT = 0x0a000001; // 10.0.0.1
  private static final int SERVER = 0x0a000002; // 10.0.0.2
  private static final int CLIENT_PORT = 40000;
  private static final int SERVER_PORT = 80;
  private static final int FILE_HEADER = 24;
  private static final int RECORD_HEADER = 16;

  /** A packet and the virtual time it was captured at. */
  private record Captured(long timeNanos, byte[] packet) {}

  /** Tests with this tag run also where libpcap is missing; the others are then skipped. */
  private static final String NO_LIBPCAP_NEEDED = "no-libpcap-needed";

  private static final boolean LIBPCAP = PcapReader.libpcapAvailable();

  @TempDir Path dir;

  @BeforeEach
  void skipWithoutLibpcap(TestInfo test) {
    if (!test.getTags().contains(NO_LIBPCAP_NEEDED)) {
      assumeTrue(LIBPCAP, "libpcap not installed: apt-get install libpcap0.8");
    }
  }


  /**
   * A complete HTTP/1.0-style exchange: handshake with Linux's SYN options, one request, one
   * response, and both FINs.
   */
  private static List<Captured> conversation() {
    byte[] request = "GET / HTTP/1.0\r\n\r\n".getBytes(US_ASCII);
    byte[] response = "HTTP/1.0 200 OK\r\n\r\n".getBytes(US_ASCII);
    int c = 1000; // client ISN
    int s = 5000; // server ISN
    List<Captured> l = new ArrayList<>();
    l.add(
        new Captured(
            0,
            client(
                Segment.builder()
                    .flags(TcpFlags.SYN)
                    .seq(c)
                    .window(64240)
                    .options(
                        new TcpOption.Mss(1460),
                        TcpOption.SackPermitted.INSTANCE,
                        new TcpOption.Timestamps(100, 0),
                        TcpOption.Nop.INSTANCE,
                        new TcpOption.WindowScale(7)),
                1)));
    l.add(
        new Captured(
            1_000_000_001L,
            server(
                Segment.builder()
                    .flags(TcpFlags.SYN | TcpFlags.ACK)
                    .seq(s)
                    .ack(c + 1)
                    .window(65160)
                    .options(
                        new TcpOption.Mss(1460),
                        TcpOption.SackPermitted.INSTANCE,
                        new TcpOption.Timestamps(200, 100),
                        TcpOption.Nop.INSTANCE,
                        new TcpOption.WindowScale(7)),
                1)));
    l.add(
        new Captured(
            1_000_500_000L,
            client(
                Segment.builder()
                    .flags(TcpFlags.ACK)
                    .seq(c + 1)
                    .ack(s + 1)
                    .window(502)
                    .timestamps(101, 200),
                2)));
    l.add(
        new Captured(
            1_001_000_000L,
            client(
                Segment.builder()
                    .flags(TcpFlags.PSH | TcpFlags.ACK)
                    .seq(c + 1)
                    .ack(s + 1)
                    .window(502)
                    .timestamps(101, 200)
                    .payload(request),
                3)));
    int c2 = c + 1 + request.length;
    l.add(
        new Captured(
            1_002_000_000L,
            server(
                Segment.builder()
                    .flags(TcpFlags.PSH | TcpFlags.ACK)
                    .seq(s + 1)
                    .ack(c2)
                    .window(509)
                    .timestamps(201, 101)
                    .payload(response),
                2)));
    int s2 = s + 1 + response.length;
    l.add(
        new Captured(
            1_002_000_001L,
            server(
                Segment.builder()
                    .flags(TcpFlags.FIN | TcpFlags.ACK)
                    .seq(s2)
                    .ack(c2)
                    .window(509)
                    .timestamps(201, 101),
                3)));
    l.add(
        new Captured(
            1_003_000_000L,
            client(
                Segment.builder()
                    .flags(TcpFlags.FIN | TcpFlags.ACK)
                    .seq(c2)
                    .ack(s2 + 1)
                    .window(502)
                    .timestamps(102, 201),
                4)));
    l.add(
        new Captured(
            1_004_000_000L,
            server(
                Segment.builder()
                    .flags(TcpFlags.ACK)
                    .seq(s2 + 1)
                    .ack(c2 + 1)
                    .window(509)
                    .timestamps(202, 102),
                4)));
    return l;
  }

  private static byte[] client(Segment.Builder b, int ipId) {
    Segment s = b.srcPort(CLIENT_PORT).dstPort(SERVER_PORT).build();
    return IpPacketCodec.encodeIpv4(CLIENT, SERVER, 64, ipId, s);
  }

  private static byte[] server(Segment.Builder b, int ipId) {
    Segment s = b.srcPort(SERVER_PORT).dstPort(CLIENT_PORT).build();
    return IpPacketCodec.encodeIpv4(SERVER, CLIENT, 64, 0x4000 + ipId, s);
  }

  private static Path write(Path file, List<Captured> packets) throws IOException {
    try (PcapWriter w = PcapWriter.open(file)) {
      for (Captured c : packets) w.write(c.timeNanos(), c.packet());
    }
    return file;
  }

  /** The file offset where record {@code number} (1-based) starts. */
  private static int recordOffset(List<Captured> packets, int number) {
    int off = FILE_HEADER;
    for (int i = 0; i < number - 1; i++) off += RECORD_HEADER + packets.get(i).packet().length;
    return off;
  }

  // ---------------------------------------------------------------------------------------------
  // Round trip and file format

  @Test
  void readsBackEveryPacketWithItsBytesAndNanosecondTimestamp() throws Exception {
    List<Captured> packets = conversation();
    Path file = write(dir.resolve("conversation.pcap"), packets);

    List<PcapRecord> records = PcapReader.readAll(file);

    assertThat(records).hasSameSizeAs(packets);
    for (int i = 0; i < packets.size(); i++) {
      Captured want = packets.get(i);
      PcapRecord got = records.get(i);
      assertThat(got.timeNanos()).as("time of packet %d", i + 1).isEqualTo(want.timeNanos());
      assertThat(got.data()).as("bytes of packet %d", i + 1).isEqualTo(want.packet());
      assertThat(got.originalLength()).isEqualTo(want.packet().length);
      assertThat(got)
          .isEqualTo(new PcapRecord(want.timeNanos(), want.packet(), want.packet().length));
    }
    assertThat(records.get(0).timeNanos()).isZero();
    assertThat(records.get(1).timeNanos()).isEqualTo(1_000_000_001L);
    assertThat(PcapReader.dataLinkType(file)).isEqualTo(PcapWriter.LINKTYPE_RAW).isEqualTo(101);
    // The decoded segment survives the trip too.
    assertThat(
            IpPacketCodec.decodeIpv4(records.get(3).data(), 0, records.get(3).data().length)
                .segment()
                .payload())
        .isEqualTo("GET / HTTP/1.0\r\n\r\n".getBytes(US_ASCII));
  }

  @Test
  void keepsTimestampsAtTheEdgesOfTheRange() throws IOException {
    byte[] p = conversation().get(0).packet();
    List<Captured> packets =
        List.of(
            new Captured(0, p),
            new Captured(1, p),
            new Captured(999_999_999L, p),
            new Captured(1_000_000_000L, p),
            new Captured(86_400_000_000_007L, p), // one virtual day and 7 ns
            new Captured(PcapWriter.MAX_TIME_NANOS, p));
    Path file = write(dir.resolve("times.pcap"), packets);

    assertThat(PcapReader.readAll(file))
        .extracting(PcapRecord::timeNanos)
        .containsExactly(
            0L, 1L, 999_999_999L, 1_000_000_000L, 86_400_000_000_007L, PcapWriter.MAX_TIME_NANOS);
  }

  @Test
  void writesAClassicNanosecondRawIpHeaderWithNoWallClockTime() throws IOException {
    List<Captured> packets = conversation();
    Path file = write(dir.resolve("header.pcap"), packets);
    byte[] bytes = Files.readAllBytes(file);

    // libpcap writes in the machine's byte order; the magic number tells which.
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (b.getInt(0) != 0xa1b23c4d) b.order(ByteOrder.BIG_ENDIAN);
    assertThat(b.getInt(0)).as("magic: nanosecond pcap").isEqualTo(0xa1b23c4d);
    assertThat(b.getShort(4)).as("major version").isEqualTo((short) 2);
    assertThat(b.getShort(6)).as("minor version").isEqualTo((short) 4);
    assertThat(b.getInt(8)).as("thiszone").isZero();
    assertThat(b.getInt(12)).as("sigfigs").isZero();
    assertThat(b.getInt(16)).as("snaplen").isEqualTo(PcapWriter.SNAPLEN);
    assertThat(b.getInt(20)).as("link type").isEqualTo(101);

    int off = FILE_HEADER;
    for (Captured c : packets) {
      int len = c.packet().length;
      assertThat(Integer.toUnsignedLong(b.getInt(off))).isEqualTo(c.timeNanos() / 1_000_000_000L);
      assertThat(b.getInt(off + 4)).isEqualTo((int) (c.timeNanos() % 1_000_000_000L));
      assertThat(b.getInt(off + 8)).as("captured length").isEqualTo(len);
      assertThat(b.getInt(off + 12)).as("original length").isEqualTo(len);
      assertThat(Arrays.copyOfRange(bytes, off + RECORD_HEADER, off + RECORD_HEADER + len))
          .isEqualTo(c.packet());
      off += RECORD_HEADER + len;
    }
    assertThat(bytes).hasSize(off);
  }

  @Test
  void sameInputsGiveByteIdenticalFiles() throws IOException {
    Path first = write(dir.resolve("first.pcap"), conversation());
    Path second = write(dir.resolve("second.pcap"), conversation());
    // Also over an existing file: it is truncated, not appended to.
    Path again = write(write(dir.resolve("again.pcap"), conversation()), conversation());

    assertThat(Files.readAllBytes(second)).isEqualTo(Files.readAllBytes(first));
    assertThat(Files.readAllBytes(again)).isEqualTo(Files.readAllBytes(first));
    assertThat(Files.mismatch(first, second)).isEqualTo(-1L);
  }

  @Test
  void theDirectLibpcapCallWritesWhatPcap4jWouldWrite() throws IOException {
    // The fast path is bound here (a fallback would pass the comparison below unnoticed).
    assertThat(LibpcapDirect.problem()).isNull();
    List<Captured> packets = new ArrayList<>(conversation());
    byte[] p = packets.get(0).packet();
    packets.add(new Captured(86_400_000_000_007L, p));
    // Beyond the 1 MiB stdio buffer the direct path gives libpcap: it is emptied several times.
    java.util.Random random = new java.util.Random(7);
    for (int i = 0; i < 2_000; i++) {
      byte[] big = new byte[1 + random.nextInt(1500)];
      random.nextBytes(big);
      packets.add(new Captured(2_000_000_000L + i, big));
    }
    packets.add(new Captured(PcapWriter.MAX_TIME_NANOS, new byte[PcapWriter.SNAPLEN]));
    Path direct = dir.resolve("direct.pcap");
    Path viaPcap4j = dir.resolve("pcap4j.pcap");
    try (PcapWriter w = PcapWriter.open(direct, true)) {
      for (Captured c : packets) w.write(c.timeNanos(), c.packet());
    }
    try (PcapWriter w = PcapWriter.open(viaPcap4j, false)) {
      for (Captured c : packets) w.write(c.timeNanos(), c.packet());
    }

    assertThat(Files.size(direct)).isGreaterThan(1 << 20);
    assertThat(Files.mismatch(direct, viaPcap4j)).as("first differing byte").isEqualTo(-1L);
  }

  @Test
  void anEmptyCaptureIsJustTheHeader() throws IOException {
    Path file = write(dir.resolve("empty-capture.pcap"), List.of());

    assertThat(Files.size(file)).isEqualTo(FILE_HEADER);
    assertThat(PcapReader.readAll(file)).isEmpty();
    assertThat(PcapReader.dataLinkType(file)).isEqualTo(101);
  }

  // ---------------------------------------------------------------------------------------------
  // Wireshark's view

  @Test
  void tsharkFindsNothingWrongWithTheConversation() throws IOException {
    assumeTrue(Tshark.available(), Tshark.MISSING);
    Path file = write(dir.resolve("clean.pcap"), conversation());

    assertThat(Tshark.problems(file)).isEmpty();
    List<String> expert = Tshark.run("-n", "-r", file.toString(), "-q", "-z", "expert");
    assertThat(String.join("\n", expert))
        .doesNotContain("Malformed", "Warns (", "Errors (", "Bad checksum");
  }

  @Test
  void tsharkCatchesACorruptedChecksum() throws IOException {
    assumeTrue(Tshark.available(), Tshark.MISSING);
    List<Captured> packets = new ArrayList<>(conversation());
    byte[] bad = packets.get(3).packet().clone();
    bad[bad.length - 1] ^= 0x01; // a payload byte: the TCP checksum no longer matches
    packets.set(3, new Captured(packets.get(3).timeNanos(), bad));
    Path file = write(dir.resolve("bad-checksum.pcap"), packets);

    // The check above is not vacuous: a damaged packet is reported, by its frame number.
    assertThat(Tshark.problems(file)).singleElement().asString().startsWith("4\t");
  }

  @Test
  void tsharkListsTheConversation() throws IOException {
    assumeTrue(Tshark.available(), Tshark.MISSING);
    Path file = write(dir.resolve("fields.pcap"), conversation());

    List<String> lines =
        Tshark.fields(
            file, "frame.time_epoch", "ip.src", "tcp.srcport", "tcp.flags.str", "tcp.len");

    // tcp.flags.str is like "·······A··S·"; keep the letters, which come in the order ..APRSF.
    List<String> normalised = new ArrayList<>();
    for (String line : lines) {
      String[] f = line.split("\t", -1);
      assertThat(f).hasSize(5);
      normalised.add(String.join(" ", f[0], f[1], f[2], f[3].replaceAll("[^A-Z]", ""), f[4]));
    }
    assertThat(normalised)
        .containsExactly(
            "0.000000000 10.0.0.1 40000 S 0",
            "1.000000001 10.0.0.2 80 AS 0",
            "1.000500000 10.0.0.1 40000 A 0",
            "1.001000000 10.0.0.1 40000 AP 18",
            "1.002000000 10.0.0.2 80 AP 19",
            "1.002000001 10.0.0.2 80 AF 0",
            "1.003000000 10.0.0.1 40000 AF 0",
            "1.004000000 10.0.0.2 80 A 0");
  }

  @Test
  void tsharkSeesTheLinkTypeAndPrecision() throws IOException {
    assumeTrue(Tshark.available(), Tshark.MISSING);
    Path file = write(dir.resolve("capinfo.pcap"), conversation());

    List<String> lines = Tshark.fields(file, "frame.encap_type", "frame.protocols");

    assertThat(lines).hasSize(8);
    // Wiretap's encapsulation 7 is WTAP_ENCAP_RAW_IP; no link layer comes before "ip".
    assertThat(lines).allSatisfy(l -> assertThat(l).startsWith("7\traw:ip:tcp"));
  }

  // ---------------------------------------------------------------------------------------------
  // Damaged input

  @Test
  void aFileCutInTheMiddleOfARecordNamesThePacket() throws IOException {
    List<Captured> packets = conversation();
    byte[] whole = Files.readAllBytes(write(dir.resolve("whole.pcap"), packets));
    int third = recordOffset(packets, 3);
    Path cut = dir.resolve("cut-in-packet-3.pcap");
    Files.write(cut, Arrays.copyOf(whole, third + RECORD_HEADER + 5)); // 5 bytes of packet 3

    PcapFormatException e =
        catchThrowableOfType(PcapFormatException.class, () -> PcapReader.readAll(cut));

    assertThat(e).isNotNull();
    assertThat(e.packetNumber()).isEqualTo(3);
    assertThat(e.file()).isEqualTo(cut);
    assertThat(e.getMessage())
        .startsWith(cut + ": packet 3 ")
        .contains("truncated")
        .doesNotContain("\n");
  }

  @Test
  void aFileCutInARecordHeaderNamesThePacket() throws IOException {
    List<Captured> packets = conversation();
    byte[] whole = Files.readAllBytes(write(dir.resolve("whole.pcap"), packets));
    Path cut = dir.resolve("cut-in-header-of-packet-2.pcap");
    Files.write(cut, Arrays.copyOf(whole, recordOffset(packets, 2) + 7));

    assertThatThrownBy(() -> PcapReader.readAll(cut))
        .isInstanceOf(PcapFormatException.class)
        .hasMessageStartingWith(cut + ": packet 2 ")
        .extracting(t -> ((PcapFormatException) t).packetNumber())
        .isEqualTo(2L);
  }

  @Test
  void aRecordLongerThanAnyPacketNamesThePacket() throws IOException {
    List<Captured> packets = conversation();
    byte[] bytes = Files.readAllBytes(write(dir.resolve("whole.pcap"), packets));
    int second = recordOffset(packets, 2);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
    b.putInt(second + 8, 0x7fff_0000); // captured length
    b.putInt(second + 12, 0x7fff_0000); // original length
    Path damaged = dir.resolve("huge-record-2.pcap");
    Files.write(damaged, bytes);

    assertThatThrownBy(() -> PcapReader.readAll(damaged))
        .isInstanceOf(PcapFormatException.class)
        .hasMessageStartingWith(damaged + ": packet 2 ");
  }

  @Test
  void aGarbageFileNamesTheFile() throws IOException {
    Path garbage = dir.resolve("notes.pcap");
    Files.writeString(
        garbage, "these are notes, not a capture\n".repeat(20), StandardCharsets.UTF_8);

    PcapFormatException e =
        catchThrowableOfType(PcapFormatException.class, () -> PcapReader.readAll(garbage));

    assertThat(e).isNotNull();
    assertThat(e.packetNumber()).isZero();
    assertThat(e.getMessage())
        .isEqualTo(garbage + ": not a readable pcap or pcapng file: unknown file format");
    assertThatThrownBy(() -> PcapReader.dataLinkType(garbage))
        .isInstanceOf(PcapFormatException.class)
        .hasMessageStartingWith(garbage + ": ");
  }

  @Test
  void emptyAndShortFilesNameTheFile() throws IOException {
    Path empty = Files.createFile(dir.resolve("empty.pcap"));
    Path shortFile = dir.resolve("short.pcap");
    Files.write(
        shortFile,
        Arrays.copyOf(Files.readAllBytes(write(dir.resolve("w.pcap"), conversation())), 10));

    assertThatThrownBy(() -> PcapReader.readAll(empty))
        .isInstanceOf(PcapFormatException.class)
        .hasMessage(empty + ": not a readable pcap or pcapng file: the file is empty");
    assertThatThrownBy(() -> PcapReader.readAll(shortFile))
        .isInstanceOf(PcapFormatException.class)
        .hasMessageStartingWith(shortFile + ": not a readable pcap or pcapng file: ")
        .hasMessageContaining("truncated");
  }

  @Test
  void aMissingFileOrADirectoryNamesThePath() {
    Path missing = dir.resolve("missing.pcap");

    assertThatThrownBy(() -> PcapReader.readAll(missing))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessage(missing.toString());
    assertThatThrownBy(() -> PcapReader.readAll(dir))
        .isInstanceOf(PcapFormatException.class)
        .hasMessageStartingWith(dir + ": ");
  }

  // ---------------------------------------------------------------------------------------------
  // Writer errors and argument checks

  @Test
  void anUnwritablePathNamesThePath() {
    Path noDir = dir.resolve("no-such-dir").resolve("out.pcap");

    assertThatThrownBy(() -> PcapWriter.open(noDir))
        .isInstanceOf(IOException.class)
        .hasMessage("cannot create pcap file " + noDir + ": No such file or directory");
    assertThatThrownBy(() -> PcapWriter.open(dir))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("cannot create pcap file " + dir + ": ");
  }

  @Test
  void aWriteErrorSurfacesAtClose() {
    Path full = Path.of("/dev/full");
    assumeTrue(Files.isWritable(full), "no /dev/full on this system");

    assertThatThrownBy(
            () -> {
              try (PcapWriter w = PcapWriter.open(full)) {
                w.write(0, conversation().get(0).packet());
              }
            })
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("cannot write pcap file /dev/full: ");
  }

  @Test
  void rejectsWhatAPcapFileCannotHold() throws IOException {
    byte[] p = conversation().get(0).packet();
    Path file = dir.resolve("args.pcap");
    PcapWriter w = PcapWriter.open(file);
    try {
      assertThat(w.file()).isEqualTo(file);
      assertThatThrownBy(() -> w.write(-1, p)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> w.write(PcapWriter.MAX_TIME_NANOS + 1, p))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> w.write(0, new byte[0]))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> w.write(0, new byte[PcapWriter.SNAPLEN + 1]))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> w.write(0, null)).isInstanceOf(NullPointerException.class);
      w.write(5, p);
    } finally {
      w.close();
    }
    w.close(); // closing twice is harmless
    assertThatThrownBy(() -> w.write(6, p))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    // Nothing rejected reached the file.
    assertThat(PcapReader.readAll(file)).containsExactly(new PcapRecord(5, p, p.length));
  }

  @Test
  @Tag(NO_LIBPCAP_NEEDED)
  void recordsCopyTheirBytes() {
    byte[] data = {0x45, 0, 0, 20};
    PcapRecord r = new PcapRecord(7, data, 4);
    data[0] = 0;
    r.data()[1] = 9;

    assertThat(r.data()).containsExactly(0x45, 0, 0, 20);
    assertThat(r).isEqualTo(new PcapRecord(7, new byte[] {0x45, 0, 0, 20}, 4));
    assertThat(r).hasSameHashCodeAs(new PcapRecord(7, new byte[] {0x45, 0, 0, 20}, 4));
    assertThatThrownBy(() -> new PcapRecord(0, data, 3))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // ---------------------------------------------------------------------------------------------
  // Without libpcap

  /**
   * In a JVM that cannot load libpcap (pcap4j is pointed at a library name that does not exist),
   * every call gives the same one-line message, and nothing is printed on the way.
   */
  @Test
  @Tag(NO_LIBPCAP_NEEDED)
  void withoutLibpcapEveryCallSaysWhatToInstallInOneLine() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path stdout = dir.resolve("probe.out");
    Path stderr = dir.resolve("probe.err");
    Process p =
        new ProcessBuilder(
                java.toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "-Dorg.pcap4j.core.pcapLibName=tcplab-no-such-libpcap",
                NoLibpcapProbe.class.getName(),
                dir.toString())
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile())
            .start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("probe finished").isTrue();

    assertThat(Files.readString(stderr)).as("stderr").isEmpty();
    assertThat(p.exitValue()).isZero();
    String want =
        " needs the native libpcap library (Debian: apt-get install libpcap0.8): Unable to load"
            + " library 'tcplab-no-such-libpcap': ";
    List<String> lines = Files.readAllLines(stdout);
    assertThat(lines).hasSize(6);
    assertThat(lines.get(0)).startsWith("PcapUnavailableException: pcap output" + want);
    assertThat(lines.get(1))
        .as("the second call, which pcap4j fails differently")
        .isEqualTo(lines.get(0));
    assertThat(lines.get(2)).startsWith("PcapUnavailableException: pcap input" + want);
    assertThat(lines.get(3)).isEqualTo(lines.get(2));
    assertThat(lines.get(4)).as("CaptureReader").isEqualTo(lines.get(2));
    assertThat(lines.get(5)).isEqualTo(lines.get(2));
  }

  /** Run in a separate JVM by the test above: prints one line per failed call. */
  static final class NoLibpcapProbe {
    private NoLibpcapProbe() {}

    public static void main(String[] args) {
      Path dir = Path.of(args[0]);
      List<ThrowingCall> calls =
          List.of(
              () -> PcapWriter.open(dir.resolve("a.pcap")),
              () -> PcapWriter.open(dir.resolve("b.pcap")),
              () -> PcapReader.readAll(dir.resolve("probe.out")),
              () -> PcapReader.dataLinkType(dir.resolve("probe.out")),
              () -> CaptureReader.open(dir.resolve("probe.out")),
              () -> CaptureReader.open(dir.resolve("probe.out")));
      for (ThrowingCall c : calls) {
        try {
          c.call();
          System.out.println("no exception");
        } catch (Exception e) {
          System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
      }
    }

    private interface ThrowingCall {
      void call() throws Exception;
    }
  }
}
