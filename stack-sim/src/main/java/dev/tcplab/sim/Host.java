package dev.tcplab.sim;

import static com.google.common.base.Preconditions.checkState;

import dev.tcplab.core.tcp.ConnectionEnd;
import dev.tcplab.core.tcp.ConnectionId;
import dev.tcplab.core.tcp.TcpObserver;
import dev.tcplab.core.tcp.TcpStack;
import dev.tcplab.core.tcp.Transition;
import dev.tcplab.core.wire.IpPacket;
import dev.tcplab.core.wire.IpPacketCodec;
import dev.tcplab.core.wire.MalformedPacketException;
import dev.tcplab.core.wire.Segment;
import dev.tcplab.sim.trace.TraceEvent;
import java.net.InetAddress;

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
  private Link uplink;
  private int ipId;

  Host(Network net, String name, InetAddress address, TcpStack.Builder stackBuilder) {
    this.net = net;
    this.name = name;
    this.address = address;
    this.stack = stackBuilder.name(name).address(address).time(net.loop()).output(this).build();
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

  void attach(Link link) {
    checkState(uplink == null, "%s already has a link", name);
    this.uplink = link;
  }

  @Override
  public void send(InetAddress src, InetAddress dst, Segment segment) {
    byte[] bytes = IpPacketCodec.encode(src, dst, 64, ++ipId & 0xffff, segment);
    long packet = net.nextPacketNumber();
    net.trace(TraceEvent.Kind.SENT, name, packet, src, dst, segment, "");
    net.capture(this, bytes);
    if (uplink != null) uplink.send(bytes, packet, src, dst, segment);
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
    InetAddress src = p.header().srcAddress();
    InetAddress dst = p.header().dstAddress();
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
