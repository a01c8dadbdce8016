package dev.tcplab.capture.tls;

import dev.tcplab.sim.pcap.PcapReader;
import dev.tcplab.sim.pcap.PcapRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Test-only: the two TCP payload streams of the first connection in a clean capture (Ethernet or
 * raw IP, IPv4 or IPv6 without extension headers), reassembled naively: pieces by relative
 * sequence number, delivered in order as soon as they are contiguous, in capture order. Not the
 * analyzer's reassembly — just enough for these captures.
 */
final class PcapStreams {
  /** One in-order piece of a direction's stream, in the order the capture made it available. */
  record Delivery(Direction dir, long offset, byte[] data) {}

  final List<Delivery> deliveries = new ArrayList<>();
  final ByteArrayOutputStream clientStream = new ByteArrayOutputStream();
  final ByteArrayOutputStream serverStream = new ByteArrayOutputStream();

  static Path resource(String name) {
    try {
      return Path.of(PcapStreams.class.getResource("/captures/" + name).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalArgumentException("no test resource captures/" + name, e);
    }
  }

  static PcapStreams read(Path file) throws IOException {
    int link = PcapReader.dataLinkType(file);
    int skip = switch (link) {
      case 1 -> 14; // Ethernet
      case 101 -> 0; // raw IP
      case 113 -> 16; // Linux cooked
      case 276 -> 20; // Linux cooked v2
      default -> throw new IllegalArgumentException("link type " + link);
    };
    PcapStreams s = new PcapStreams();
    s.load(PcapReader.readAll(file), skip);
    return s;
  }

  private String clientEnd;
  private long clientIsn = -1;
  private long serverIsn = -1;
  private final Side[] sides = {new Side(), new Side()};

  private static final class Side {
    long next;
    final TreeMap<Long, byte[]> pending = new TreeMap<>();
  }

  private void load(List<PcapRecord> records, int skip) {
    for (PcapRecord r : records) {
      byte[] p = r.data();
      int ip = skip;
      int version = (p[ip] & 0xff) >>> 4;
      int tcp;
      int ipEnd;
      String src;
      String dst;
      if (version == 4) {
        if ((p[ip + 9] & 0xff) != 6) {
          continue;
        }
        tcp = ip + (p[ip] & 0x0f) * 4;
        ipEnd = ip + u16(p, ip + 2);
        src = addr(p, ip + 12, 4);
        dst = addr(p, ip + 16, 4);
      } else {
        if ((p[ip + 6] & 0xff) != 6) {
          continue;
        }
        tcp = ip + 40;
        ipEnd = ip + 40 + u16(p, ip + 4);
        src = addr(p, ip + 8, 16);
        dst = addr(p, ip + 24, 16);
      }
      ipEnd = Math.min(ipEnd, p.length);
      String from = src + ":" + u16(p, tcp);
      String to = dst + ":" + u16(p, tcp + 2);
      long seq = u32(p, tcp + 4);
      int flags = p[tcp + 13] & 0xff;
      boolean syn = (flags & 0x02) != 0;
      boolean ack = (flags & 0x10) != 0;
      int dataOff = tcp + ((p[tcp + 12] & 0xff) >>> 4) * 4;
      if (syn && !ack && clientEnd == null) {
        clientEnd = from;
        clientIsn = seq;
        continue;
      }
      if (clientEnd == null) {
        continue;
      }
      boolean fromClient = from.equals(clientEnd);
      if (!fromClient && !to.equals(clientEnd)) {
        continue;
      }
      if (syn && ack && !fromClient) {
        serverIsn = seq;
        continue;
      }
      int len = ipEnd - dataOff;
      if (len <= 0) {
        continue;
      }
      long isn = fromClient ? clientIsn : serverIsn;
      long offset = (seq - isn - 1) & 0xffffffffL;
      byte[] data = java.util.Arrays.copyOfRange(p, dataOff, ipEnd);
      add(fromClient ? Direction.CLIENT_TO_SERVER : Direction.SERVER_TO_CLIENT, offset, data);
    }
  }

  private void add(Direction dir, long offset, byte[] data) {
    Side s = sides[dir.ordinal()];
    if (offset + data.length <= s.next) {
      return;
    }
    s.pending.merge(offset, data, (a, b) -> a.length >= b.length ? a : b);
    while (!s.pending.isEmpty()) {
      Map.Entry<Long, byte[]> e = s.pending.firstEntry();
      long o = e.getKey();
      byte[] d = e.getValue();
      if (o > s.next) {
        break;
      }
      s.pending.pollFirstEntry();
      if (o + d.length <= s.next) {
        continue;
      }
      int cut = (int) (s.next - o);
      byte[] piece = java.util.Arrays.copyOfRange(d, cut, d.length);
      deliveries.add(new Delivery(dir, s.next, piece));
      (dir == Direction.CLIENT_TO_SERVER ? clientStream : serverStream).write(piece, 0,
          piece.length);
      s.next += piece.length;
    }
  }

  /** Feeds every delivery, in capture order. */
  TlsStreamObserver feed(TlsStreamObserver o) {
    for (Delivery d : deliveries) {
      o.onData(d.dir(), d.offset(), d.data());
    }
    return o;
  }

  byte[] stream(Direction d) {
    return (d == Direction.CLIENT_TO_SERVER ? clientStream : serverStream).toByteArray();
  }

  private static int u16(byte[] b, int p) {
    return ((b[p] & 0xff) << 8) | (b[p + 1] & 0xff);
  }

  private static long u32(byte[] b, int p) {
    return ((long) u16(b, p) << 16) | u16(b, p + 2);
  }

  private static String addr(byte[] b, int p, int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append(n == 4 ? "." : ":");
      }
      sb.append(b[p + i] & 0xff);
    }
    return sb.toString();
  }
}
