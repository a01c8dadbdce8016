package dev.tcplab.sim.trace;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.tcplab.core.wire.Segment;
import java.util.Locale;

/**
 * One thing that happened in a simulation, at a virtual time, on a host or a link.
 *
 * @param timeNanos virtual time
 * @param kind what happened
 * @param host the host (or link, for link faults) where it happened
 * @param packet the packet number shared by the send, receive and fault events of one packet (from 1),
 *     or 0 when no packet is involved
 * @param src source address of the packet, or null
 * @param dst destination address of the packet, or null
 * @param segment the TCP segment, or null
 * @param text the rest, readable: "ESTABLISHED -> FIN-WAIT-1 (close())", "write 1000 = 1000", ...
 */
public record TraceEvent(
    long timeNanos,
    Kind kind,
    String host,
    long packet,
    String src,
    String dst,
    Segment segment,
    String text) {

  /** The kinds of events. */
  public enum Kind {
    /** A host put a packet on its link. */
    SENT,
    /** A packet arrived at a host and was handed to its stack. */
    RECEIVED,
    /** A link, queue or middlebox dropped a packet. */
    DROPPED,
    /** A link duplicated a packet. */
    DUPLICATED,
    /** A link flipped bits in a packet. */
    CORRUPTED,
    /** A packet arrived but failed its checksum or was malformed: the host discarded it. */
    DISCARDED,
    /** A middlebox changed or delayed a packet. */
    REWRITTEN,
    /** A middlebox injected a packet. */
    INJECTED,
    /** A connection changed state. */
    STATE,
    /** Something the stack reports: challenge ACK, RTO, fast retransmit. */
    STACK,
    /** An application call and its result. */
    APP,
    /** A connection ended. */
    ENDED
  }

  public TraceEvent {
    checkNotNull(kind, "kind");
    checkNotNull(host, "host");
    checkNotNull(text, "text");
  }

  /** True for the kinds that are about a packet. */
  public boolean isPacket() {
    return packet != 0;
  }

  /** One readable line: {@code 0.010000 client  SENT    #3 10.0.0.1 > 10.0.0.2 S. seq ...}. */
  public String toLine() {
    StringBuilder sb = new StringBuilder(120);
    // Locale.ROOT: the default locale would write "0,010000" on a German machine.
    sb.append(String.format(Locale.ROOT, "%11.6f  %-8s %-10s", timeNanos / 1e9, host, kind));
    if (packet != 0) sb.append('#').append(packet).append(' ');
    if (src != null || dst != null) {
      sb.append(src == null ? "?" : src).append(" > ").append(dst == null ? "?" : dst).append(' ');
    }
    if (segment != null) sb.append(segment);
    if (!text.isEmpty()) {
      if (segment != null) sb.append("  ");
      sb.append(text);
    }
    return sb.toString();
  }

  /**
   * One JSON object (a JSON-lines record); keys are stable: t, kind, host, packet, src, dst, tcp, text.
   * Keys whose value is absent (packet 0, no address, no segment, empty text) are left out.
   */
  public String toJson() {
    StringBuilder sb = new StringBuilder(200);
    sb.append("{\"t\":").append(timeNanos);
    sb.append(",\"kind\":\"").append(kind).append('"');
    sb.append(",\"host\":");
    Json.string(sb, host);
    if (packet != 0) sb.append(",\"packet\":").append(packet);
    if (src != null) {
      sb.append(",\"src\":");
      Json.string(sb, src);
    }
    if (dst != null) {
      sb.append(",\"dst\":");
      Json.string(sb, dst);
    }
    if (segment != null) {
      sb.append(",\"tcp\":{\"sport\":").append(segment.srcPort());
      sb.append(",\"dport\":").append(segment.dstPort());
      sb.append(",\"flags\":\"").append(dev.tcplab.core.wire.TcpFlags.toString(segment.flags()));
      sb.append("\",\"seq\":").append(Integer.toUnsignedLong(segment.seq()));
      if (segment.isAck()) sb.append(",\"ack\":").append(Integer.toUnsignedLong(segment.ack()));
      sb.append(",\"len\":").append(segment.payloadLength());
      sb.append(",\"win\":").append(segment.window());
      sb.append(",\"summary\":");
      Json.string(sb, segment.toString());
      sb.append('}');
    }
    if (!text.isEmpty()) {
      sb.append(",\"text\":");
      Json.string(sb, text);
    }
    return sb.append('}').toString();
  }
}
