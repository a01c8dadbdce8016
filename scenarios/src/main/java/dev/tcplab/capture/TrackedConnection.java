package dev.tcplab.capture;

import dev.tcplab.capture.ConnectionReport.Bytes;
import dev.tcplab.capture.ConnectionReport.Close;
import dev.tcplab.capture.ConnectionReport.Handshake;
import dev.tcplab.capture.ConnectionReport.Kind;
import dev.tcplab.capture.ConnectionReport.Options;
import dev.tcplab.core.wire.Segment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * One TCP connection as a capture shows it, updated packet by packet. It infers each side's
 * state from what crossed the capture point (RFC 9293 §3.3.2's diagram read from the outside), so
 * "state" means the state the side was in as far as the capture can tell.
 */
final class TrackedConnection {
  final int number;
  final long firstPacket;
  final long firstTime;
  final HalfConnection client;
  final HalfConnection server;
  private final Supplier<StreamObserver> observers;

  long lastPacket;
  long lastTime;
  FlowKey key;

  /** Ended and waiting in the analysis's lingering queue for late packets. */
  boolean lingering;
  boolean clientIsForward;
  boolean synAckSeen;
  boolean refused;

  /** The side whose FIN came first, and that FIN's packet. */
  Side firstFin;

  /** The side whose RST ended the connection (the first RST), with the state it was in. */
  Side resetBy;

  String resetState;
  long resetPacket = -1;
  long unackedAtResetClient = -1;
  long unackedAtResetServer = -1;
  long sentAtResetClient;
  long sentAtResetServer;
  boolean rstAfterFin;

  private StreamObserver observer;
  private StreamFeed clientFeed;
  private StreamFeed serverFeed;
  private boolean streamsDecided;

  TrackedConnection(
      int number,
      long packet,
      long time,
      String client,
      String server,
      Supplier<StreamObserver> observers) {
    this.number = number;
    this.firstPacket = packet;
    this.firstTime = time;
    this.lastPacket = packet;
    this.lastTime = time;
    this.client = new HalfConnection(Side.CLIENT, client);
    this.server = new HalfConnection(Side.SERVER, server);
    this.observers = observers;
  }

  HalfConnection half(Side side) {
    return side == Side.CLIENT ? client : server;
  }

  /** Whether the connection is over: refused, reset, or FIN both ways with both acknowledged. */
  boolean ended() {
    return refused || resetBy != null || (client.finAcked() && server.finAcked());
  }

  /**
   * One captured segment from {@code from}.
   *
   * @param onWire the payload length on the wire (the segment may hold fewer bytes: snaplen)
   */
  void segment(Side from, Segment s, int onWire, long packet, long time) {
    lastPacket = packet;
    lastTime = time;
    HalfConnection h = half(from);
    HalfConnection peer = half(from.other());
    h.packets++;
    if (!h.based) {
      h.base(s);
    } else if (s.isSyn() && (s.seq() & 0xffffffffL) == h.isn) {
      h.synRetransmissions++;
    }
    if (s.isSyn() && s.isAck()) synAckSeen = true;
    long start = s.isSyn() ? h.rel(s.seq()) + 1 : h.rel(s.seq());
    long dataEnd = start + onWire;

    if (s.isRst()) {
      reset(from, packet);
    }
    if (onWire > 0) {
      long fresh = Math.max(0, dataEnd - Math.max(start, h.dataEnd));
      long again = onWire - fresh;
      if (again > 0) {
        h.retransmittedBytes += again;
        h.retransmittedSegments++;
      }
      if (fresh > 0) {
        h.lastNewDataPacket = packet;
        if (peer.finSent()) h.dataAfterPeerFin += fresh;
        h.dataEnd = dataEnd;
      }
      feed(from, start - 1, s, onWire);
    }
    if (s.isFin()) {
      if (!h.finSent()) {
        h.finRel = dataEnd;
        h.finPacket = packet;
        h.finAcksPeerFin = s.isAck() && peer.finSent() && peer.based
            && peer.rel(s.ack()) > peer.finRel;
        if (firstFin == null) firstFin = from;
      }
      h.finTransmissions++;
    }
    h.maxEnd = Math.max(h.maxEnd, dataEnd + (s.isFin() ? 1 : 0));
    if (s.isAck() && peer.based) {
      long ack = peer.rel(s.ack());
      if (ack > peer.ackedByPeer && ack <= peer.maxEnd) peer.ackedByPeer = ack;
      if (peer.finSent() && !peer.finAcked() && peer.ackedByPeer > peer.finRel) {
        peer.finAckedPacket = packet;
      }
    }
    if (!s.isRst() && !s.isSyn() && s.window() == 0) h.lastZeroWindowPacket = packet;
  }

  private void reset(Side from, long packet) {
    if (resetBy != null || refused) return;
    HalfConnection h = half(from);
    if (from == Side.SERVER && !synAckSeen && client.synSeen && client.sent() == 0) {
      refused = true;
      h.rstPacket = packet;
      return;
    }
    if (client.finAcked() && server.finAcked()) {
      rstAfterFin = true; // after a complete close: it threw nothing away
      return;
    }
    resetBy = from;
    resetState = stateOf(from);
    resetPacket = packet;
    h.rstPacket = packet;
    rstAfterFin = client.finSent() || server.finSent();
    sentAtResetClient = client.sent();
    sentAtResetServer = server.sent();
    unackedAtResetClient = client.sent() - client.acked();
    unackedAtResetServer = server.sent() - server.acked();
  }

  /** The state {@code side} is in as far as the capture shows (RFC 9293 §3.3.2). */
  String stateOf(Side side) {
    HalfConnection me = half(side);
    HalfConnection peer = half(side.other());
    if (client.synSeen) {
      if (side == Side.CLIENT && !synAckSeen) return "SYN-SENT";
      if (side == Side.SERVER && !me.synSeen) return "LISTEN";
      if (side == Side.SERVER && server.ackedByPeer < 1) return "SYN-RECEIVED";
    }
    if (!me.finSent()) return peer.finSent() ? "CLOSE-WAIT" : "ESTABLISHED";
    if (me.finAcksPeerFin) return me.finAcked() ? "CLOSED" : "LAST-ACK";
    if (!peer.finSent()) return me.finAcked() ? "FIN-WAIT-2" : "FIN-WAIT-1";
    return me.finAcked() ? "TIME-WAIT" : "CLOSING";
  }

  private void feed(Side from, long offset, Segment s, int onWire) {
    if (!streamsDecided) {
      // Only a stream that starts like TLS is followed: plain TCP bulk data costs no copying.
      if (from != Side.CLIENT || offset != 0 || !client.synSeen) {
        streamsDecided = true;
        return;
      }
      streamsDecided = true;
      observer =
          s.payloadLength() > 0 && s.payloadByte(0) == 0x16 && observers != null
              ? observers.get()
              : null;
      if (observer == null) return;
      clientFeed = new StreamFeed(Side.CLIENT, observer);
      serverFeed = new StreamFeed(Side.SERVER, observer);
    }
    if (observer == null) return;
    StreamFeed f = from == Side.CLIENT ? clientFeed : serverFeed;
    // The payload is a view of the reader's buffer: StreamFeed copies only what it must hold.
    f.segment(offset, s.payloadArray(), s.payloadOffset(), s.payloadLength(), onWire);
  }

  /** The report, as of the packets seen so far. */
  ConnectionReport report() {
    if (observer != null) {
      clientFeed.finish();
      serverFeed.finish();
    }
    List<String> flags = new ArrayList<>();
    for (HalfConnection h : List.of(client, server)) {
      if (h.finTransmissions > 1) {
        flags.add("FIN retransmitted by " + h.side.label() + " (" + h.finTransmissions + " times)");
      }
      if (h.synRetransmissions > 0) {
        flags.add((h.side == Side.CLIENT ? "SYN" : "SYN-ACK") + " retransmitted by "
            + h.side.label() + " (" + (h.synRetransmissions + 1) + " times)");
      }
      HalfConnection peer = half(h.side.other());
      if (h.lastZeroWindowPacket > peer.lastNewDataPacket && peer.lastNewDataPacket >= 0
          && (h.finSent() || peer.finSent() || resetBy != null)) {
        flags.add("zero window at close: " + h.side.label() + " (receive buffer full)");
      }
    }
    if (rstAfterFin) flags.add("RST after FIN");
    Close close = close();
    ConnectionReport.Tls tls = observer == null ? null : observer.report(this);
    return new ConnectionReport(
        number,
        client.endpoint,
        server.endpoint,
        firstPacket,
        lastPacket,
        firstTime,
        lastTime,
        new Handshake(client.synSeen, options(client), options(server)),
        close,
        bytes(client),
        bytes(server),
        tls,
        flags,
        Verdicts.verdict(this, close, tls));
  }

  private Close close() {
    if (refused) {
      return new Close(Kind.REFUSED, "server", Side.SERVER, "LISTEN", server.rstPacket, 0, 0,
          List.of());
    }
    if (resetBy != null) {
      String first = firstFin != null && half(firstFin).finPacket < resetPacket
          ? firstFin.label() : resetBy.label();
      return new Close(Kind.RESET, first, resetBy, resetState, resetPacket,
          unackedAtResetClient, unackedAtResetServer, List.of());
    }
    if (client.finSent() && server.finSent()) {
      if (!client.finAcksPeerFin && !server.finAcksPeerFin) {
        return new Close(Kind.SIMULTANEOUS, "both", null, null, -1, -1, -1,
            List.of(Side.CLIENT, Side.SERVER));
      }
      Side first = client.finAcksPeerFin ? Side.SERVER : Side.CLIENT;
      Kind kind = half(first.other()).dataAfterPeerFin > 0 ? Kind.HALF_CLOSE : Kind.GRACEFUL;
      return new Close(kind, first.label(), null, null, -1, -1, -1, List.of(first));
    }
    return new Close(Kind.OPEN, firstFin == null ? null : firstFin.label(), null, null, -1, -1, -1,
        List.of());
  }

  private static Options options(HalfConnection h) {
    return h.synSeen ? new Options(h.mss, h.windowScale, h.sackPermitted, h.timestamps) : null;
  }

  private static Bytes bytes(HalfConnection h) {
    return new Bytes(h.sent(), h.acked(), h.retransmittedBytes, h.packets);
  }
}
