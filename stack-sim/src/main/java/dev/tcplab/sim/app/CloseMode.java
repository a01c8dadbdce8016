package dev.tcplab.sim.app;

/** How an application ends its side of a connection. */
public enum CloseMode {
  /** close(): FIN after the queued data (or RST if received data is unread, RFC 1122 §4.2.2.13). */
  CLOSE,
  /** shutdown(SHUT_WR), keep reading until the peer's FIN, then close(). */
  SHUTDOWN,
  /** abort(): RST at once, queues discarded (RFC 9293 §3.10.5). */
  ABORT,
  /** SO_LINGER {1, 0} then close(): RST, queued data discarded. */
  LINGER_ZERO,
  /** Never close (the peer or a timer ends the connection). */
  NONE
}
