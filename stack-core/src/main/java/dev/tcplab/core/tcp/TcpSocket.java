package dev.tcplab.core.tcp;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkPositionIndexes;

import java.net.InetAddress;

/**
 * A non-blocking, Berkeley-like socket over one connection. Calls never block: {@link #read} returns 0
 * when nothing is there yet and {@link #write} accepts what fits; a {@link SocketListener} hears when
 * to try again. Errors are {@link TcpSocketException}s carrying POSIX names (ECONNRESET, EPIPE, ...).
 */
public final class TcpSocket {
  private final TcpConnection c;
  private SocketListener listener;
  private boolean closedFired;

  TcpSocket(TcpConnection c) {
    this.c = c;
    c.socket = this;
  }

  /** The 4-tuple, or null for a passive OPEN still in LISTEN. */
  public ConnectionId id() {
    return c.id;
  }

  public TcpState state() {
    return c.state;
  }

  /** How the connection ended, or null while it has not. */
  public ConnectionEnd end() {
    return c.end;
  }

  public void setListener(SocketListener listener) {
    this.listener = listener;
  }

  /** On a passive OPEN in LISTEN: become an active OPEN towards {@code remote} (LISTEN to SYN-SENT). */
  public void connect(InetAddress remote, int port) {
    checkNotNull(remote, "remote");
    checkArgument(port > 0 && port <= 0xffff, "Port out of range: %s", port);
    if (c.state != TcpState.LISTEN) {
      throw new TcpSocketException(
          c.state == TcpState.SYN_SENT ? SocketError.EALREADY : SocketError.EISCONN);
    }
    c.stack.connectFromListen(c, remote, port);
  }

  /** Queues up to {@code len} bytes; returns how many were accepted (0 when the buffer is full). */
  public int write(byte[] src, int off, int len) {
    checkPositionIndexes(off, off + len, src.length);
    return c.write(src, off, len);
  }

  public int write(byte[] src) {
    return write(src, 0, src.length);
  }

  /** Reads up to {@code len} bytes: the count, 0 when nothing is there yet, -1 at end of stream. */
  public int read(byte[] dst, int off, int len) {
    checkPositionIndexes(off, off + len, dst.length);
    return c.read(dst, off, len);
  }

  public int read(byte[] dst) {
    return read(dst, 0, dst.length);
  }

  /** Bytes ready to read. */
  public long available() {
    return c.available();
  }

  /** Room left in the send buffer. */
  public long writable() {
    return c.writable();
  }

  /** The stack this socket belongs to. */
  public TcpStack stack() {
    return c.stack;
  }

  /** Bytes written and not yet acknowledged by the peer: queued, in flight or to be retransmitted. */
  public long outstanding() {
    return c.unsent() + c.rtxQueue.payloadBytes();
  }

  /** True when everything written, and our FIN if one was sent, has been acknowledged. */
  public boolean allAcknowledged() {
    return outstanding() == 0 && c.rtxQueue.isEmpty() && !(c.finRequested && !c.finSent);
  }

  /** Adds a line to the trace of this connection (layers above TCP report their decisions here). */
  public void traceEvent(String description) {
    c.event(description);
  }

  /** True once the peer's FIN has arrived in order: reads end with -1 after the queued bytes. */
  public boolean peerClosed() {
    return c.peerFinReceived;
  }

  /** shutdown(SHUT_WR): a FIN after the queued data; reading goes on (half-close). */
  public void shutdownOutput() {
    c.shutdownOutput();
  }

  /**
   * shutdown(SHUT_RD): nothing is sent. With the LINUX profile queued and later data stay readable and a
   * read with nothing queued returns -1 at once; otherwise they are discarded (see {@link
   * Profile#shutdownReadKeepsData()}).
   */
  public void shutdownInput() {
    c.shutdownInput();
  }

  /** True after shutdown(SHUT_RD) or close(): a read with nothing queued returns -1 at once. */
  public boolean inputShutdown() {
    return c.readShutdown;
  }

  /**
   * close(): graceful (FIN after the queued data) unless SO_LINGER 0 is set or received data is unread,
   * in which case the connection is reset (RFC 1122 §4.2.2.13).
   */
  public void close() {
    c.close();
  }

  /** ABORT (RFC 9293 §3.10.5): RST now, queues discarded. */
  public void abort() {
    if (c.state == TcpState.CLOSED) return;
    c.abort("abort()");
  }

  // Options -----------------------------------------------------------------------------------

  /** SO_LINGER {onoff=1, linger=0}: close() aborts with RST, discarding queued data. */
  public void setLingerZero(boolean on) {
    c.lingerZero = on;
  }

  /** TCP_NODELAY: Nagle off. */
  public void setNoDelay(boolean on) {
    c.noDelay = on;
  }

  public boolean noDelay() {
    return c.noDelay;
  }

  /** SO_SNDBUF in bytes. */
  public void setSendBufferSize(int bytes) {
    checkArgument(bytes > 0, "Send buffer must be positive: %s", bytes);
    c.sendBufferSize = bytes;
  }

  public int sendBufferSize() {
    return c.sendBufferSize;
  }

  /** SO_RCVBUF in bytes; set before connect() for it to shape the window scale. */
  public void setReceiveBufferSize(int bytes) {
    checkArgument(bytes > 0, "Receive buffer must be positive: %s", bytes);
    c.receiveBufferSize = bytes;
  }

  public int receiveBufferSize() {
    return c.receiveBufferSize;
  }

  /** SO_KEEPALIVE (RFC 1122 §4.2.3.6), timings from the profile. */
  public void setKeepAlive(boolean on) {
    c.keepAlive = on;
    if (on && c.state.isSynchronized()) {
      c.timers.armKeepalive();
    } else if (!on) {
      c.timers.stopKeepalive();
    }
  }

  /** TCP_USER_TIMEOUT (RFC 5482) in nanoseconds, 0 = off: unacknowledged data older than this aborts. */
  public void setUserTimeout(long nanos) {
    checkArgument(nanos >= 0, "User timeout must not be negative: %s", nanos);
    c.userTimeoutNanos = nanos;
  }

  /** TCP_USER_TIMEOUT in nanoseconds, 0 when off. */
  public long userTimeout() {
    return c.userTimeoutNanos;
  }

  /** RCV.NXT etc., for views and tests. */
  public String tcbSummary() {
    return c.tcb.toString();
  }

  @Override
  public String toString() {
    return "TcpSocket[" + c + "]";
  }

  // Events ------------------------------------------------------------------------------------

  boolean hasListener() {
    return listener != null;
  }

  void fireConnected() {
    if (listener != null) listener.connected(this);
  }

  void fireReadable() {
    if (listener != null) listener.readable(this);
  }

  void fireWritable() {
    if (listener != null) listener.writable(this);
  }

  void fireClosed(ConnectionEnd how) {
    if (closedFired) return;
    closedFired = true;
    if (listener != null) listener.closed(this, how);
  }
}
