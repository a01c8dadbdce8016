package dev.tcplab.core.tcp;

/** The errors the socket API reports, with their POSIX names and Linux messages. */
public enum SocketError {
  ECONNRESET("Connection reset by peer"),
  ECONNREFUSED("Connection refused"),
  ETIMEDOUT("Connection timed out"),
  EPIPE("Broken pipe"),
  ENOTCONN("Transport endpoint is not connected"),
  EISCONN("Transport endpoint is already connected"),
  EADDRINUSE("Address already in use"),
  EINVAL("Invalid argument"),
  EALREADY("Operation already in progress");

  private final String message;

  SocketError(String message) {
    this.message = message;
  }

  /** The strerror() text, e.g. "Connection reset by peer". */
  public String message() {
    return message;
  }
}
