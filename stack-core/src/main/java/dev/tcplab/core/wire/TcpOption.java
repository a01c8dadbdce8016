package dev.tcplab.core.wire;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;
import java.util.List;

/**
 * One TCP option as it appears in the header (RFC 9293 §3.2). Unknown kinds are kept as raw bytes so
 * that a parsed segment re-encodes to the same bytes.
 */
public sealed interface TcpOption {
  int KIND_EOL = 0;
  int KIND_NOP = 1;
  int KIND_MSS = 2;
  int KIND_WINDOW_SCALE = 3;
  int KIND_SACK_PERMITTED = 4;
  int KIND_SACK = 5;
  int KIND_TIMESTAMPS = 8;

  /** The option kind byte. */
  int kind();

  /** Encoded length in bytes, including kind and length bytes. */
  int encodedLength();

  /** End of option list (kind 0). */
  record Eol() implements TcpOption {
    public static final Eol INSTANCE = new Eol();

    @Override
    public int kind() {
      return KIND_EOL;
    }

    @Override
    public int encodedLength() {
      return 1;
    }

    @Override
    public String toString() {
      return "eol";
    }
  }

  /** No-operation padding (kind 1). */
  record Nop() implements TcpOption {
    public static final Nop INSTANCE = new Nop();

    @Override
    public int kind() {
      return KIND_NOP;
    }

    @Override
    public int encodedLength() {
      return 1;
    }

    @Override
    public String toString() {
      return "nop";
    }
  }

  /** Maximum segment size (kind 2, RFC 9293 §3.7.1). */
  record Mss(int value) implements TcpOption {
    public Mss {
      checkArgument(value >= 0 && value <= 0xffff, "MSS out of range: %s", value);
    }

    @Override
    public int kind() {
      return KIND_MSS;
    }

    @Override
    public int encodedLength() {
      return 4;
    }

    @Override
    public String toString() {
      return "mss " + value;
    }
  }

  /** Window scale shift count (kind 3, RFC 7323 §2). Values above 14 are kept as received. */
  record WindowScale(int shift) implements TcpOption {
    public WindowScale {
      checkArgument(shift >= 0 && shift <= 0xff, "Window scale out of range: %s", shift);
    }

    @Override
    public int kind() {
      return KIND_WINDOW_SCALE;
    }

    @Override
    public int encodedLength() {
      return 3;
    }

    @Override
    public String toString() {
      return "wscale " + shift;
    }
  }

  /** SACK permitted (kind 4, RFC 2018 §2). */
  record SackPermitted() implements TcpOption {
    public static final SackPermitted INSTANCE = new SackPermitted();

    @Override
    public int kind() {
      return KIND_SACK_PERMITTED;
    }

    @Override
    public int encodedLength() {
      return 2;
    }

    @Override
    public String toString() {
      return "sackOK";
    }
  }

  /**
   * SACK blocks (kind 5, RFC 2018 §3): pairs of left edge (first sequence number of the block) and
   * right edge (the one after its last).
   */
  record Sack(List<Block> blocks) implements TcpOption {
    public Sack {
      checkArgument(!blocks.isEmpty() && blocks.size() <= 4, "SACK needs 1..4 blocks: %s", blocks);
      blocks = List.copyOf(blocks);
    }

    @Override
    public int kind() {
      return KIND_SACK;
    }

    @Override
    public int encodedLength() {
      return 2 + 8 * blocks.size();
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder("sack");
      for (Block b : blocks) {
        sb.append(' ').append(SeqNum.unsigned(b.left())).append(':').append(SeqNum.unsigned(b.right()));
      }
      return sb.toString();
    }
  }

  /** One SACK block: {@code [left, right)} in sequence space. */
  record Block(int left, int right) {}

  /** Timestamps (kind 8, RFC 7323 §3): TSval and TSecr, unsigned 32-bit values held in ints. */
  record Timestamps(int tsVal, int tsEcr) implements TcpOption {
    @Override
    public int kind() {
      return KIND_TIMESTAMPS;
    }

    @Override
    public int encodedLength() {
      return 10;
    }

    @Override
    public String toString() {
      return "TS val " + Integer.toUnsignedString(tsVal) + " ecr " + Integer.toUnsignedString(tsEcr);
    }
  }

  /** An option this codec does not interpret, kept byte for byte (the data after kind and length). */
  record Unknown(int kind, byte[] data) implements TcpOption {
    public Unknown {
      checkArgument(kind > 1 && kind <= 0xff, "Option kind out of range: %s", kind);
      checkArgument(data.length <= 38, "Option data too long: %s bytes", data.length);
      data = data.clone();
    }

    @Override
    public byte[] data() {
      return data.clone();
    }

    @Override
    public int encodedLength() {
      return 2 + data.length;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Unknown u && u.kind == kind && Arrays.equals(u.data, data);
    }

    @Override
    public int hashCode() {
      return 31 * kind + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
      return "opt" + kind + "(" + data.length + " bytes)";
    }
  }
}
