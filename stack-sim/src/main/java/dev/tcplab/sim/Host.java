package dev.tcplab.sim;

import static com.google.common.base.Preconditions.checkState;

import dev.tcplab.core.tcp.ConnectionEnd;
import dev.tcplab.core.tcp.ConnectionId;
import dev.tcplab.core.tcp.TcpObserver;
import dev.tcplab.core.tcp.TcpStack;
import dev.tcplab.core.tcp.Transition;
import dev.tcplab.core.wire.IpHeader;
import dev.tcplab.core.wire.IpPacket;
import dev.tcplab.core.wire.IpPacketCodec;
import dev.tcplab.core.wire.Ipv4Header;
import dev.tcplab.core.wire.MalformedPacketException;
import dev.tcplab.core.wire.Segment;
import dev.tcplab.sim.trace.TraceEvent;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * A host: one address, one TCP stack, one interface to a link. Segments the stack sends are encoded into
 * IP packets (checksums included) and put on the link; packets that arrive are decoded and checked, so a
 * corrupted one is discarded as a real host would.
 */
public final class Host implements Node, TcpStack.SegmentOutput {
  private final Network net;
  private final String name;
  private final InetAddress address;
  private final TcpStack stack;
  /** The first link: where packets go unless a route says otherwise. */
  private Link uplink;
  /** Direct links to neighbouring hosts (a host with two interfaces, like a TLS offload proxy). */
  private final Map<InetAddress, Link> routes = new HashMap<>();
  private int ipId;
  // Per-packet conversions between InetAddress and int, remembered (IPv4 only): the host's own
  // address, and the last peer seen in each direction. Same values as the codec would produce, without
  // a new InetAddress or address array per packet.
  private final int address4;
  private InetAddress lastDst;
  private int lastDst4;
  private int lastSrc4;
  private InetAddress lastSrc;

  Host(Network net, String name, InetAddress address, TcpStack.Builder stackBuilder) {
    this.net = net;
    this.name = name;
    this.address = address;
    this.stack = stackBuilder.name(name).address(address).time(net.loop()).output(this).build();
    this.address4 = address instanceof Inet4Address a4 ? Ipv4Header.toInt(a4) : 0;
    stack.addObserver(new Observer());
  }

  @Override
  public String name() {
    return name;
  }

  public InetAddress address() {
    return address;
  }

  public TcpStack stack() {
    return stack;
  }

  /** Adds an interface: the first is the default; later ones carry packets for {@code neighbour}. */
  void attach(Link link, InetAddress neighbour) {
    if (uplink == null) {
      uplink = link;
    } else {
      checkState(neighbour != null, "%s already has a link and the new one leads to no host", name);
      routes.put(neighbour, link);
    }
  }

  @Override
  public void send(InetAddress src, InetAddress dst, Segment segment) {
    byte[] bytes;
    if (src == address && address4 != 0 && dst instanceof Inet4Address d4) {
      if (dst != lastDst) {
        lastDst4 = Ipv4Header.toInt(d4);
        lastDst = dst;
      }
      bytes = IpPacketCodec.encodeIpv4(address4, lastDst4, 64, ++ipId & 0xffff, segment);
    } else {
      bytes = IpPacketCodec.encode(src, dst, 64, ++ipId & 0xffff, segment);
    }
    long packet = net.nextPacketNumber();
    net.trace(TraceEvent.Kind.SENT, name, packet, src, dst, segment, "");
    net.capture(this, bytes);
    Link out = routes.isEmpty() ? uplink : routes.getOrDefault(dst, uplink);
    if (out != null) out.send(bytes, packet, src, dst, segment);
  }

  @Override
  public void receive(byte[] bytes, long packet) {
    IpPacket p;
    try {
      p = IpPacketCodec.decode(bytes, 0, bytes.length);
    } catch (MalformedPacketException e) {
      net.capture(this, bytes);
      net.trace(TraceEvent.Kind.DISCARDED, name, packet, null, null, null, e.getMessage());
      return;
    }
    IpHeader h = p.header();
    InetAddress src;
    InetAddress dst;
    if (h instanceof Ipv4Header h4) {
      if (lastSrc == null || h4.src() != lastSrc4) {
        lastSrc = h4.srcAddress();
        lastSrc4 = h4.src();
      }
      src = lastSrc;
      dst = address4 != 0 && h4.dst() == address4 ? address : h4.dstAddress();
    } else {
      src = h.srcAddress();
      dst = h.dstAddress();
    }
    if (!dst.equals(address)) {
      net.trace(TraceEvent.Kind.DISCARDED, name, packet, src, dst, p.segment(), "not for this host");
      return;
    }
    net.trace(TraceEvent.Kind.RECEIVED, name, packet, src, dst, p.segment(), "");
    net.capture(this, bytes);
    stack.receive(src, dst, p.segment());
  }

  @Override
  public String toString() {
    return name + " (" + address.getHostAddress() + ")";
  }

  /** Turns the stack's state changes and events into trace events. */
  private final class Observer implements TcpObserver {
    @Override
    public void stateChanged(ConnectionId id, Transition t, String reason) {
      net.trace(TraceEvent.Kind.STATE, name, 0, null, null, null,
          t.from() + " -> " + t.to() + " (" + reason + ")");
    }

    @Override
    public void event(ConnectionId id, String description) {
      net.trace(TraceEvent.Kind.STACK, name, 0, null, null, null, description);
    }

    @Override
    public void connectionEnded(ConnectionId id, ConnectionEnd how) {
      net.trace(TraceEvent.Kind.ENDED, name, 0, null, null, null,
          (id == null ? "" : id + " ") + how);
    }
  }
}
