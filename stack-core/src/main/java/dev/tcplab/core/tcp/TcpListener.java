package dev.tcplab.core.tcp;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;

/**
 * A Berkeley listening socket: each SYN forks a TCB (LISTEN to SYN-RECEIVED); established ones wait in
 * the accept queue. The backlog bounds embryonic plus unaccepted connections; SYNs beyond it are
 * dropped, as Linux does.
 */
public final class TcpListener {
  private final TcpStack stack;
  private final int port;
  private final int backlog;
  private final Set<TcpConnection> embryonic = new HashSet<>();
  private final ArrayDeque<TcpSocket> acceptQueue = new ArrayDeque<>();
  private Runnable onAcceptable;
  private boolean closed;

  TcpListener(TcpStack stack, int port, int backlog) {
    this.stack = stack;
    this.port = port;
    this.backlog = backlog;
  }

  public int port() {
    return port;
  }

  /** Called whenever a connection becomes acceptable. */
  public void onAcceptable(Runnable callback) {
    this.onAcceptable = callback;
  }

  /** The next established connection, or null when none is waiting. */
  public TcpSocket accept() {
    return acceptQueue.pollFirst();
  }

  /** Connections waiting in the accept queue. */
  public int pending() {
    return acceptQueue.size();
  }

  /** Stops listening; connections not yet accepted are reset. */
  public void close() {
    if (closed) return;
    closed = true;
    stack.closeListener(this);
    // Half-open ones vanish silently (Linux drops its request sockets; the peer's ACK later draws a
    // RST); established ones not yet accepted are reset.
    for (TcpConnection c : Set.copyOf(embryonic)) c.dropSilently("listener closed");
    TcpSocket s;
    while ((s = acceptQueue.pollFirst()) != null) s.abort();
  }

  boolean admits() {
    return !closed && embryonic.size() + acceptQueue.size() < backlog;
  }

  /** A child TCB: a copy of the listening one, in LISTEN. */
  TcpConnection newChild() {
    TcpConnection c = new TcpConnection(stack);
    c.parent = this;
    c.state = TcpState.LISTEN;
    new TcpSocket(c);
    embryonic.add(c);
    return c;
  }

  void childEstablished(TcpConnection c) {
    if (embryonic.remove(c)) {
      acceptQueue.addLast(c.socket);
      if (onAcceptable != null) onAcceptable.run();
    }
  }

  void childGone(TcpConnection c) {
    embryonic.remove(c);
  }

  @Override
  public String toString() {
    return "TcpListener[port " + port + ", " + acceptQueue.size() + " to accept]";
  }
}
