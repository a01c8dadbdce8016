package dev.tcplab.capture;

import static com.google.common.base.Preconditions.checkArgument;

import dev.tcplab.core.wire.Segment;
import dev.tcplab.core.wire.TcpOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One side of a captured connection written as a packetdrill script: the other side's segments
 * become inbound ({@code <}) lines, the recorded side's outbound ({@code >}) lines that TcpLab's
 * stack must match, and the recorded side's application calls are inferred from what it sent:
 *
 * <ul>
 *   <li>a server listens and accepts when the handshake completes; a client connects
 *       (non-blocking, as packetdrill scripts do);
 *   <li>new data the side sends is written just before its first segment (one write for the bytes
 *       it sends before the peer's next packet); data from the peer is read as it arrives;
 *   <li>its FIN is a {@code close()}, or a {@code shutdown(SHUT_WR)} when the peer sends data after
 *       it (a half-close); a RST it sends while it has not closed is an abort ({@code SO_LINGER}
 *       {onoff=1, linger=0} then {@code close()}); a RST after its close is the stack's own answer
 *       and needs no call.
 * </ul>
 *
 * <p>Sequence numbers are relative (packetdrill's): each side's ISN is 0. Outbound lines carry no
 * {@code win} (window sizes depend on buffer sizes, not on the rules replay checks) and their TS
 * values are not checked (packetdrill's rule); inbound lines carry the recorded window and
 * timestamps.
 */
final class ReplayScript {
  /** One captured segment of the connection, without its payload bytes. */
  record Captured(Side from, long timeNanos, long packet, Segment header, int length) {}

  private final List<Captured> segments;
  private final Side side;
  private final String source;

  /**
   * @param segments the connection's segments in capture order, starting with the client's SYN
   * @param side the side TcpLab's stack plays
   * @param source names the capture and the connection, for the script's header comment
   */
  ReplayScript(List<Captured> segments, Side side, String source) {
    checkArgument(!segments.isEmpty(), "no segments");
    this.segments = List.copyOf(segments);
    this.side = side;
    this.source = source;
  }

  /** The recorded side's SYN (or SYN-ACK), or null when the capture does not hold it. */
  Segment recordedSyn() {
    for (Captured c : segments) {
      if (c.from() == side && c.header().isSyn()) return c.header();
    }
    return null;
  }

  /** The script text. */
  String text() {
    Captured first = segments.get(0);
    if (!first.header().isSyn() || first.header().isAck() || first.from() != Side.CLIENT) {
      throw new IllegalArgumentException("the connection's handshake is not in the capture (packet "
          + first.packet() + " is not the client's SYN): replay starts from the SYN");
    }
    long isnClient = first.header().seq() & 0xffffffffL;
    Long isnServer = null;
    List<String> lines = new ArrayList<>();
    lines.add("// Replay of the " + side.label() + " side of " + source + ": TcpLab's stack plays the "
        + side.label() + ", the " + side.other().label() + "'s packets are injected.");
    lines.add("// Written by tcplab replay --to-script; application calls are inferred from the"
        + " capture (see tcplab replay --help).");
    lines.add("0     socket(..., SOCK_STREAM, IPPROTO_TCP) = 3");
    int fd;
    if (side == Side.SERVER) {
      lines.add("+0    setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0");
      lines.add("+0    bind(3, ..., ...) = 0");
      lines.add("+0    listen(3, 1) = 0");
      fd = 4;
    } else {
      lines.add("+0    fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0");
      lines.add("+0    connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)");
      fd = 3;
    }
    long last = first.timeNanos();
    boolean accepted = side == Side.CLIENT;
    boolean closed = false; // close() or abort: nothing more is read
    boolean finSent = false;
    long unread = 0; // peer data arrived, read once the stack has answered it
    boolean writing = false;
    long peerNext = -1; // next new byte expected from the peer (relative)
    long ownNext = 1;
    for (int i = 0; i < segments.size(); i++) {
      Captured c = segments.get(i);
      Segment s = c.header();
      if (c.from() == Side.SERVER && s.isSyn() && isnServer == null) {
        isnServer = s.seq() & 0xffffffffL;
      }
      long isnFrom = c.from() == Side.CLIENT ? isnClient : (isnServer == null ? 0 : isnServer);
      Long isnTo = c.from() == Side.CLIENT ? isnServer : (Long) isnClient;
      long seq = (s.seq() - isnFrom) & 0xffffffffL;
      long dataStart = seq + (s.isSyn() ? 1 : 0);
      String time = time(c.timeNanos() - last);
      last = c.timeNanos();
      if (c.from() == side) {
        boolean callFirst = (s.isFin() && !finSent) || (s.isRst() && !closed && !s.isSyn());
        long fresh = Math.max(0, dataStart + c.length() - Math.max(dataStart, ownNext));
        if ((fresh > 0 && !writing) || callFirst) {
          time = flushRead(lines, time, fd, unread);
          unread = 0;
        }
        if (fresh > 0) {
          if (!writing) {
            long burst = burst(i, dataStart, isnFrom);
            lines.add(time + "write(" + fd + ", ..., " + burst + ") = " + burst);
            time = "+0    ";
            writing = true;
          }
          ownNext = dataStart + c.length();
        }
        if (s.isFin() && !finSent) {
          finSent = true;
          boolean halfClose = peerSendsAfter(i);
          closed = !halfClose;
          lines.add(time + (halfClose ? "shutdown(" + fd + ", SHUT_WR) = 0"
              : "close(" + fd + ") = 0"));
          time = "+0    ";
        } else if (s.isRst() && !closed && !s.isSyn()) {
          closed = true;
          lines.add(time + "setsockopt(" + fd
              + ", SOL_SOCKET, SO_LINGER, {onoff=1, linger=0}, 8) = 0");
          lines.add("+0    close(" + fd + ") = 0");
          time = "+0    ";
        }
        lines.add(time + "> " + packet(s, seq, c.length(), isnTo, false));
      } else {
        writing = false;
        time = flushRead(lines, time, fd, unread);
        unread = 0;
        lines.add(time + "< " + packet(s, seq, c.length(), isnTo, true));
        if (!accepted && s.isAck() && !s.isSyn() && !s.isRst()) {
          accepted = true;
          lines.add("+0    accept(3, ..., ...) = 4");
        }
        if (peerNext < 0) peerNext = dataStart;
        long fresh = Math.max(0, dataStart + c.length() - Math.max(dataStart, peerNext));
        if (fresh > 0 && !closed && !s.isRst()) unread += fresh;
        peerNext = Math.max(peerNext, dataStart + c.length());
      }
    }
    if (!closed) flushRead(lines, "+0    ", fd, unread);
    return String.join("\n", lines) + "\n";
  }

  /**
   * The read of the peer's data that arrived since the last one: after the stack's answers to it
   * (its ACKs leave when the data arrives, before the application runs), before the next call or
   * inbound packet. Returns the time column for the line after it.
   */
  private static String flushRead(List<String> lines, String time, int fd, long unread) {
    if (unread == 0) return time;
    lines.add(time + "read(" + fd + ", ..., " + unread + ") = " + unread);
    return "+0    ";
  }

  /** New bytes the recorded side sends from {@code from} on, before the peer's next packet. */
  private long burst(int i, long from, long isn) {
    long end = from;
    for (int j = i; j < segments.size() && segments.get(j).from() == side; j++) {
      Captured c = segments.get(j);
      long start = ((c.header().seq() - isn) & 0xffffffffL) + (c.header().isSyn() ? 1 : 0);
      end = Math.max(end, start + c.length());
    }
    return end - from;
  }

  /** Whether the peer sends new data after segment {@code i} (the recorded side half-closed). */
  private boolean peerSendsAfter(int i) {
    for (int j = i + 1; j < segments.size(); j++) {
      if (segments.get(j).from() != side && segments.get(j).length() > 0) return true;
    }
    return false;
  }

  private static String time(long deltaNanos) {
    if (deltaNanos <= 0) return "+0    ";
    String t = String.format(Locale.ROOT, "+%.6f", deltaNanos / 1e9);
    t = t.replaceAll("0+$", "");
    if (t.startsWith("+0.")) t = "+" + t.substring(2);
    return t.length() < 6 ? String.format("%-6s", t) : t + " ";
  }

  private static String packet(Segment s, long seq, int length, Long isnTo, boolean inbound) {
    StringBuilder sb = new StringBuilder();
    if (s.isSyn()) sb.append('S');
    if (s.isFin()) sb.append('F');
    if (s.isRst()) sb.append('R');
    if (s.isPsh()) sb.append('P');
    if (s.isAck()) sb.append('.');
    if (sb.length() == 0) sb.append('-');
    sb.append(' ').append(seq).append(':').append(seq + length).append('(').append(length)
        .append(')');
    if (s.isAck() && isnTo != null) {
      sb.append(" ack ").append((s.ack() - isnTo) & 0xffffffffL);
    }
    if (inbound) sb.append(" win ").append(s.window());
    List<String> opts = new ArrayList<>();
    for (TcpOption o : s.options()) {
      String w = option(o, isnTo);
      if (w != null) opts.add(w);
    }
    if (!opts.isEmpty()) sb.append(" <").append(String.join(",", opts)).append('>');
    return sb.toString();
  }

  private static String option(TcpOption o, Long isnTo) {
    if (o instanceof TcpOption.Nop) return "nop";
    if (o instanceof TcpOption.Eol) return "eol";
    if (o instanceof TcpOption.Mss m) return "mss " + m.value();
    if (o instanceof TcpOption.WindowScale w) return "wscale " + w.shift();
    if (o instanceof TcpOption.SackPermitted) return "sackOK";
    if (o instanceof TcpOption.Timestamps t) {
      return "TS val " + Integer.toUnsignedLong(t.tsVal()) + " ecr "
          + Integer.toUnsignedLong(t.tsEcr());
    }
    if (o instanceof TcpOption.Sack sack) {
      StringBuilder sb = new StringBuilder("sack");
      long base = isnTo == null ? 0 : isnTo;
      for (TcpOption.Block b : sack.blocks()) {
        sb.append(' ').append((b.left() - base) & 0xffffffffL).append(':')
            .append((b.right() - base) & 0xffffffffL);
      }
      return sb.toString();
    }
    return null; // unknown options: packetdrill has no syntax for them
  }
}
