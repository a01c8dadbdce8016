package dev.tcplab.tls.scenario;

/** How the TLS server ends the connection after writing its response. */
public enum ServerEnding {
  /** close_notify, then abort at once: the PH01192 pattern. */
  ABORT_AFTER_CLOSE_NOTIFY,
  /** close_notify, wait for the client's close_notify, then abort. */
  ABORT_AFTER_PEER_CLOSE_NOTIFY,
  /** Abort while the response is still being written, with no close_notify: a real abort. */
  ABORT_WHILE_ESTABLISHED,
  /** close_notify, then a TCP close (FIN): graceful. */
  CLOSE,
  /** A TCP close (FIN) with no close_notify: a truncation. */
  FIN_WITHOUT_CLOSE_NOTIFY,
  /** A TCP abort (RST) with no close_notify, after the response was acknowledged. */
  RST_WITHOUT_CLOSE_NOTIFY
}
