package dev.tcplab.tls;

import dev.tcplab.core.wire.SeqNum;
import dev.tcplab.core.wire.TcpFlags;
import dev.tcplab.sim.Network;
import dev.tcplab.sim.trace.TraceEvent;
import dev.tcplab.sim.trace.TraceEvent.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/** What the trace of a TLS run says: the RST decisions, the segments each host sent, when. */
final class TlsTrace {
  private final List<TraceEvent> events;

  TlsTrace(Network net) {
    this.events = net.trace().events();
  }

  List<TraceEvent> events() {
    return events;
  }

  /** Events of {@code kind} on {@code host} whose text contains {@code text}, in order. */
  List<TraceEvent> find(Kind kind, String host, String text) {
    return filter(e -> e.kind() == kind && e.host().equals(host) && e.text().contains(text));
  }

  /** The single STACK event on {@code host} whose text contains {@code text}; fails unless exactly one. */
  TraceEvent stack(String host, String text) {
    List<TraceEvent> l = find(Kind.STACK, host, text);
    if (l.size() != 1) {
      throw new AssertionError("expected one STACK event on " + host + " containing '" + text
          + "', found " + l.size() + ":\n" + String.join("\n", lines(l)));
    }
    return l.get(0);
  }

  /** The single APP event on {@code host} whose text contains {@code text}. */
  TraceEvent app(String host, String text) {
    List<TraceEvent> l = find(Kind.APP, host, text);
    if (l.size() != 1) {
      throw new AssertionError("expected one APP event on " + host + " containing '" + text
          + "', found " + l.size());
    }
    return l.get(0);
  }

  /** Segments {@code host} put on the wire, in order. */
  List<TraceEvent> sent(String host) {
    return filter(e -> e.kind() == Kind.SENT && e.host().equals(host) && e.segment() != null);
  }

  /** Segments {@code host} sent with every flag of {@code flags} set. */
  List<TraceEvent> sent(String host, int flags) {
    return filter(e -> e.kind() == Kind.SENT && e.host().equals(host) && e.segment() != null
        && (e.segment().flags() & flags) == flags);
  }

  /** The first RST {@code host} sent, if any. */
  Optional<TraceEvent> firstRst(String host) {
    List<TraceEvent> l = sent(host, TcpFlags.RST);
    return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
  }

  /** Segments with payload that {@code host} sent (retransmissions included). */
  List<TraceEvent> dataSent(String host) {
    return filter(e -> e.kind() == Kind.SENT && e.host().equals(host) && e.segment() != null
        && e.segment().payloadLength() > 0);
  }

  /** The sequence number after the highest payload byte {@code host} ever sent. */
  int dataEnd(String host) {
    return dataEnd(dataSent(host), host);
  }

  /** The sequence number after the highest payload byte {@code host} sent to {@code dst}. */
  int dataEnd(String host, String dst) {
    return dataEnd(dataSent(host).stream().filter(e -> dst.equals(e.dst())).toList(), host);
  }

  private static int dataEnd(List<TraceEvent> data, String host) {
    if (data.isEmpty()) throw new AssertionError(host + " sent no data");
    int end = data.get(0).segment().seq() + data.get(0).segment().payloadLength();
    for (TraceEvent e : data) {
      end = SeqNum.max(end, e.segment().seq() + e.segment().payloadLength());
    }
    return end;
  }

  /** The lowest sequence number of payload {@code host} sent at or after {@code timeNanos}. */
  int firstDataSeqFrom(String host, long timeNanos) {
    Integer first = null;
    for (TraceEvent e : dataSent(host)) {
      if (e.timeNanos() < timeNanos) continue;
      int seq = e.segment().seq();
      first = first == null ? seq : SeqNum.min(first, seq);
    }
    if (first == null) throw new AssertionError(host + " sent no data after " + timeNanos);
    return first;
  }

  /** True if {@code a} comes before {@code b} in the trace. */
  boolean before(TraceEvent a, TraceEvent b) {
    return events.indexOf(a) < events.indexOf(b);
  }

  /** The first segment that arrived at {@code host} acknowledging {@code ack} or more. */
  Optional<TraceEvent> firstAckAtLeast(String host, int ack) {
    for (TraceEvent e : events) {
      if (e.kind() == Kind.RECEIVED && e.host().equals(host) && e.segment() != null
          && e.segment().isAck() && SeqNum.geq(e.segment().ack(), ack)) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }

  private List<TraceEvent> filter(Predicate<TraceEvent> p) {
    List<TraceEvent> l = new ArrayList<>();
    for (TraceEvent e : events) {
      if (p.test(e)) l.add(e);
    }
    return l;
  }

  static List<String> lines(List<TraceEvent> l) {
    List<String> out = new ArrayList<>();
    for (TraceEvent e : l) out.add(e.toLine());
    return out;
  }

  /** The STACK, APP and ENDED lines and every RST/FIN: enough to see what happened. */
  String summary() {
    StringBuilder sb = new StringBuilder();
    for (TraceEvent e : events) {
      boolean show = e.kind() == Kind.STACK || e.kind() == Kind.APP || e.kind() == Kind.ENDED
          || (e.kind() == Kind.SENT && e.segment() != null
              && (e.segment().flags() & (TcpFlags.RST | TcpFlags.FIN)) != 0);
      if (show && !e.text().startsWith("out-of-order")) sb.append(e.toLine()).append('\n');
    }
    return sb.toString();
  }

  /**
   * TLS bytes on the wire for {@code appBytes} of application data in full records of 2^14 bytes, plus
   * a close_notify record: AES-128-GCM adds 5 (header) + 16 (tag) + 1 (inner content type) in TLS 1.3
   * and 5 + 8 (explicit nonce) + 16 in TLS 1.2; a close_notify alert is 2 bytes before that.
   */
  static long tlsBytes(TlsVersion v, long appBytes, boolean closeNotify) {
    int overhead = v == TlsVersion.TLS_1_3 ? 22 : 29;
    long records = (appBytes + 16_383) / 16_384;
    return appBytes + records * overhead + (closeNotify ? 2 + overhead : 0);
  }
}
