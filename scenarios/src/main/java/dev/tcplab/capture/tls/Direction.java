package dev.tcplab.capture.tls;

/** The two byte streams of a TCP connection. The client is the side that sent the first SYN. */
public enum Direction {
  CLIENT_TO_SERVER,
  SERVER_TO_CLIENT;

  /** "client" or "server": the side that sends in this direction. */
  public String sender() {
    return this == CLIENT_TO_SERVER ? "client" : "server";
  }
}
