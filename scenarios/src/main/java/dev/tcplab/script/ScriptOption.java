package dev.tcplab.script;

import dev.tcplab.core.wire.TcpOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One TCP option in a packet line's {@code <...>} list, as written. Mirrors {@link TcpOption} but keeps
 * 32-bit values unsigned in longs, and adds the options packetdrill knows that the codec keeps raw
 * (Fast Open, MD5).
 */
public sealed interface ScriptOption {
  /** Bytes the option takes in the header (kind, length and data). */
  int encodedLength();

  /** The wire option; {@link UnsupportedOperationException} for {@link FastOpen} and {@link Md5}. */
  TcpOption toTcpOption();

  /** {@code eol}. */
  record Eol() implements ScriptOption {
    public static final Eol INSTANCE = new Eol();

    @Override
    public int encodedLength() {
      return 1;
    }

    @Override
    public TcpOption toTcpOption() {
      return TcpOption.Eol.INSTANCE;
    }
  }

  /** {@code nop}. */
  record Nop() implements ScriptOption {
    public static final Nop INSTANCE = new Nop();

    @Override
    public int encodedLength() {
      return 1;
    }

    @Override
    public TcpOption toTcpOption() {
      return TcpOption.Nop.INSTANCE;
    }
  }

  /** {@code mss N}, 0..65535. */
  record Mss(int value) implements ScriptOption {
    @Override
    public int encodedLength() {
      return 4;
    }

    @Override
    public TcpOption toTcpOption() {
      return new TcpOption.Mss(value);
    }
  }

  /** {@code wscale N}, 0..255 (values above 14 are legal on the wire). */
  record WindowScale(int shift) implements ScriptOption {
    @Override
    public int encodedLength() {
      return 3;
    }

    @Override
    public TcpOption toTcpOption() {
      return new TcpOption.WindowScale(shift);
    }
  }

  /** {@code sackOK}. */
  record SackPermitted() implements ScriptOption {
    public static final SackPermitted INSTANCE = new SackPermitted();

    @Override
    public int encodedLength() {
      return 2;
    }

    @Override
    public TcpOption toTcpOption() {
      return TcpOption.SackPermitted.INSTANCE;
    }
  }

  /** {@code sack 1:100 200:300}: one or more blocks. */
  record Sack(List<Block> blocks) implements ScriptOption {
    public Sack {
      blocks = List.copyOf(blocks);
    }

    @Override
    public int encodedLength() {
      return 2 + 8 * blocks.size();
    }

    @Override
    public TcpOption toTcpOption() {
      List<TcpOption.Block> wire = new ArrayList<>(blocks.size());
      for (Block b : blocks) wire.add(new TcpOption.Block((int) b.left(), (int) b.right()));
      return new TcpOption.Sack(wire);
    }
  }

  /** One SACK block {@code left:right}, unsigned 32-bit values. */
  record Block(long left, long right) {}

  /** {@code TS val N ecr M}, unsigned 32-bit values. */
  record Timestamps(long tsVal, long tsEcr) implements ScriptOption {
    @Override
    public int encodedLength() {
      return 10;
    }

    @Override
    public TcpOption toTcpOption() {
      return new TcpOption.Timestamps((int) tsVal, (int) tsEcr);
    }
  }

  /**
   * {@code FO} / {@code FO abcd1234} (RFC 7413, kind 34) or {@code FOEXP ...} (the experimental kind
   * 254 with magic 0xF989).
   *
   * @param cookie the cookie in hex as written, empty for a cookie request
   */
  record FastOpen(String cookie, boolean experimental) implements ScriptOption {
    public FastOpen {
      Objects.requireNonNull(cookie, "cookie");
    }

    @Override
    public int encodedLength() {
      return (experimental ? 4 : 2) + cookie.length() / 2;
    }

    @Override
    public TcpOption toTcpOption() {
      throw new UnsupportedOperationException("TCP Fast Open is not supported by this stack");
    }
  }

  /** {@code md5 HEX} (RFC 2385, kind 19): the digest as written. */
  record Md5(String digest) implements ScriptOption {
    public Md5 {
      Objects.requireNonNull(digest, "digest");
    }

    @Override
    public int encodedLength() {
      return 18;
    }

    @Override
    public TcpOption toTcpOption() {
      throw new UnsupportedOperationException("TCP MD5 signatures are not supported by this stack");
    }
  }
}
