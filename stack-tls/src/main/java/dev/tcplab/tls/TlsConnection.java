package dev.tcplab.tls;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkPositionIndexes;

import dev.tcplab.core.tcp.ConnectionEnd;
import dev.tcplab.core.tcp.SocketListener;
import dev.tcplab.core.tcp.TcpSocket;
import dev.tcplab.core.tcp.TcpSocketException;
import dev.tcplab.core.tcp.TcpState;
import dev.tcplab.core.time.Clock;
import dev.tcplab.core.time.TimerScheduler;

/**
 * A TLS connection over one of TcpLab's TCP sockets: the handshake, application data both ways,
 * close_notify, and the abort path with its {@link RstPolicy}. Non-blocking and event-driven like the
 * socket underneath; it reacts to the socket's events in their own turn of the event loop, never inside
 * the TCP stack's processing.
 *
 * <p>The abort path is where PH01192 lives: before any queued data is discarded, the policy looks at the
 * TLS half (has close_notify been sent?) and at the TCP connection (is it still ESTABLISHED?).
 */
public final class TlsConnection {
  /** Events of a TLS connection; every method has an empty default. */
  public interface Listener {
    default void handshakeComplete(TlsConnection c) {}

    /** Application data (or the end of it) can be read. */
    default void readable(TlsConnection c) {}

    /** Everything queued was handed to TCP; more can be written. */
    default void writable(TlsConnection c) {}

    default void closeNotifySent(TlsConnection c) {}

    default void closeNotifyReceived(TlsConnection c) {}

    /** The TCP connection ended (FIN or RST) before the peer's close_notify: a truncation. */
    default void truncated(TlsConnection c, String how) {}

    /** A fatal alert was sent or received, or the TLS engine failed. */
    default void failed(TlsConnection c, String why) {}

    /** The TCP connection underneath ended. */
    default void closed(TlsConnection c, ConnectionEnd how) {}
  }

  /** How long a deferred RST waits for the data to be acknowledged when no user timeout is set. */
  public static final long DEFAULT_HOLD_NANOS = 60_000_000_000L;

  private final TcpSocket socket;
  private final TlsEngine engine;
  private final RstPolicy policy;
  private final boolean isClient;
  private final Clock clock;
  private final TimerScheduler scheduler;
  private final byte[] io = new byte[16_384 + 2048];
  private Listener listener = new Listener() {};

  /**
   * TLS bytes the engine produced that TCP has not accepted yet: {@code pending[pendingStart,
   * pendingEnd)}. TCP taking part of them advances {@code pendingStart}; nothing is shifted per write
   * (see {@link #makeRoom}).
   */
  private byte[] pending = new byte[0];
  private int pendingStart;
  private int pendingEnd;

  private boolean eventPending;
  private boolean handshakeReported;
  private boolean closeNotifyReported;
  private boolean closeNotifyAnnounced;
  private boolean started;
  private boolean closeCalled;
  private boolean closeAfterFlush;
  /** close() sent close_notify and FIN (half-close): the socket is closed once the peer is done. */
  private boolean awaitingPeerClose;
  private TimerScheduler.Timer peerCloseTimer;
  private boolean flushingForStep;
  private boolean tcpEnded;
  private boolean closedReported;
  private boolean truncationToReport;
  private boolean tcpEof;
  private String truncation;
  private String failure;
  private boolean rstDeferred;
  private TimerScheduler.Timer holdTimer;
  private long holdLimitNanos = DEFAULT_HOLD_NANOS;

  private TlsConnection(TcpSocket socket, TlsEngine engine, RstPolicy policy, boolean isClient) {
    this.socket = checkNotNull(socket);
    this.engine = engine;
    this.policy = checkNotNull(policy);
    this.isClient = isClient;
    this.clock = socket.stack().clock();
    this.scheduler = socket.stack().scheduler();
    engine.setListener(new EngineEvents());
    socket.setListener(new SocketEvents());
    if (socket.state() == TcpState.ESTABLISHED || socket.state() == TcpState.CLOSE_WAIT) {
      schedule();
    }
  }

  /** The client side over {@code socket} (connecting or connected): the handshake starts once TCP is up. */
  public static TlsConnection client(
      TcpSocket socket, TlsVersion version, long seed, KeyLog keyLog, RstPolicy policy) {
    return new TlsConnection(socket, TlsEngine.client(version, seed, keyLog), policy, true);
  }

  /** The server side over an accepted {@code socket}. */
  public static TlsConnection server(
      TcpSocket socket, TlsVersion version, TlsIdentity identity, long seed, KeyLog keyLog,
      RstPolicy policy) {
    return new TlsConnection(
        socket, TlsEngine.server(version, identity, seed, keyLog), policy, false);
  }

  public void setListener(Listener listener) {
    this.listener = checkNotNull(listener);
  }

  public TcpSocket socket() {
    return socket;
  }

  public RstPolicy policy() {
    return policy;
  }

  /**
   * Bounds how long a deferred RST waits when no user timeout is set, and how long {@link #close()}
   * waits for the peer's close_notify; default {@link #DEFAULT_HOLD_NANOS}.
   */
  public void setHoldLimit(long nanos) {
    checkArgument(nanos > 0, "The hold limit must be positive: %s", nanos);
    this.holdLimitNanos = nanos;
  }

  public boolean handshakeComplete() {
    return engine.handshakeComplete();
  }

  public boolean closeNotifySent() {
    return engine.closeNotifySent();
  }

  public boolean closeNotifyReceived() {
    return engine.closeNotifyReceived();
  }

  /** How the stream was cut short ("FIN before close_notify", "RST before close_notify"), or null. */
  public String truncation() {
    return truncation;
  }

  /** Why the TLS connection failed (an alert, a protocol error), or null. */
  public String failure() {
    return failure;
  }

  /** True while an abort waits for the data to be acknowledged (the PH01192 hold). */
  public boolean rstDeferred() {
    return rstDeferred;
  }

  /** Queues application data; returns the bytes accepted (all of them once the handshake is done). */
  public int write(byte[] src, int off, int len) {
    checkPositionIndexes(off, off + len, src.length);
    if (engine.closeNotifyRequested() || failure != null || rstDeferred) {
      throw new TcpSocketException(dev.tcplab.core.tcp.SocketError.EPIPE, "TLS connection closing");
    }
    engine.writeApplicationData(src, off, len);
    flush();
    return len;
  }

  public int write(byte[] src) {
    return write(src, 0, src.length);
  }

  /**
   * Reads application data: the count, 0 when nothing is there yet, -1 at the end — after the peer's
   * close_notify, or after TCP ended without one (then {@link #truncation()} says how).
   */
  public int read(byte[] dst, int off, int len) {
    checkPositionIndexes(off, off + len, dst.length);
    int n = engine.readApplicationData(dst, off, len);
    if (n > 0) return n;
    if (engine.closeNotifyReceived() || tcpEof || failure != null) return -1;
    return 0;
  }

  public int read(byte[] dst) {
    return read(dst, 0, dst.length);
  }

  /** Bytes of application data ready to read. */
  public int available() {
    return engine.availableInput();
  }

  /**
   * Sends close_notify (after the data queued before it). Only the sending direction closes: data from
   * the peer is still read and decrypted until its own close_notify (the engine intercepts close_notify
   * instead of letting Bouncy Castle shut both directions), for TLS 1.2 and 1.3 alike.
   */
  public void closeNotify() {
    if (engine.closeNotifyRequested()) return;
    engine.closeNotify();
    trace("TLS close_notify queued");
    flush();
  }

  /**
   * The graceful close: close_notify, then, once it has been handed to TCP, the TCP close. If the peer's
   * close_notify (or the end of its TCP stream) has already arrived, that is close(); otherwise it is
   * shutdown(SHUT_WR) — a FIN after the close_notify — and the socket is closed when the peer's
   * close_notify or FIN arrives, or after the hold limit. (A full close() at once would draw a RST from
   * our TCP when the peer's close_notify arrives: data after close(), RFC 1122 §4.2.2.13.)
   */
  public void close() {
    if (closeCalled) return;
    closeCalled = true;
    closeNotify();
    closeAfterFlush = true;
    flush();
  }

  /**
   * Abort: the RST path. The policy decides, before anything queued is discarded, whether the RST goes
   * now or waits until everything queued has been delivered (PH01192).
   */
  public void abort() {
    if (rstDeferred || socket.end() != null) return;
    TcpState state = socket.state();
    boolean closeBegun = engine.closeNotifySent() || state != TcpState.ESTABLISHED;
    long unacked = socket.outstanding() + pendingLength();
    if (policy == RstPolicy.IMMEDIATE) {
      trace("RST now (policy IMMEDIATE): connection in " + state + ", " + unacked
          + " bytes unacknowledged are discarded");
      socket.abort();
      return;
    }
    if (!closeBegun) {
      trace("RST now: connection ESTABLISHED and no close begun (policy DEFER_UNTIL_DELIVERED)");
      socket.abort();
      return;
    }
    rstDeferred = true;
    trace("RST deferred: TLS half closing" + (engine.closeNotifySent() ? " (close_notify sent)" : "")
        + ", connection in " + state + ", " + unacked + " bytes unacknowledged");
    long hold = socket.userTimeout() > 0 ? socket.userTimeout() : holdLimitNanos;
    holdTimer = scheduler.schedule(clock.nanos() + hold, () -> {
      if (socket.end() != null) return;
      trace("RST hold expired after " + hold / 1_000_000 + " ms with " + (socket.outstanding()
          + pendingLength()) + " bytes unacknowledged: RST sent");
      socket.abort();
    });
    flush();
    maybeReleaseRst();
  }

  private void maybeReleaseRst() {
    if (!rstDeferred || socket.end() != null) return;
    if (pendingLength() == 0 && socket.allAcknowledged()) {
      if (holdTimer != null) holdTimer.cancel();
      trace("all data acknowledged, close_notify included: deferred RST sent");
      socket.abort();
    }
  }

  // ---------------------------------------------------------------------------------------------

  private void schedule() {
    if (eventPending) return;
    eventPending = true;
    scheduler.schedule(clock.nanos(), () -> {
      eventPending = false;
      step();
    });
  }

  /** One reaction: pump TCP input into TLS, TLS output into TCP, report what changed. */
  private void step() {
    if (isClient && !started && socket.state() == TcpState.ESTABLISHED) {
      started = true;
      engine.start();
    }
    pumpInput();
    flushingForStep = true;
    try {
      flush();
    } finally {
      flushingForStep = false;
    }
    reportWritable();
    if (engine.handshakeComplete() && !handshakeReported) {
      handshakeReported = true;
      listener.handshakeComplete(this);
    }
    if (engine.closeNotifyReceived() && !closeNotifyReported) {
      closeNotifyReported = true;
      trace("TLS close_notify received");
      listener.closeNotifyReceived(this);
    }
    if (engine.availableInput() > 0 || engine.closeNotifyReceived() || tcpEof) {
      listener.readable(this);
    }
    if (truncationToReport) {
      truncationToReport = false;
      listener.truncated(this, truncation);
    }
    maybeFinishClose();
    maybeReleaseRst();
    if (tcpEnded && !closedReported) {
      // After what TCP received before the end was read (and the truncation, if any, decided).
      closedReported = true;
      listener.closed(this, socket.end());
    }
  }

  private void pumpInput() {
    if (tcpEof || failure != null) return;
    try {
      int n;
      while ((n = socket.read(io)) > 0) engine.offerInput(io, 0, n);
      if (n < 0) endOfTcp("FIN");
    } catch (TcpSocketException e) {
      endOfTcp("RST");
    } catch (TlsFailure e) {
      fail(e.getMessage());
    }
  }

  private void endOfTcp(String how) {
    tcpEof = true;
    ConnectionEnd end = socket.end();
    // Our own abort or timeout, or our own close() (reads end then too), is no truncation by the peer.
    boolean endedHere = end == ConnectionEnd.ABORTED_LOCALLY || end == ConnectionEnd.TIMED_OUT
        || (how.equals("FIN") && !socket.peerClosed());
    if (!engine.closeNotifyReceived() && truncation == null && !endedHere) {
      truncation = how + " before close_notify";
      trace("TLS truncation: " + truncation);
      truncationToReport = true; // after the data that came before it was offered (step)
      schedule();
    }
  }

  private void fail(String why) {
    failure = why;
    trace("TLS failure: " + why);
    listener.failed(this, why);
  }

  /** Hands the engine's output to TCP as far as the send buffer takes it. */
  private void flush() {
    if (socket.end() != null) return;
    boolean moved = false;
    int produced;
    while ((produced = engine.pendingOutput()) > 0) {
      makeRoom(produced);
      pendingEnd += engine.readOutput(pending, pendingEnd, produced);
      moved = true;
    }
    TcpState state = socket.state();
    boolean tcpTakesData =
        state.canSend() || state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED;
    if (pendingEnd > pendingStart && tcpTakesData) {
      int n = 0;
      try {
        n = socket.write(pending, pendingStart, pendingEnd - pendingStart);
      } catch (TcpSocketException e) {
        return;
      }
      pendingStart += n;
      if (pendingStart == pendingEnd) {
        pendingStart = 0;
        pendingEnd = 0;
      }
    }
    if (pendingLength() == 0 && closeAfterFlush && engine.closeNotifySent()
        && socket.state().canSend()) {
      closeAfterFlush = false;
      closeTcpAfterCloseNotify();
      moved = true;
    }
    // Listeners hear of it in the connection's own step, never from inside write() or close(): an
    // application that writes again from writable() must not recurse.
    if (moved && !flushingForStep) schedule();
  }

  /** In a step: everything was handed to TCP, so more can be written. */
  private void reportWritable() {
    if (pendingLength() > 0 || socket.end() != null) return;
    if (engine.closeNotifySent() && !closeNotifyAnnounced) {
      closeNotifyAnnounced = true;
      listener.closeNotifySent(this);
    }
    listener.writable(this);
  }

  private void closeTcpAfterCloseNotify() {
    pumpInput(); // unread TCP data would turn close() into a RST
    if (engine.closeNotifyReceived() || tcpEof) {
      trace("TCP close after close_notify");
      socket.close();
      return;
    }
    trace("TCP shutdown(SHUT_WR) after close_notify: FIN; reading on until the peer's close_notify");
    socket.shutdownOutput();
    awaitingPeerClose = true;
    long limit = holdLimitNanos;
    peerCloseTimer = scheduler.schedule(clock.nanos() + limit, () -> {
      if (!awaitingPeerClose) return;
      awaitingPeerClose = false;
      trace("no close_notify from the peer within " + limit / 1_000_000 + " ms: TCP close");
      pumpInput();
      socket.close();
    });
  }

  /** After our half-close: the peer's close_notify or FIN arrived, so the socket can be closed. */
  private void maybeFinishClose() {
    if (!awaitingPeerClose || !(engine.closeNotifyReceived() || tcpEof || tcpEnded)) return;
    awaitingPeerClose = false;
    if (peerCloseTimer != null) peerCloseTimer.cancel();
    if (socket.end() == null) {
      trace(engine.closeNotifyReceived() ? "peer's close_notify received: TCP close"
          : "peer's TCP stream ended: TCP close");
    }
    socket.close(); // after the end too: the application lets go of the socket
  }

  /** TLS bytes produced and not yet accepted by TCP. */
  int pendingLength() {
    return pendingEnd - pendingStart;
  }

  /**
   * Room for {@code extra} more bytes behind the pending ones. The unsent bytes move to the front only
   * when at least as many bytes before them have been sent (so every byte moved is paid for by one sent
   * since the last move: linear overall, however little TCP takes each time); otherwise the buffer
   * grows (doubling).
   */
  private void makeRoom(int extra) {
    if (pending.length - pendingEnd >= extra) return;
    int unsent = pendingEnd - pendingStart;
    if (pendingStart >= unsent && pending.length - unsent >= extra) {
      System.arraycopy(pending, pendingStart, pending, 0, unsent);
    } else {
      byte[] bigger = new byte[Math.max(unsent + extra, pending.length * 2)];
      System.arraycopy(pending, pendingStart, bigger, 0, unsent);
      pending = bigger;
    }
    pendingStart = 0;
    pendingEnd = unsent;
  }

  private void trace(String text) {
    socket.traceEvent(text);
  }

  private final class SocketEvents implements SocketListener {
    @Override
    public void connected(TcpSocket s) {
      schedule();
    }

    @Override
    public void readable(TcpSocket s) {
      schedule();
    }

    @Override
    public void writable(TcpSocket s) {
      schedule();
    }

    @Override
    public void closed(TcpSocket s, ConnectionEnd how) {
      // What TCP received before the end is still readable: the next step reads it, then sees the
      // end (EOF or ECONNRESET), decides whether the stream was truncated, and only then reports
      // the end to the listener.
      if (holdTimer != null) holdTimer.cancel();
      if (rstDeferred && how == ConnectionEnd.TIMED_OUT) {
        // TCP's own user timeout ended the connection first: no RST goes out (RFC 9293 §3.10.8)
        trace("deferred RST abandoned: TCP timed out with " + (socket.outstanding() + pendingLength())
            + " bytes unacknowledged");
      }
      tcpEnded = true;
      schedule();
    }
  }

  private final class EngineEvents implements TlsEngine.Listener {
    @Override
    public void alertReceived(short level, short description) {
      if (level == 2) fail("fatal alert received: " + TlsEngine.alertName(description));
    }
  }
}
