package dev.tcplab.core.tcp;

import dev.tcplab.core.wire.Segment;
import java.net.InetAddress;

/**
 * Sees everything a stack does: each segment in and out, each change of state with its reason. The
 * simulator's trace, the pcap writer and the teaching views hang off this. Every method has an empty
 * default.
 */
public interface TcpObserver {
  /** A segment left the stack. */
  default void segmentSent(InetAddress src, InetAddress dst, Segment segment) {}

  /** A segment arrived at the stack. */
  default void segmentReceived(InetAddress src, InetAddress dst, Segment segment) {}

  /**
   * A connection changed state along {@code transition}; {@code reason} says what caused it, e.g.
   * "rcv FIN" or "close() with 12 unread bytes".
   */
  default void stateChanged(ConnectionId id, Transition transition, String reason) {}

  /** Something worth a line in a trace that is not a state change: "challenge ACK", "RTO 400 ms". */
  default void event(ConnectionId id, String description) {}

  /** The connection ended and its TCB was deleted. */
  default void connectionEnded(ConnectionId id, ConnectionEnd how) {}
}
