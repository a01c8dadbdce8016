package dev.tcplab.core.tcp;

/** A socket call failed with {@link #error()}. */
public final class TcpSocketException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final SocketError error;

  public TcpSocketException(SocketError error) {
    super(error.name() + " (" + error.message() + ")");
    this.error = error;
  }

  public TcpSocketException(SocketError error, String detail) {
    super(error.name() + " (" + error.message() + "): " + detail);
    this.error = error;
  }

  public SocketError error() {
    return error;
  }
}
