package dev.tcplab.core.tcp;

import static dev.tcplab.core.tcp.TwoStacks.SECOND;
import static dev.tcplab.core.tcp.TwoStacks.SERVER_ADDR;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tcplab.core.link.InMemoryLink;
import dev.tcplab.core.wire.Segment;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * A scripted application on top of {@link TwoStacks}, driven event by event: the client connects to
 * port 80, writes {@code payload} as fast as its send buffer allows, and closes once the server has read
 * it all; the server accepts, reads everything, and closes when it reads end of stream. Between two
 * timer or delivery events the applications act, so nothing waits for a polling tick.
 */
final class Transfer {
  final TwoStacks net;
  final byte[] payload;
  final TcpListener listener;
  final TcpSocket client;
  TcpSocket server;
  int written;
  final ByteArrayOutputStream received = new ByteArrayOutputStream();
  boolean clientClosed;
  boolean serverEof;
  boolean serverClosed;
  /** When false the server application does not read (flow-control scenarios). */
  boolean serverReads = true;

  private Transfer(TwoStacks net, byte[] payload) {
    this.net = net;
    this.payload = payload;
    this.listener = net.server.listen(80, 16);
    this.client = net.client.connect(SERVER_ADDR, 80);
  }

  /** Opens the connection (the SYN goes out now); nothing else has happened yet. */
  static Transfer start(TwoStacks net, byte[] payload) {
    return new Transfer(net, payload);
  }

  /** One round of application activity. */
  void act() {
    if (server == null) server = listener.accept();
    if (client.state() == TcpState.ESTABLISHED && written < payload.length) {
      written += client.write(payload, written, payload.length - written);
    }
    if (server != null && serverReads && !serverEof) readServer();
    if (!clientClosed && received.size() == payload.length
        && client.state() == TcpState.ESTABLISHED) {
      client.close();
      clientClosed = true;
    }
    if (serverEof && !serverClosed) {
      server.close();
      serverClosed = true;
    }
  }

  void readServer() {
    byte[] buf = new byte[65536];
    int n;
    while ((n = server.read(buf)) > 0) received.write(buf, 0, n);
    if (n < 0) serverEof = true;
  }

  /** Runs events, acting after each, until {@code done} holds; false when time ran out first. */
  boolean runUntil(BooleanSupplier done, long limitNanos) {
    long deadline = net.clock.nanos() + limitNanos;
    act();
    while (!done.getAsBoolean()) {
      if (!net.clock.runNext(deadline)) return false;
      act();
    }
    return true;
  }

  /** Both sides closed: the server CLOSED (LAST-ACK done), the client in TIME-WAIT or CLOSED. */
  boolean closedGracefully() {
    return serverClosed
        && server.state() == TcpState.CLOSED
        && (client.state() == TcpState.TIME_WAIT || client.state() == TcpState.CLOSED);
  }

  /** The whole scenario up to TIME-WAIT; false when it did not finish within {@code limitNanos}. */
  boolean runToCompletion(long limitNanos) {
    return runUntil(this::closedGracefully, limitNanos);
  }

  /** Lets TIME-WAIT run out. */
  void finishTimeWait() {
    net.run(net.client.profile().timeWaitNanos() + SECOND);
  }

  byte[] receivedBytes() {
    return received.toByteArray();
  }

  /**
   * The scenario's verdict: it finished within {@code limitNanos}, every byte arrived in order and
   * unchanged, and after TIME-WAIT both ends are CLOSED having ended gracefully (RFC 9293 §3.6).
   */
  void assertCompletesExactlyAndClosesGracefully(long limitNanos) {
    assertThat(runToCompletion(limitNanos)).as(this::diagnosis).isTrue();
    assertSameBytes(receivedBytes(), payload);
    finishTimeWait();
    assertThat(client.state()).as(this::diagnosis).isEqualTo(TcpState.CLOSED);
    assertThat(client.end()).as("client end").isEqualTo(ConnectionEnd.CLOSED_GRACEFULLY);
    assertThat(server.end()).as("server end").isEqualTo(ConnectionEnd.CLOSED_GRACEFULLY);
  }

  /** Byte-exact comparison that reports the first difference rather than two huge arrays. */
  static void assertSameBytes(byte[] actual, byte[] expected) {
    assertThat(actual.length).as("bytes received").isEqualTo(expected.length);
    assertThat(Arrays.mismatch(actual, expected)).as("index of the first differing byte").isEqualTo(-1);
  }

  /** What a failure message needs: states, TCBs, the tail of the wire and of the events. */
  String diagnosis() {
    StringBuilder sb = new StringBuilder();
    sb.append("t=").append(net.clock.nanos() / 1e9).append(" s; written ").append(written)
        .append(", received ").append(received.size()).append(" of ").append(payload.length)
        .append('\n');
    sb.append("client ").append(client.state()).append(' ').append(client.end()).append(' ')
        .append(client.tcbSummary()).append('\n');
    if (server != null) {
      sb.append("server ").append(server.state()).append(' ').append(server.end()).append(' ')
          .append(server.tcbSummary()).append('\n');
    } else {
      sb.append("server not accepted\n");
    }
    sb.append(tail(net));
    return sb.toString();
  }

  static String tail(TwoStacks net) {
    StringBuilder sb = new StringBuilder();
    List<InMemoryLink.WireEvent> log = net.link.log();
    sb.append("--- last wire lines (").append(log.size()).append(" in all)\n");
    for (InMemoryLink.WireEvent e : log.subList(Math.max(0, log.size() - 60), log.size())) {
      sb.append(e).append('\n');
    }
    List<String> ev = net.events;
    sb.append("--- last events (").append(ev.size()).append(" in all)\n");
    for (String e : ev.subList(Math.max(0, ev.size() - 30), ev.size())) sb.append(e).append('\n');
    return sb.toString();
  }

  // Wire helpers ---------------------------------------------------------------------------------

  /** The wire events sent by {@code src}, in order (including dropped ones). */
  static List<InMemoryLink.WireEvent> from(TwoStacks net, InetAddress src) {
    List<InMemoryLink.WireEvent> l = new ArrayList<>();
    for (InMemoryLink.WireEvent e : net.link.log()) {
      if (e.src().equals(src)) l.add(e);
    }
    return l;
  }

  /** Every transmission by {@code src} of a segment carrying data starting at {@code seq}. */
  static List<InMemoryLink.WireEvent> transmissionsOf(TwoStacks net, InetAddress src, int seq) {
    List<InMemoryLink.WireEvent> l = new ArrayList<>();
    for (InMemoryLink.WireEvent e : from(net, src)) {
      Segment s = e.segment();
      if (s.seq() == seq && (s.payloadLength() > 0 || s.isSyn() || s.isFin()) && !s.isRst()) l.add(e);
    }
    return l;
  }

  /** A fault that drops a segment of {@code src} when {@code which} says so. */
  @FunctionalInterface
  interface SegmentTest {
    boolean test(Segment s, int index);
  }

  static InMemoryLink.Fault dropFrom(InetAddress src, SegmentTest which) {
    return (s, d, seg, index) ->
        s.equals(src) && which.test(seg, index)
            ? InMemoryLink.Decision.DROP
            : InMemoryLink.Decision.DELIVER;
  }

  /** One variable of {@link TcpSocket#tcbSummary()}, e.g. "SND.WND", as printed (unsigned). */
  static long tcbField(TcpSocket s, String name) {
    for (String part : s.tcbSummary().split(" ")) {
      if (part.startsWith(name + "=")) return Long.parseLong(part.substring(name.length() + 1));
    }
    throw new IllegalArgumentException(name + " not in " + s.tcbSummary());
  }

  /** When each side's connection ended (the TCB was deleted). */
  static final class EndWatch {
    final Map<InetAddress, Long> endedAt = new HashMap<>();

    static EndWatch attach(TwoStacks net) {
      EndWatch w = new EndWatch();
      for (TcpStack stack : List.of(net.client, net.server)) {
        stack.addObserver(new TcpObserver() {
          @Override
          public void connectionEnded(ConnectionId id, ConnectionEnd how) {
            w.endedAt.putIfAbsent(stack.address(), net.clock.nanos());
          }
        });
      }
      return w;
    }

    Long at(InetAddress host) {
      return endedAt.get(host);
    }
  }
}
