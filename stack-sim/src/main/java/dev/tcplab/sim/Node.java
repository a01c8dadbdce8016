package dev.tcplab.sim;

/** Something a link delivers packets to: a host or a router. */
public interface Node {
  String name();

  /** A packet arrives (the link's far end); {@code packet} numbers it in the trace. */
  void receive(byte[] bytes, long packet);
}
