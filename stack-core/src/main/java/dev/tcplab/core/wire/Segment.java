package dev.tcplab.core.wire;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkPositionIndexes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An immutable view of one TCP segment: header fields, options and payload. The state machine only
 * ever sees this type; {@link TcpCodec} turns it into bytes and back.
 *
 * <p>The payload is a slice of an array that nobody modifies after the segment is built (a chunk of the
 * send queue, or the received packet buffer), so segments are passed between stacks without copying.
 */
public final class Segment {
  private static final byte[] EMPTY = new byte[0];

  private final int srcPort;
  private final int dstPort;
  private final int seq;
  private final int ack;
  private final int flags;
  private final int window;
  private final int urgentPointer;
  /** The options as given, or null for the derived layout of {@link #timestamps()} alone. */
  private final List<TcpOption> options;
  private final boolean hasTimestamps;
  private final int tsVal;
  private final int tsEcr;
  private final byte[] payload;
  private final int payloadOffset;
  private final int payloadLength;

  private Segment(Builder b) {
    this.srcPort = b.srcPort;
    this.dstPort = b.dstPort;
    this.seq = b.seq;
    this.ack = b.ack;
    this.flags = b.flags;
    this.window = b.window;
    this.urgentPointer = b.urgentPointer;
    this.options = b.options;
    this.hasTimestamps = b.hasTimestamps;
    this.tsVal = b.tsVal;
    this.tsEcr = b.tsEcr;
    this.payload = b.payload;
    this.payloadOffset = b.payloadOffset;
    this.payloadLength = b.payloadLength;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder preset with every field of this segment. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.srcPort = srcPort;
    b.dstPort = dstPort;
    b.seq = seq;
    b.ack = ack;
    b.flags = flags;
    b.window = window;
    b.urgentPointer = urgentPointer;
    b.options = options;
    b.hasTimestamps = hasTimestamps;
    b.tsVal = tsVal;
    b.tsEcr = tsEcr;
    b.payload = payload;
    b.payloadOffset = payloadOffset;
    b.payloadLength = payloadLength;
    return b;
  }

  public int srcPort() {
    return srcPort;
  }

  public int dstPort() {
    return dstPort;
  }

  /** SEG.SEQ. */
  public int seq() {
    return seq;
  }

  /** SEG.ACK (meaningful only with the ACK flag). */
  public int ack() {
    return ack;
  }

  /** The control bits, see {@link TcpFlags}. */
  public int flags() {
    return flags;
  }

  public boolean isSyn() {
    return (flags & TcpFlags.SYN) != 0;
  }

  public boolean isFin() {
    return (flags & TcpFlags.FIN) != 0;
  }

  public boolean isRst() {
    return (flags & TcpFlags.RST) != 0;
  }

  public boolean isAck() {
    return (flags & TcpFlags.ACK) != 0;
  }

  public boolean isPsh() {
    return (flags & TcpFlags.PSH) != 0;
  }

  public boolean isUrg() {
    return (flags & TcpFlags.URG) != 0;
  }

  /** SEG.WND as carried in the header, before window scaling. */
  public int window() {
    return window;
  }

  /** SEG.UP. */
  public int urgentPointer() {
    return urgentPointer;
  }

  /**
   * The options in header order. A segment built with {@link Builder#timestamps} alone has Linux's
   * data-segment layout: NOP, NOP, TS.
   */
  public List<TcpOption> options() {
    if (options != null) return options;
    if (!hasTimestamps) return List.of();
    return List.of(
        TcpOption.Nop.INSTANCE, TcpOption.Nop.INSTANCE, new TcpOption.Timestamps(tsVal, tsEcr));
  }

  /**
   * True when the options are exactly Linux's data-segment layout NOP, NOP, TS, kept as the two
   * timestamp values without a list ({@link Builder#timestamps}): {@link TcpCodec} writes those 12
   * bytes directly instead of building {@link #options()} for every packet.
   */
  boolean timestampsOnly() {
    return options == null;
  }

  /** True when the segment carries the timestamps option (RFC 7323 §3). */
  public boolean hasTimestamps() {
    return hasTimestamps;
  }

  /** TSval, meaningful when {@link #hasTimestamps()}. */
  public int tsVal() {
    return tsVal;
  }

  /** TSecr, meaningful when {@link #hasTimestamps()}. */
  public int tsEcr() {
    return tsEcr;
  }

  /** Payload length in bytes. */
  public int payloadLength() {
    return payloadLength;
  }

  /** SEG.LEN: payload length plus one for SYN and one for FIN (RFC 9293 §3.4). */
  public int seqLength() {
    return payloadLength + (isSyn() ? 1 : 0) + (isFin() ? 1 : 0);
  }

  /** The sequence number just after this segment: SEG.SEQ + SEG.LEN. */
  public int seqEnd() {
    return seq + seqLength();
  }

  /** A copy of the payload. */
  public byte[] payload() {
    return Arrays.copyOfRange(payload, payloadOffset, payloadOffset + payloadLength);
  }

  /** One payload byte. */
  public byte payloadByte(int index) {
    checkPositionIndexes(index, index + 1, payloadLength);
    return payload[payloadOffset + index];
  }

  /** Copies {@code length} payload bytes starting at {@code from} into {@code dst}. */
  public void copyPayload(int from, byte[] dst, int dstOffset, int length) {
    checkPositionIndexes(from, from + length, payloadLength);
    System.arraycopy(payload, payloadOffset + from, dst, dstOffset, length);
  }

  /** The MSS option's value, or -1. */
  public int mss() {
    for (TcpOption o : options()) {
      if (o instanceof TcpOption.Mss m) return m.value();
    }
    return -1;
  }

  /** The window-scale option's shift, or -1. */
  public int windowScale() {
    for (TcpOption o : options()) {
      if (o instanceof TcpOption.WindowScale w) return w.shift();
    }
    return -1;
  }

  public boolean sackPermitted() {
    for (TcpOption o : options()) {
      if (o instanceof TcpOption.SackPermitted) return true;
    }
    return false;
  }

  /** The timestamps option, or null. */
  public TcpOption.Timestamps timestamps() {
    return hasTimestamps ? new TcpOption.Timestamps(tsVal, tsEcr) : null;
  }

  /** The SACK blocks, empty when there are none. */
  public List<TcpOption.Block> sackBlocks() {
    if (options == null) return List.of();
    for (TcpOption o : options) {
      if (o instanceof TcpOption.Sack s) return s.blocks();
    }
    return List.of();
  }

  /**
   * The array behind the payload, shared and not copied (like Netty's {@code array()}): the payload is
   * {@code payloadArray()[payloadOffset() .. payloadOffset() + payloadLength())}. Never write to it.
   */
  public byte[] payloadArray() {
    return payload;
  }

  /** Where the payload starts in {@link #payloadArray()}. */
  public int payloadOffset() {
    return payloadOffset;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Segment s)) return false;
    return srcPort == s.srcPort
        && dstPort == s.dstPort
        && seq == s.seq
        && ack == s.ack
        && flags == s.flags
        && window == s.window
        && urgentPointer == s.urgentPointer
        && options().equals(s.options())
        && Arrays.equals(
            payload,
            payloadOffset,
            payloadOffset + payloadLength,
            s.payload,
            s.payloadOffset,
            s.payloadOffset + s.payloadLength);
  }

  @Override
  public int hashCode() {
    return Objects.hash(srcPort, dstPort, seq, ack, flags, window, payloadLength);
  }

  /**
   * tcpdump-like text with absolute sequence numbers: {@code 1000 > 80 S. seq 5:5(0) ack 1 win 65535
   * <mss 1460>}.
   */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(96);
    sb.append(srcPort).append(" > ").append(dstPort).append(' ').append(TcpFlags.toString(flags));
    sb.append(" seq ").append(SeqNum.unsigned(seq));
    sb.append(':').append(SeqNum.unsigned(seq + payloadLength));
    sb.append('(').append(payloadLength).append(')');
    if (isAck()) sb.append(" ack ").append(SeqNum.unsigned(ack));
    sb.append(" win ").append(window);
    if (isUrg()) sb.append(" urg ").append(urgentPointer);
    List<TcpOption> opts = options();
    if (!opts.isEmpty()) {
      sb.append(" <");
      for (int i = 0; i < opts.size(); i++) {
        if (i > 0) sb.append(',');
        sb.append(opts.get(i));
      }
      sb.append('>');
    }
    return sb.toString();
  }

  /** Builds a {@link Segment}; ports and window are checked against their 16-bit fields. */
  public static final class Builder {
    private int srcPort;
    private int dstPort;
    private int seq;
    private int ack;
    private int flags;
    private int window;
    private int urgentPointer;
    private List<TcpOption> options = List.of();
    private boolean hasTimestamps;
    private int tsVal;
    private int tsEcr;
    private byte[] payload = EMPTY;
    private int payloadOffset;
    private int payloadLength;

    private Builder() {}

    public Builder srcPort(int port) {
      checkArgument(port >= 0 && port <= 0xffff, "Port out of range: %s", port);
      this.srcPort = port;
      return this;
    }

    public Builder dstPort(int port) {
      checkArgument(port >= 0 && port <= 0xffff, "Port out of range: %s", port);
      this.dstPort = port;
      return this;
    }

    public Builder seq(int seq) {
      this.seq = seq;
      return this;
    }

    public Builder ack(int ack) {
      this.ack = ack;
      return this;
    }

    public Builder flags(int flags) {
      checkArgument((flags & ~0xff) == 0, "Flags out of range: %s", flags);
      this.flags = flags;
      return this;
    }

    public Builder window(int window) {
      checkArgument(window >= 0 && window <= 0xffff, "Window out of range: %s", window);
      this.window = window;
      return this;
    }

    public Builder urgentPointer(int up) {
      checkArgument(up >= 0 && up <= 0xffff, "Urgent pointer out of range: %s", up);
      this.urgentPointer = up;
      return this;
    }

    /** The options in header order; they must fit the 40-byte option space. */
    public Builder options(List<TcpOption> options) {
      int len = 0;
      for (TcpOption o : options) len += checkNotNull(o).encodedLength();
      checkArgument(len <= 40, "Options take %s bytes, at most 40 fit", len);
      this.options = List.copyOf(options);
      this.hasTimestamps = false;
      for (TcpOption o : this.options) {
        if (o instanceof TcpOption.Timestamps t) {
          this.hasTimestamps = true;
          this.tsVal = t.tsVal();
          this.tsEcr = t.tsEcr();
        }
      }
      return this;
    }

    /**
     * The timestamps option alone, laid out NOP, NOP, TS as Linux does on data segments; replaces any
     * options set before. Costs no option list unless someone asks for {@link Segment#options()}.
     */
    public Builder timestamps(int tsVal, int tsEcr) {
      this.options = null;
      this.hasTimestamps = true;
      this.tsVal = tsVal;
      this.tsEcr = tsEcr;
      return this;
    }

    /** Options in the given order (convenience). */
    public Builder options(TcpOption... options) {
      return options(new ArrayList<>(Arrays.asList(options)));
    }

    /** A copy of {@code data} as payload. */
    public Builder payload(byte[] data) {
      return payloadView(data.clone(), 0, data.length);
    }

    /**
     * A slice of {@code array} as payload, without copying: the caller promises that this range of the
     * array never changes afterwards (send-queue chunks and received packet buffers are such arrays).
     */
    public Builder payloadView(byte[] array, int offset, int length) {
      checkPositionIndexes(offset, offset + length, array.length);
      this.payload = array;
      this.payloadOffset = offset;
      this.payloadLength = length;
      return this;
    }

    public Segment build() {
      return new Segment(this);
    }
  }
}
