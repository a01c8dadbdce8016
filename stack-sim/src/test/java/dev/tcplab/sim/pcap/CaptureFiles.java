package dev.tcplab.sim.pcap;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;

/**
 * Capture files written by hand for tests (the formats are short: tcpdump.org's pcap and the IETF
 * pcapng draft), so that link types, byte orders and damage that no capture at hand shows can be
 * tested; and the real captures under {@code src/test/resources/captures}.
 */
final class CaptureFiles {
  private CaptureFiles() {}

  /** A record to write: its time, captured bytes and length on the wire. */
  record Frame(long timeNanos, byte[] bytes, int originalLength) {
    Frame(long timeNanos, byte[] bytes) {
      this(timeNanos, bytes, bytes.length);
    }
  }

  /** A record of a pcapng file: which interface it came from. */
  record Packet(int interfaceId, Frame frame) {}

  /** One of the captures in {@code src/test/resources/captures}. */
  static Path resource(String name) {
    try {
      return Path.of(CaptureFiles.class.getResource("/captures/" + name).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalArgumentException("no test capture " + name, e);
    }
  }

  /**
   * A classic pcap file: magic {@code a1b23c4d} (nanoseconds) or {@code a1b2c3d4} (microseconds,
   * times rounded down), in {@code order}.
   */
  static byte[] pcap(
      int linkType, int snaplen, ByteOrder order, boolean nanos, List<Frame> frames) {
    Out out = new Out(order);
    out.i32(nanos ? 0xa1b23c4d : 0xa1b2c3d4).i16(2).i16(4).i32(0).i32(0).i32(snaplen).i32(linkType);
    for (Frame f : frames) {
      long fraction = f.timeNanos() % 1_000_000_000L;
      out.i32((int) (f.timeNanos() / 1_000_000_000L))
          .i32((int) (nanos ? fraction : fraction / 1000))
          .i32(f.bytes().length)
          .i32(f.originalLength())
          .bytes(f.bytes());
    }
    return out.toByteArray();
  }

  /** A little-endian nanosecond pcap file with snaplen 262144. */
  static byte[] pcap(int linkType, List<Frame> frames) {
    return pcap(linkType, 262144, ByteOrder.LITTLE_ENDIAN, true, frames);
  }

  /**
   * A pcapng file of one section: one interface description block per entry of {@code linkTypes}
   * (nanosecond resolution, option if_tsresol = 9), then one enhanced packet block per packet.
   */
  static byte[] pcapng(ByteOrder order, int[] linkTypes, List<Packet> packets) {
    Out out = new Out(order);
    // Section header block: type, length, byte-order magic, version 1.0, section length unknown.
    out.i32(0x0a0d0d0a).i32(28).i32(0x1a2b3c4d).i16(1).i16(0).i64(-1).i32(28);
    for (int linkType : linkTypes) {
      // Interface description block with if_tsresol (code 9, length 1, value 9, 3 bytes of
      // padding) and opt_endofopt.
      out.i32(1).i32(32).i16(linkType).i16(0).i32(262144);
      out.i16(9).i16(1).bytes(new byte[] {9, 0, 0, 0}).i16(0).i16(0);
      out.i32(32);
    }
    for (Packet p : packets) {
      Frame f = p.frame();
      int padded = (f.bytes().length + 3) & ~3;
      int length = 32 + padded;
      out.i32(6).i32(length).i32(p.interfaceId());
      out.i32((int) (f.timeNanos() >>> 32)).i32((int) f.timeNanos());
      out.i32(f.bytes().length).i32(f.originalLength()).bytes(f.bytes());
      out.bytes(new byte[padded - f.bytes().length]);
      out.i32(length);
    }
    return out.toByteArray();
  }

  /** An Ethernet frame around {@code payload}: zero addresses, then the tags and the ethertype. */
  static byte[] ethernet(byte[] payload, int... typesAndTags) {
    Out out = new Out(ByteOrder.BIG_ENDIAN);
    out.bytes(new byte[12]);
    // typesAndTags: e.g. 0x8100, tci, 0x0800 — every other value after a tag type is its TCI.
    for (int v : typesAndTags) out.i16(v);
    return out.bytes(payload).toByteArray();
  }

  /** {@code prefix} followed by {@code payload}. */
  static byte[] concat(byte[] prefix, byte[] payload) {
    byte[] b = new byte[prefix.length + payload.length];
    System.arraycopy(prefix, 0, b, 0, prefix.length);
    System.arraycopy(payload, 0, b, prefix.length, payload.length);
    return b;
  }

  /** Four bytes of {@code value} in {@code order}. */
  static byte[] int32(int value, ByteOrder order) {
    return ByteBuffer.allocate(4).order(order).putInt(value).array();
  }

  /** A growing byte array with little helpers. */
  private static final class Out {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteBuffer scratch;

    Out(ByteOrder order) {
      scratch = ByteBuffer.allocate(8).order(order);
    }

    Out i16(int v) {
      scratch.clear();
      out.write(scratch.putShort((short) v).array(), 0, 2);
      return this;
    }

    Out i32(int v) {
      scratch.clear();
      out.write(scratch.putInt(v).array(), 0, 4);
      return this;
    }

    Out i64(long v) {
      scratch.clear();
      out.write(scratch.putLong(v).array(), 0, 8);
      return this;
    }

    Out bytes(byte[] b) {
      try {
        out.write(b);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return this;
    }

    byte[] toByteArray() {
      return out.toByteArray();
    }
  }
}
