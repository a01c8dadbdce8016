package dev.tcplab.sim;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.net.InetAddresses;
import dev.tcplab.core.tcp.TcpStack;
import dev.tcplab.core.time.ManualClock;
import dev.tcplab.core.wire.Segment;
import dev.tcplab.sim.trace.Trace;
import dev.tcplab.sim.trace.TraceEvent;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * A deterministic discrete-event network: hosts and routers joined by one-way links, all driven by one
 * event loop in virtual nanoseconds (a queue ordered by time, then insertion order). Every random
 * choice — ISNs, ports, loss, faults — comes from generators seeded from the network's seed, so the same
 * seed gives the same run, byte for byte.
 */
public final class Network {
  /** Sees every packet a host sends or receives (a pcap writer, typically). */
  @FunctionalInterface
  public interface PacketTap {
    void packet(long timeNanos, Host host, byte[] bytes);
  }

  private final long seed;
  private final ManualClock loop = new ManualClock();
  private final Trace trace = new Trace();
  private final Map<String, Node> nodes = new LinkedHashMap<>();
  private final List<Host> hosts = new ArrayList<>();
  private final List<Link> links = new ArrayList<>();
  private boolean tracing = true;
  private boolean started;
  private long packets;
  private PacketTap tap;
  private Host tapHost;

  public Network(long seed) {
    this.seed = seed;
  }

  public long seed() {
    return seed;
  }

  /** The event loop: the clock and timer scheduler every stack runs on. */
  public ManualClock loop() {
    return loop;
  }

  public long now() {
    return loop.nanos();
  }

  public Trace trace() {
    return trace;
  }

  /** Turns the trace off (benchmarks); on by default. */
  public void setTracing(boolean on) {
    this.tracing = on;
  }

  /** Adds a host with a default stack (profile linux). */
  public Host host(String name, String address) {
    return host(name, address, b -> b);
  }

  /** Adds a host; {@code stack} may set the profile, MSS, buffers or congestion control. */
  public Host host(String name, String address, UnaryOperator<TcpStack.Builder> stack) {
    checkFreeName(name);
    InetAddress a = parse(address);
    Random r = new Random(seed * 1_000_003L + nodes.size());
    Host h = new Host(this, name, a, stack.apply(TcpStack.builder().random(r)));
    nodes.put(name, h);
    hosts.add(h);
    return h;
  }

  public Router router(String name) {
    checkFreeName(name);
    Router r = new Router(this, name);
    nodes.put(name, r);
    return r;
  }

  /** A one-way link; a host's first outgoing link becomes its interface. */
  public Link link(Node from, Node to, LinkConfig config) {
    checkNotNull(from, "from");
    checkNotNull(to, "to");
    checkNotNull(config, "config");
    Link l = new Link(this, from.name() + "->" + to.name(), to, config, seed * 7_919L + links.size());
    links.add(l);
    if (from instanceof Host h) h.attach(l, to instanceof Host t ? t.address() : null);
    return l;
  }

  /** Both directions between two nodes with the same configuration: {@code [a->b, b->a]}. */
  public List<Link> connect(Node a, Node b, LinkConfig config) {
    return List.of(link(a, b, config), link(b, a, config));
  }

  public List<Host> hosts() {
    return Collections.unmodifiableList(hosts);
  }

  public List<Link> links() {
    return Collections.unmodifiableList(links);
  }

  /** The host called {@code name}. */
  public Host host(String name) {
    Node n = nodes.get(name);
    checkArgument(n instanceof Host, "No host called '%s'", name);
    return (Host) n;
  }

  /** Packets that {@code host} sends and receives go to {@code tap} (one capture point, like tcpdump). */
  public void capture(Host host, PacketTap tap) {
    this.tapHost = checkNotNull(host);
    this.tap = checkNotNull(tap);
  }

  /** Runs events until none is left or virtual time reaches {@code limitNanos}. */
  public void run(long limitNanos) {
    runUntil(() -> false, limitNanos);
  }

  /** Runs events until {@code done} holds, none is left, or time reaches {@code limitNanos}; true if done. */
  public boolean runUntil(BooleanSupplier done, long limitNanos) {
    start();
    while (!done.getAsBoolean()) {
      if (!loop.runNext(limitNanos)) return done.getAsBoolean();
    }
    return true;
  }

  /** Schedules a task at a virtual time (applications use it to act at a given moment). */
  public void at(long timeNanos, Runnable task) {
    loop.schedule(timeNanos, task);
  }

  private void start() {
    if (started) return;
    started = true;
    for (Link l : links) l.scheduleInjections();
  }

  long nextPacketNumber() {
    return ++packets;
  }

  void trace(
      TraceEvent.Kind kind, String where, long packet, InetAddress src, InetAddress dst,
      Segment seg, String text) {
    if (!tracing) return;
    trace.accept(new TraceEvent(loop.nanos(), kind, where, packet,
        src == null ? null : InetAddresses.toAddrString(src),
        dst == null ? null : InetAddresses.toAddrString(dst), seg,
        text));
  }

  /** Records an application call in the trace. */
  public void traceApp(Host host, String text) {
    trace(TraceEvent.Kind.APP, host.name(), 0, null, null, null, text);
  }

  void capture(Host host, byte[] bytes) {
    if (tap != null && host == tapHost) tap.packet(loop.nanos(), host, bytes);
  }

  private void checkFreeName(String name) {
    checkNotNull(name, "name");
    checkArgument(!nodes.containsKey(name), "A node called '%s' exists already", name);
  }

  private static InetAddress parse(String address) {
    checkArgument(InetAddresses.isInetAddress(address), "Not an IP address: '%s'", address);
    return InetAddresses.forString(address);
  }
}
