package dev.tcplab.core.tcp;

import static dev.tcplab.core.tcp.TwoStacks.CLIENT_ADDR;
import static dev.tcplab.core.tcp.TwoStacks.SERVER_ADDR;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tcplab.core.link.InMemoryLink;
import dev.tcplab.core.wire.Segment;
import dev.tcplab.core.wire.SeqNum;
import dev.tcplab.core.wire.TcpFlags;
import dev.tcplab.core.wire.TcpOption;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The wire of a {@link TwoStacks} pair seen the way {@code tcpdump} shows it by default: sequence and
 * acknowledgment numbers relative to each side's ISN, e.g. {@code "F. 6:6(0) ack 8"} (flags, seq:end(len),
 * ack). A mark makes "what went out since" easy to assert; dropped segments carry {@code " [DROP]"}.
 * It also builds hand-made segments that look as if they came from one side of the connection, for
 * injection with {@link TcpStack#receive}.
 */
final class WireView {
  private final TwoStacks net;
  /** The client's ISS; the server's IRS. */
  final int clientIss;
  /** The server's ISS; the client's IRS. */
  final int serverIss;

  private int mark;

  WireView(TwoStacks net) {
    this.net = net;
    this.clientIss = issOf(net.clientSent(), "client");
    this.serverIss = issOf(net.serverSent(), "server");
  }

  private static int issOf(List<Segment> sent, String who) {
    for (Segment s : sent) {
      if (s.isSyn()) return s.seq();
    }
    throw new IllegalStateException("The " + who + " sent no SYN yet");
  }

  /** Remembers the current end of the wire log; {@link #client()}/{@link #server()} look after it. */
  WireView mark() {
    mark = net.link.log().size();
    return this;
  }

  /** Absolute sequence number of the client's relative {@code rel} (ISS = 0). */
  int clientSeq(long rel) {
    return SeqNum.plus(clientIss, rel);
  }

  /** Absolute sequence number of the server's relative {@code rel} (ISS = 0). */
  int serverSeq(long rel) {
    return SeqNum.plus(serverIss, rel);
  }

  /** What the client sent since the mark, relative. */
  List<String> client() {
    List<String> l = new ArrayList<>();
    for (InMemoryLink.WireEvent e : clientEvents()) l.add(line(e, clientIss, serverIss));
    return l;
  }

  /** What the server sent since the mark, relative. */
  List<String> server() {
    List<String> l = new ArrayList<>();
    for (InMemoryLink.WireEvent e : serverEvents()) l.add(line(e, serverIss, clientIss));
    return l;
  }

  List<InMemoryLink.WireEvent> clientEvents() {
    return eventsFrom(CLIENT_ADDR);
  }

  List<InMemoryLink.WireEvent> serverEvents() {
    return eventsFrom(SERVER_ADDR);
  }

  private List<InMemoryLink.WireEvent> eventsFrom(InetAddress src) {
    List<InMemoryLink.WireEvent> log = net.link.log();
    List<InMemoryLink.WireEvent> l = new ArrayList<>();
    for (int i = mark; i < log.size(); i++) {
      if (log.get(i).src().equals(src)) l.add(log.get(i));
    }
    return l;
  }

  private static String line(InMemoryLink.WireEvent e, int ownIss, int peerIss) {
    String s = relative(e.segment(), ownIss, peerIss);
    return e.action() == InMemoryLink.Action.DELIVER ? s : s + " [" + e.action() + "]";
  }

  /** {@code "F. 6:6(0) ack 8"}: seq relative to {@code ownIss}, ack relative to {@code peerIss}. */
  static String relative(Segment s, int ownIss, int peerIss) {
    int seq = s.seq() - ownIss;
    int len = s.payloadLength();
    StringBuilder sb = new StringBuilder(TcpFlags.toString(s.flags()));
    sb.append(' ').append(SeqNum.unsigned(seq)).append(':').append(SeqNum.unsigned(seq + len));
    sb.append('(').append(len).append(')');
    if (s.isAck()) sb.append(" ack ").append(SeqNum.unsigned(s.ack() - peerIss));
    return sb.toString();
  }

  /** The whole wire, for failure messages. */
  @Override
  public String toString() {
    return net.wire();
  }

  // ---------------------------------------------------------------------------------------------
  // Hand-made segments

  /** A segment from the server's port to {@code client}'s port, with nothing else set. */
  static Segment.Builder bareToward(TcpSocket socket) {
    return Segment.builder().srcPort(socket.id().remotePort()).dstPort(socket.id().localPort());
  }

  /**
   * A segment that looks like the next one from the server to {@code client}: its ports, the window and
   * timestamps (TSval = the last one the server sent, so PAWS passes) of the server's latest segment.
   */
  Segment.Builder fromServer(TcpSocket client) {
    return lookalike(client, SERVER_ADDR);
  }

  /** A segment that looks like the next one from the client to {@code server}. */
  Segment.Builder fromClient(TcpSocket server) {
    return lookalike(server, CLIENT_ADDR);
  }

  private Segment.Builder lookalike(TcpSocket to, InetAddress src) {
    Segment.Builder b = bareToward(to).window(1000);
    List<Segment> sent = net.sentBy(src);
    boolean windowSet = false;
    boolean timestampsSet = false;
    for (int i = sent.size() - 1; i >= 0 && !(windowSet && timestampsSet); i--) {
      Segment s = sent.get(i);
      if (s.isRst()) continue;
      if (!windowSet && !s.isSyn()) { // a SYN's window is never scaled (RFC 7323 §2.2)
        b.window(s.window());
        windowSet = true;
      }
      TcpOption.Timestamps ts = s.timestamps();
      if (!timestampsSet && ts != null) {
        b.options(TcpOption.Nop.INSTANCE, TcpOption.Nop.INSTANCE, ts);
        timestampsSet = true;
      }
    }
    return b;
  }

  /** A bare RST (no ACK, no options) as if from the server to {@code client}, SEQ the server's {@code rel}. */
  Segment rstFromServer(TcpSocket client, long rel) {
    return bareToward(client).seq(serverSeq(rel)).flags(TcpFlags.RST).build();
  }

  /** A pure ACK like the server's next segment to {@code client}; SEQ and ACK relative to the ISNs. */
  Segment ackFromServer(TcpSocket client, long seqRel, long ackRel) {
    return fromServer(client).seq(serverSeq(seqRel)).ack(clientSeq(ackRel)).flags(TcpFlags.ACK).build();
  }

  /** A pure ACK like the client's next segment to {@code server}; SEQ and ACK relative to the ISNs. */
  Segment ackFromClient(TcpSocket server, long seqRel, long ackRel) {
    return fromClient(server).seq(clientSeq(seqRel)).ack(serverSeq(ackRel)).flags(TcpFlags.ACK).build();
  }

  void injectToClient(Segment seg) {
    net.client.receive(SERVER_ADDR, CLIENT_ADDR, seg);
  }

  void injectToServer(Segment seg) {
    net.server.receive(CLIENT_ADDR, SERVER_ADDR, seg);
  }

  // ---------------------------------------------------------------------------------------------
  // Socket calls

  /** The connection of {@code s} is over: the socket is CLOSED and ended {@code how}. */
  static void assertClosed(TcpSocket s, ConnectionEnd how) {
    assertThat(s.state()).as("state of %s", s).isEqualTo(TcpState.CLOSED);
    assertThat(s.end()).as("end of %s", s).isEqualTo(how);
  }

  /** The error a socket call fails with; an assertion error if it returns normally. */
  static SocketError errorOf(Runnable call) {
    try {
      call.run();
    } catch (TcpSocketException e) {
      return e.error();
    }
    throw new AssertionError("Expected the call to fail with a TcpSocketException, but it returned");
  }

  /** Everything readable now (stops at 0, -1 or an error, which is left for the next read). */
  static byte[] readAvailable(TcpSocket s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[65536];
    while (s.available() > 0) {
      int n = s.read(buf);
      if (n <= 0) break;
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }
}
