package dev.tcplab.capture;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.tcplab.capture.tls.NssKeyLog;
import dev.tcplab.core.wire.CapturedPacket;
import dev.tcplab.core.wire.IpPacket;
import dev.tcplab.core.wire.IpPacketCodec;
import dev.tcplab.core.wire.Ipv4Header;
import dev.tcplab.core.wire.Ipv6Header;
import dev.tcplab.core.wire.MalformedPacketException;
import dev.tcplab.core.wire.Segment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Follows every TCP connection of a capture, packet by packet, and hands each connection's {@link
 * ConnectionReport} to a sink once the connection is over.
 *
 * <p>Memory is bounded by the connections open at one time, not by the file: a connection that has
 * ended (refused, reset, or FIN both ways acknowledged) is reported and forgotten once {@link
 * #LINGER_NANOS} of capture time pass without a packet for it (time enough for TIME-WAIT's
 * retransmitted FINs and late RSTs to be counted), when more than {@link #MAX_LINGERING} ended
 * connections wait (the one that ended first goes), or when a new SYN reuses its ports. Packets
 * that come for a connection already reported are counted as late, not taken for a new
 * connection (the last {@link #MAX_REMEMBERED} reported port pairs are remembered). Reports
 * therefore come in the order connections end; those still open at the end of the capture
 * come last, in the order they started. {@link ConnectionReport#number} numbers connections in the
 * order of their first packet.
 */
public final class CaptureAnalysis {
  /** How long an ended connection is kept for late packets, in capture time. */
  public static final long LINGER_NANOS = 60_000_000_000L;

  /**
   * Ended connections kept at most for late packets; beyond that the one that ended first is
   * reported at once. With {@link #LINGER_NANOS} this bounds memory by the open connections.
   */
  public static final int MAX_LINGERING = 1024;

  /** Ports of reported connections remembered, so that their late packets are not taken for new. */
  static final int MAX_REMEMBERED = 1 << 16;

  /** Problems kept word for word; beyond that they are only counted. */
  public static final int MAX_PROBLEMS = 100;

  private static final int SWEEP_EVERY = 1 << 16;

  private final Consumer<ConnectionReport> sink;
  private final Supplier<StreamObserver> observers;
  private SegmentListener listener;
  private final Map<FlowKey, TrackedConnection> connections = new HashMap<>();
  private final ArrayDeque<TrackedConnection> lingering = new ArrayDeque<>();
  private final Map<FlowKey, Boolean> reported =
      new LinkedHashMap<>(16, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<FlowKey, Boolean> eldest) {
          return size() > MAX_REMEMBERED;
        }
      };
  private long latePackets;
  private final List<CaptureProblem> problems = new ArrayList<>();
  private long problemCount;
  private long packets;
  private long tcpPackets;
  private long otherPackets;
  private int nextNumber = 1;
  private long sinceSweep;
  private boolean finished;

  /**
   * @param observers makes a stream observer (TLS) for a connection whose client stream starts
   *     like TLS; null follows no payload
   */
  CaptureAnalysis(Consumer<ConnectionReport> sink, Supplier<StreamObserver> observers) {
    this.sink = checkNotNull(sink);
    this.observers = observers;
  }

  /** Sees every TCP segment with the connection it belongs to (replay records one connection). */
  interface SegmentListener {
    void segment(TrackedConnection c, Side from, Segment s, int onWire, long packet, long time);
  }

  void listen(SegmentListener l) {
    this.listener = l;
  }

  /**
   * Follows TCP and the TLS of connections whose client stream starts like TLS, decrypting alerts
   * with {@code keys} ({@link NssKeyLog#empty()} when there is no key log).
   */
  public static CaptureAnalysis withTls(Consumer<ConnectionReport> sink, NssKeyLog keys) {
    checkNotNull(keys, "keys");
    return new CaptureAnalysis(sink, () -> new TlsCheck(keys));
  }

  /** Follows plain TCP only (no TLS). */
  public static CaptureAnalysis tcpOnly(Consumer<ConnectionReport> sink) {
    return new CaptureAnalysis(sink, null);
  }

  /**
   * One captured IP packet (IPv4 or IPv6), {@code b[off, off+len)}: the captured bytes, which may
   * stop short of the packet's length when the capture's snapshot length cut it.
   *
   * @param packet the record's number in the file (1-based), for reports and problems
   */
  public void packet(long packet, long timeNanos, byte[] b, int off, int len) {
    packets++;
    CapturedPacket captured;
    try {
      captured = IpPacketCodec.decodeCaptured(b, off, len);
    } catch (MalformedPacketException e) {
      if (e.problem() == MalformedPacketException.Problem.NOT_TCP) {
        otherPackets++;
      } else {
        problem(packet, e.getMessage());
      }
      return;
    }
    tcpPackets++;
    IpPacket ip = captured.packet();
    Segment s = ip.segment();
    int onWire = captured.payloadOnWire();
    FlowKey key = FlowKey.of(ip.header(), s.srcPort(), s.dstPort());
    boolean forward = key.isForward(ip.header(), s.srcPort());
    TrackedConnection c = connections.get(key);
    if (c != null && s.isSyn() && !s.isAck() && c.ended() && isNewSyn(c, s)) {
      if (c.lingering) lingering.remove(c);
      report(c); // the ports are reused by a new connection
      c = null;
    }
    if (c == null && !s.isSyn() && reported.containsKey(key)) {
      latePackets++; // a retransmitted FIN or a RST after a connection already reported
      return;
    }
    if (c == null) {
      // The client sent the first SYN; a SYN-ACK seen first came from the server; else guess the
      // sender of the first packet.
      boolean senderIsClient = !(s.isSyn() && s.isAck());
      String src = endpoint(ip.header(), true, s.srcPort());
      String dst = endpoint(ip.header(), false, s.dstPort());
      c = new TrackedConnection(nextNumber++, packet, timeNanos,
          senderIsClient ? src : dst, senderIsClient ? dst : src, observers);
      c.clientIsForward = senderIsClient == forward;
      c.key = key;
      connections.put(key, c);
    }
    Side from = forward == c.clientIsForward ? Side.CLIENT : Side.SERVER;
    c.segment(from, s, onWire, packet, timeNanos);
    if (listener != null) listener.segment(c, from, s, onWire, packet, timeNanos);
    if (!c.lingering && c.ended()) {
      c.lingering = true;
      lingering.addLast(c);
      if (lingering.size() > MAX_LINGERING) report(lingering.pollFirst());
    }
    if (++sinceSweep >= SWEEP_EVERY) {
      sinceSweep = 0;
      sweep(timeNanos);
    }
  }

  /**
   * A record that could not be analysed (not IP, damaged link header...): counted and kept as a
   * problem with its packet number.
   */
  public void problem(long packet, String what) {
    problemCount++;
    if (problems.size() < MAX_PROBLEMS) problems.add(new CaptureProblem(packet, what));
  }

  /** A record that is not IP (ARP, ...): counted, not a problem. */
  public void notIp() {
    packets++;
    otherPackets++;
  }

  /** The end of the capture: reports every connection still followed, in order of their start. */
  public void finish() {
    if (finished) return;
    finished = true;
    List<TrackedConnection> rest = new ArrayList<>(connections.values());
    connections.clear();
    lingering.clear();
    rest.sort(Comparator.comparingInt(c -> c.number));
    for (TrackedConnection c : rest) sink.accept(c.report());
  }

  public long packets() {
    return packets;
  }

  public long tcpPackets() {
    return tcpPackets;
  }

  /** Packets of connections already reported (TIME-WAIT retransmissions, late RSTs). */
  public long latePackets() {
    return latePackets;
  }

  /** Packets that are IP but not TCP, or not IP at all. */
  public long otherPackets() {
    return otherPackets;
  }

  /** Connections followed so far. */
  public int connections() {
    return nextNumber - 1;
  }

  /** Connections held in memory now. */
  public int openConnections() {
    return connections.size();
  }

  /** The first {@link #MAX_PROBLEMS} problems. */
  public List<CaptureProblem> problems() {
    return List.copyOf(problems);
  }

  public long problemCount() {
    return problemCount;
  }

  private static boolean isNewSyn(TrackedConnection c, Segment s) {
    HalfConnection client = c.client;
    return !client.synSeen || (s.seq() & 0xffffffffL) != client.isn;
  }

  private void sweep(long now) {
    List<TrackedConnection> done = new ArrayList<>();
    for (Iterator<TrackedConnection> it = lingering.iterator(); it.hasNext(); ) {
      TrackedConnection c = it.next();
      if (now - c.lastTime > LINGER_NANOS) {
        done.add(c);
        it.remove();
      }
    }
    done.sort(Comparator.comparingInt(c -> c.number));
    for (TrackedConnection c : done) report(c);
  }

  /**
   * Reports an ended connection and forgets it, remembering its ports for late packets; the caller
   * has taken it out of {@link #lingering}.
   */
  private void report(TrackedConnection c) {
    if (connections.get(c.key) == c) connections.remove(c.key);
    reported.put(c.key, Boolean.TRUE);
    sink.accept(c.report());
  }

  private static String endpoint(
      dev.tcplab.core.wire.IpHeader h, boolean source, int port) {
    if (h instanceof Ipv4Header v4) {
      return Ipv4Header.toString(source ? v4.src() : v4.dst()) + ":" + port;
    }
    Ipv6Header v6 = (Ipv6Header) h;
    return "[" + Ipv6Header.toString(source ? v6.src() : v6.dst()) + "]:" + port;
  }

  /** A record of the capture that could not be analysed. */
  public record CaptureProblem(long packet, String what) {
    @Override
    public String toString() {
      return "packet " + packet + ": " + what;
    }
  }
}
