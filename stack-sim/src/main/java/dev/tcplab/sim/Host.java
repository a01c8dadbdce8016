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
import dev.tcplab.core.wire.TcpCodec;
import dev.tcplab.sim.trace.TraceEvent;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * A host: one address, one TCP stack, one interface to a link. Segments the stack sends are encoded into
 * IP packets (checksums included) and put on the link; packets that arrive are decoded and checked, so a
 * corrupted one is discarded as a real host would. (Only a packet that a link hands over as intact, the
 * bytes another host's encoder wrote and nothing changed since, skips the checksum verification, which
 * it would pass: see {@link #receiveIntact}.)
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
    if (out != null) out.send(bytes, packet, src, dst, segment, true);
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
    if (h instanceof Ipv4Header h4) {
      deliver4(bytes, packet, h4.src(), h4.dst(), p.segment());
    } else {
      deliver(bytes, packet, h.srcAddress(), h.dstAddress(), p.segment());
    }
  }

  /**
   * A packet whose bytes are exactly what {@link IpPacketCodec#encodeIpv4} wrote, untouched since (a
   * link passes it on so when no fault changed it): its checksums hold, so verifying them — two passes
   * over every byte, the simulator's largest single cost — would change nothing. The TCP header is
   * parsed as {@link #receive} parses it; anything unexpected takes the full path, which then reports it
   * in its own words.
   */
  void receiveIntact(byte[] bytes, long packet) {
    int len = bytes.length;
    // What encodeIpv4 writes: version 4, IHL 5, protocol TCP, not a fragment, total length = length.
    if (len < Ipv4Header.MIN_LENGTH
        || bytes[0] != 0x45
        || bytes[9] != 6
        || (u16(bytes, 6) & 0x3fff) != 0
        || u16(bytes, 2) != len) {
      receive(bytes, packet);
      return;
    }
    Segment segment;
    try {
      segment = TcpCodec.decode(bytes, Ipv4Header.MIN_LENGTH, len - Ipv4Header.MIN_LENGTH);
    } catch (MalformedPacketException e) {
      receive(bytes, packet);
      return;
    }
    deliver4(bytes, packet, u32(bytes, 12), u32(bytes, 16), segment);
  }

  private void deliver4(byte[] bytes, long packet, int src4, int dst4, Segment segment) {
    if (lastSrc == null || src4 != lastSrc4) {
      lastSrc = Ipv4Header.toInetAddress(src4);
      lastSrc4 = src4;
    }
    InetAddress dst =
        address4 != 0 && dst4 == address4 ? address : Ipv4Header.toInetAddress(dst4);
    deliver(bytes, packet, lastSrc, dst, segment);
  }

  private void deliver(byte[] bytes, long packet, InetAddress src, InetAddress dst, Segment segment) {
    if (!dst.equals(address)) {
      net.trace(TraceEvent.Kind.DISCARDED, name, packet, src, dst, segment, "not for this host");
      return;
    }
    net.trace(TraceEvent.Kind.RECEIVED, name, packet, src, dst, segment, "");
    net.capture(this, bytes);
    stack.receive(src, dst, segment);
  }

  private static int u16(byte[] b, int i) {
    return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
  }

  private static int u32(byte[] b, int i) {
    return ((b[i] & 0xff) << 24) | ((b[i + 1] & 0xff) << 16) | ((b[i + 2] & 0xff) << 8)
        | (b[i + 3] & 0xff);
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
