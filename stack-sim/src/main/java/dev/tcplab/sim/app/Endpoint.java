package dev.tcplab.sim.app;

import dev.tcplab.core.tcp.ConnectionEnd;
import dev.tcplab.core.tcp.TcpSocket;
import dev.tcplab.core.tcp.TcpSocketException;
import dev.tcplab.sim.Host;
import dev.tcplab.sim.Network;
import java.util.zip.CRC32;

/**
 * The common part of the simulated applications: one socket, driven by its readiness events. Events are
 * handled in their own turn of the event loop (scheduled at the current time), never from inside the
 * stack's processing, as a real application reacts after the kernel has finished.
 */
abstract class Endpoint extends Reactor {
  final Network net;
  final Host host;
  TcpSocket socket;
  long bytesRead;
  boolean eof;
  ConnectionEnd end;
  String error;
  final CRC32 readDigest = new CRC32();
  private final byte[] buffer = new byte[65536];

  Endpoint(Network net, Host host) {
    super(net);
    this.net = net;
    this.host = host;
  }

  @Override
  public void connected(TcpSocket s) {
    app("connected " + s.id());
    super.connected(s);
  }

  @Override
  public void closed(TcpSocket s, ConnectionEnd how) {
    if (end == null) end = how;
    super.closed(s, how);
  }

  /** Reads everything available; notes EOF and errors. */
  void readAll() {
    if (socket == null || eof || error != null) return;
    try {
      int n;
      while ((n = socket.read(buffer)) > 0) {
        bytesRead += n;
        readDigest.update(buffer, 0, n);
      }
      if (n < 0) {
        eof = true;
        app("read = EOF after " + bytesRead + " bytes");
      }
    } catch (TcpSocketException e) {
      error = e.error().name();
      app("read = -1 " + e.getMessage());
    }
  }

  /** Ends the connection as {@code mode} says. */
  void finish(CloseMode mode) {
    switch (mode) {
      case CLOSE -> {
        app("close()");
        socket.close();
      }
      case SHUTDOWN -> {
        app("shutdown(SHUT_WR)");
        socket.shutdownOutput();
      }
      case ABORT -> {
        app("abort()");
        socket.abort();
      }
      case LINGER_ZERO -> {
        app("setsockopt(SO_LINGER {1, 0}); close()");
        socket.setLingerZero(true);
        socket.close();
      }
      case NONE -> {}
    }
  }

  void app(String text) {
    net.traceApp(host, text);
  }

  public long bytesRead() {
    return bytesRead;
  }

  /** CRC-32 of the bytes read, in order. */
  public long readDigest() {
    return readDigest.getValue();
  }

  public boolean sawEof() {
    return eof;
  }

  /** How the connection ended, or null while it is open. */
  public ConnectionEnd end() {
    return end != null ? end : socket == null ? null : socket.end();
  }

  /** The error a read or write reported (ECONNRESET, ...), or null. */
  public String error() {
    return error;
  }

  public TcpSocket socket() {
    return socket;
  }
}
