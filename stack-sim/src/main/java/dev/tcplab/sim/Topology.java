package dev.tcplab.sim;

import dev.tcplab.core.tcp.TcpStack;
import java.util.function.UnaryOperator;

/** Ready-made networks: two hosts on one link, and a chain of two links through a router. */
public final class Topology {
  public static final String CLIENT = "client";
  public static final String SERVER = "server";

  private Topology() {}

  /** {@code client} 10.0.0.1 and {@code server} 10.0.0.2 on one link, both directions alike. */
  public static Network twoHosts(long seed, LinkConfig link) {
    return twoHosts(seed, link, b -> b);
  }

  public static Network twoHosts(long seed, LinkConfig link, UnaryOperator<TcpStack.Builder> stack) {
    Network net = new Network(seed);
    Host c = net.host(CLIENT, "10.0.0.1", stack);
    Host s = net.host(SERVER, "10.0.0.2", stack);
    net.connect(c, s, link);
    return net;
  }

  /**
   * {@code client} 10.0.1.1 — router — {@code server} 10.0.2.1: {@code left} joins client and router,
   * {@code right} joins router and server (a bottleneck there, say).
   */
  public static Network chain(long seed, LinkConfig left, LinkConfig right) {
    Network net = new Network(seed);
    Host c = net.host(CLIENT, "10.0.1.1");
    Host s = net.host(SERVER, "10.0.2.1");
    Router r = net.router("router");
    net.link(c, r, left);
    Link rc = net.link(r, c, left);
    Link rs = net.link(r, s, right);
    net.link(s, r, right);
    r.route(c.address(), rc).route(s.address(), rs);
    return net;
  }
}
