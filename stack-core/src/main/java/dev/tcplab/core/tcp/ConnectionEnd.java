package dev.tcplab.core.tcp;

/** How a connection ended, as its application learns it. */
public enum ConnectionEnd {
  /** Both FINs exchanged and acknowledged (or TIME-WAIT entered). */
  CLOSED_GRACEFULLY,
  /** The peer sent an acceptable RST (RFC 9293 §3.10.7.4 second, RFC 5961 §3). */
  RESET_BY_PEER,
  /** Our SYN was answered by RST (RFC 9293 §3.10.7.3). */
  REFUSED,
  /** The local application aborted (ABORT, SO_LINGER 0, or close with unread data, RFC 1122 §4.2.2.13). */
  ABORTED_LOCALLY,
  /**
   * New data arrived in FIN-WAIT-1/2 after the application shut down reading (shutdown(SHUT_RDWR)): we
   * answered with RST and the application's next read or write reports ECONNRESET (Linux
   * tcp_rcv_state_process, LINUX_MIB_TCPABORTONDATA; RFC 1122 §4.2.2.13 in spirit).
   */
  RESET_ON_DATA_AFTER_SHUTDOWN,
  /** Retransmissions, the user timeout or keepalive gave up (RFC 9293 §3.10.8, RFC 1122 §4.2.3.5). */
  TIMED_OUT
}
