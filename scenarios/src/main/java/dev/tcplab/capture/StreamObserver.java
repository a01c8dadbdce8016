package dev.tcplab.capture;

/**
 * Sees the payload of a connection as two in-order byte streams (what each side's application
 * wrote), for protocols above TCP such as TLS.
 */
interface StreamObserver {
  /** In-order bytes from {@code from}; {@code offset} is the stream offset of {@code b[off]}. */
  void data(Side from, long offset, byte[] b, int off, int len);

  /** The bytes of {@code from}'s stream from {@code offset} on are missing from the capture. */
  void gap(Side from, long offset);

  /** What it found, judged against how the connection ended; null if it is not its protocol. */
  ConnectionReport.Tls report(TrackedConnection connection);
}
