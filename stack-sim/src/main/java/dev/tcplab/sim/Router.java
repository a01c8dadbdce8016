package dev.tcplab.sim;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.tcplab.core.wire.IpPacket;
import dev.tcplab.sim.trace.TraceEvent;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * A router: forwards each packet onto the link its destination address is routed to, decrementing the
 * TTL / hop limit (RFC 791, RFC 8200) and fixing the IPv4 header checksum.
 */
public final class Router implements Node {
  private final Network net;
  private final String name;
  private final Map<InetAddress, Link> routes = new HashMap<>();

  Router(Network net, String name) {
    this.net = net;
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  /** Packets for {@code destination} leave on {@code link}. */
  public Router route(InetAddress destination, Link link) {
    routes.put(checkNotNull(destination), checkNotNull(link));
    return this;
  }

  @Override
  public void receive(byte[] bytes, long packet) {
    IpPacket p = Link.decodeOrNull(bytes);
    if (p == null) {
      net.trace(TraceEvent.Kind.DISCARDED, name, packet, null, null, null, "malformed packet");
      return;
    }
    InetAddress src = p.header().srcAddress();
    InetAddress dst = p.header().dstAddress();
    Link out = routes.get(dst);
    if (out == null) {
      net.trace(TraceEvent.Kind.DROPPED, name, packet, src, dst, p.segment(), "no route");
      return;
    }
    byte[] forwarded = bytes.clone();
    if (!decrementHopLimit(forwarded)) {
      net.trace(TraceEvent.Kind.DROPPED, name, packet, src, dst, p.segment(), "TTL expired");
      return;
    }
    out.send(forwarded, packet, src, dst, p.segment());
  }

  /** Decrements TTL (IPv4, with an incremental checksum update, RFC 1624) or hop limit (IPv6). */
  static boolean decrementHopLimit(byte[] b) {
    int version = (b[0] >> 4) & 0xf;
    int at = version == 4 ? 8 : 7;
    int ttl = b[at] & 0xff;
    if (ttl <= 1) return false;
    b[at] = (byte) (ttl - 1);
    if (version == 4) {
      // RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), the TTL being the high byte of its 16-bit word
      int hc = ((b[10] & 0xff) << 8) | (b[11] & 0xff);
      int oldWord = (ttl << 8) | (b[9] & 0xff);
      int newWord = ((ttl - 1) << 8) | (b[9] & 0xff);
      int sum = (~hc & 0xffff) + (~oldWord & 0xffff) + newWord;
      sum = (sum & 0xffff) + (sum >>> 16);
      sum = (sum & 0xffff) + (sum >>> 16);
      int result = ~sum & 0xffff;
      b[10] = (byte) (result >> 8);
      b[11] = (byte) result;
    }
    return true;
  }
}
