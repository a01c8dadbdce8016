package dev.tcplab.sim.trace;

import dev.tcplab.core.wire.Segment;
import dev.tcplab.core.wire.TcpFlags;
import dev.tcplab.core.wire.TcpOption;
import java.util.HashMap;
import java.util.Map;

/**
 * tcpdump-style segment labels with relative sequence numbers: each direction of a connection (its
 * address and port pair) counts from the initial sequence number of the SYN seen in that direction, so
 * a handshake reads {@code S 0:0(0) win 64240}, {@code S. 0:0(0) ack 1 win 65160}, {@code . 1:1(0) ack
 * 1 win 502}. A direction whose SYN was not seen keeps absolute numbers.
 *
 * <p>Feed the segments in time order: a SYN sent by a host sets (or, for a new incarnation of the same
 * four-tuple, replaces) its direction's ISN; a SYN of unknown origin (injected) only sets one that is
 * still unknown, so a forged SYN does not renumber a running connection.
 */
final class SeqLabeler {
  private final Map<String, Integer> isn = new HashMap<>();

  private static String key(String src, int srcPort, String dst, int dstPort) {
    return src + '|' + srcPort + '>' + dst + '|' + dstPort;
  }

  /** Notes the ISN if {@code s} is a SYN; {@code authoritative} for segments a host really sent. */
  void observe(String src, String dst, Segment s, boolean authoritative) {
    if (s == null || !s.isSyn()) return;
    String k = key(src, s.srcPort(), dst, s.dstPort());
    if (authoritative || !isn.containsKey(k)) isn.put(k, s.seq());
  }

  /** The label: flags, {@code seq:end(len)}, ack, win, urg and SACK blocks, relative where known. */
  String label(String src, String dst, Segment s) {
    Integer mine = isn.get(key(src, s.srcPort(), dst, s.dstPort()));
    Integer theirs = isn.get(key(dst, s.dstPort(), src, s.srcPort()));
    int base = mine == null ? 0 : mine;
    int peerBase = theirs == null ? 0 : theirs;
    StringBuilder sb = new StringBuilder(48);
    sb.append(TcpFlags.toString(s.flags())).append(' ');
    sb.append(Integer.toUnsignedLong(s.seq() - base)).append(':');
    sb.append(Integer.toUnsignedLong(s.seq() + s.payloadLength() - base));
    sb.append('(').append(s.payloadLength()).append(')');
    if (s.isAck()) sb.append(" ack ").append(Integer.toUnsignedLong(s.ack() - peerBase));
    sb.append(" win ").append(s.window());
    if (s.isUrg()) sb.append(" urg ").append(s.urgentPointer());
    if (!s.sackBlocks().isEmpty()) {
      sb.append(" sack");
      for (TcpOption.Block b : s.sackBlocks()) {
        sb.append(' ').append(Integer.toUnsignedLong(b.left() - peerBase));
        sb.append(':').append(Integer.toUnsignedLong(b.right() - peerBase));
      }
    }
    return sb.toString();
  }
}
