package dev.tcplab.core.tcp;

/**
 * Readiness events of one socket, the non-blocking API's counterpart of poll(). Every method has an
 * empty default; they are called from inside the stack, after the state they report is in place.
 */
public interface SocketListener {
  /** The handshake completed (connect succeeded, or an accepted connection is ready). */
  default void connected(TcpSocket socket) {}

  /** Data or end-of-stream can be read. */
  default void readable(TcpSocket socket) {}

  /** Send buffer space became available. */
  default void writable(TcpSocket socket) {}

  /** The connection ended; {@code how} says why. */
  default void closed(TcpSocket socket, ConnectionEnd how) {}
}
