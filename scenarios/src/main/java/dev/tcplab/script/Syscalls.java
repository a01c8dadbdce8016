package dev.tcplab.script;

import dev.tcplab.core.tcp.ConnectionEnd;
import dev.tcplab.core.tcp.SocketError;
import dev.tcplab.core.tcp.TcpListener;
import dev.tcplab.core.tcp.TcpSocket;
import dev.tcplab.core.tcp.TcpSocketException;
import dev.tcplab.core.tcp.TcpState;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The system calls a packetdrill script makes, on TcpLab's socket API: socket, bind, listen, accept,
 * connect, read/recv, write/send, close, shutdown, setsockopt/getsockopt, fcntl and poll. Each checks
 * the script's expected result and errno; a blocking call runs the simulation until it can return.
 */
final class Syscalls {
  private final ScriptRunner.Run run;

  Syscalls(ScriptRunner.Run run) {
    this.run = run;
  }

  /** The outcome of a call: its return value and, for -1, the errno name. */
  private record Result(long value, String errno) {
    static Result ok(long v) {
      return new Result(v, null);
    }

    static Result error(String errno) {
      return new Result(-1, errno);
    }
  }

  /**
   * A blocking call that could not return at once: it completes when {@code ready} holds, while the
   * script's next events (the packets that unblock it) go on, as packetdrill runs it in a thread.
   */
  final class Pending {
    final Event event;
    final SyscallEvent call;
    final BooleanSupplier ready;
    final java.util.function.Supplier<Result> finish;

    Pending(Event event, SyscallEvent call, BooleanSupplier ready,
        java.util.function.Supplier<Result> finish) {
      this.event = event;
      this.call = call;
      this.ready = ready;
      this.finish = finish;
    }

    boolean tryComplete() {
      if (!ready.getAsBoolean()) return false;
      Event saved = run.current;
      run.current = event;
      check(call, finish.get());
      TimeSpec t = event.time();
      if (t.isBlocking()) {
        long end = (t.relative() ? run.blockStart : 0) + t.blockingEnd();
        long now = run.clock.nanos();
        if (Math.abs(now - end) > run.tolerance()) {
          run.fail(call.name() + "() returned at " + ScriptRunner.seconds(now)
              + " s but the script expects it at " + ScriptRunner.seconds(end) + " s");
        }
      }
      run.current = saved;
      return true;
    }
  }

  void call(Event e, SyscallEvent s) {
    run.traceEvent(dev.tcplab.sim.trace.TraceEvent.Kind.APP, ScriptRunner.STACK, 0, null,
        "line " + e.line() + ": " + s.name() + "(...)");
    Result r = switch (s.name()) {
      case "socket" -> socket();
      case "bind" -> bind(s);
      case "listen" -> listen(s);
      case "accept" -> accept(e, s);
      case "connect" -> connect(e, s);
      case "read", "recv", "recvfrom" -> read(e, s);
      case "write", "send", "sendto" -> write(s);
      case "close" -> close(s);
      case "shutdown" -> shutdown(s);
      case "setsockopt" -> setsockopt(s);
      case "getsockopt" -> Result.ok(0);
      case "fcntl" -> fcntl(s);
      case "poll" -> poll(s);
      default -> {
        run.fail("system call '" + s.name() + "' (column " + e.column() + ") is not supported: "
            + "use socket, bind, listen, accept, connect, read, recv, write, send, close, shutdown,"
            + " setsockopt, getsockopt, fcntl or poll");
        yield null;
      }
    };
    if (r != null) check(s, r);
  }

  private void check(SyscallEvent s, Result r) {
    Expr expected = s.result();
    if (expected instanceof Expr.Ellipsis) return;
    long want = intValue(expected, "the result");
    boolean valueOk = want == r.value;
    boolean errnoOk = s.errno() == null || s.errno().equals(r.errno);
    if (!valueOk || !errnoOk) {
      run.fail(s.name() + "() returned " + r.value + (r.errno == null ? "" : " " + r.errno)
          + " but the script expects " + want + (s.errno() == null ? "" : " " + s.errno()));
    }
  }

  // ---------------------------------------------------------------------------------------------

  private Result socket() {
    int fd = run.nextFd++;
    run.fds.put(fd, new ScriptRunner.Fd());
    return Result.ok(fd);
  }

  private Result bind(SyscallEvent s) {
    fd(s);
    return Result.ok(0);
  }

  private Result listen(SyscallEvent s) {
    ScriptRunner.Fd f = fd(s);
    int backlog = (int) intValue(arg(s, 1), "the backlog");
    f.listener = run.stack.listen(run.boundPort, Math.max(1, backlog));
    return Result.ok(0);
  }

  private Result accept(Event e, SyscallEvent s) {
    ScriptRunner.Fd f = fd(s);
    if (f.listener == null) return Result.error("EINVAL");
    TcpListener l = f.listener;
    if (l.pending() == 0) {
      if (f.nonBlocking) return Result.error("EAGAIN");
      block(e, s, () -> l.pending() > 0, () -> acceptNow(f, l));
      return null;
    }
    return acceptNow(f, l);
  }

  private Result acceptNow(ScriptRunner.Fd f, TcpListener l) {
    TcpSocket socket = l.accept();
    ScriptRunner.Fd child = new ScriptRunner.Fd();
    child.socket = socket;
    applyOptions(f, socket);
    int fd = run.nextFd++;
    run.fds.put(fd, child);
    return Result.ok(fd);
  }

  private Result connect(Event e, SyscallEvent s) {
    ScriptRunner.Fd f = fd(s);
    if (f.socket != null) return Result.error("EISCONN");
    f.socket = run.stack.connect(ScriptRunner.REMOTE, ScriptRunner.SERVER_PORT, 0,
        sock -> applyOptions(f, sock));
    if (f.nonBlocking) return Result.error("EINPROGRESS");
    TcpSocket sock = f.socket;
    block(e, s, () -> sock.state() != TcpState.SYN_SENT && sock.state() != TcpState.SYN_RECEIVED,
        () -> connected(sock));
    return null;
  }

  private static Result connected(TcpSocket sock) {
    if (sock.end() == ConnectionEnd.REFUSED) return Result.error("ECONNREFUSED");
    if (sock.end() == ConnectionEnd.TIMED_OUT) return Result.error("ETIMEDOUT");
    if (sock.end() == ConnectionEnd.RESET_BY_PEER) return Result.error("ECONNRESET");
    return Result.ok(0);
  }

  private Result read(Event e, SyscallEvent s) {
    ScriptRunner.Fd f = fd(s);
    if (f.socket == null) return Result.error("ENOTCONN");
    TcpSocket sock = f.socket;
    int len = (int) intValue(arg(s, 2), "the length");
    // Linux tcp_recvmsg: with nothing queued, a read ends at the peer's FIN, an error, or SHUT_RD
    BooleanSupplier canReturn =
        () -> sock.available() > 0 || sock.peerClosed() || sock.end() != null || sock.inputShutdown();
    if (len > 0 && !canReturn.getAsBoolean()) {
      if (f.nonBlocking) return Result.error("EAGAIN");
      block(e, s, canReturn, () -> readNow(sock, len));
      return null;
    }
    return readNow(sock, len);
  }

  private static Result readNow(TcpSocket sock, int len) {
    try {
      int n = sock.read(new byte[Math.max(0, len)]);
      return Result.ok(n < 0 ? 0 : n);
    } catch (TcpSocketException ex) {
      return Result.error(ex.error().name());
    }
  }

  private Result write(SyscallEvent s) {
    ScriptRunner.Fd f = fd(s);
    if (f.socket == null) return Result.error("EPIPE");
    int len = (int) intValue(arg(s, 2), "the length");
    try {
      int n = f.socket.write(new byte[Math.max(0, len)]);
      if (n == 0 && len > 0) return Result.error("EAGAIN");
      return Result.ok(n);
    } catch (TcpSocketException ex) {
      return Result.error(ex.error().name());
    }
  }

  private Result close(SyscallEvent s) {
    int fd = (int) intValue(arg(s, 0), "the file descriptor");
    ScriptRunner.Fd f = run.fds.remove(fd);
    if (f == null) return Result.error("EBADF");
    if (f.listener != null) f.listener.close();
    if (f.socket != null) f.socket.close();
    return Result.ok(0);
  }

  private Result shutdown(SyscallEvent s) {
    ScriptRunner.Fd f = fd(s);
    if (f.socket == null) return Result.error("ENOTCONN");
    String how = symbolOf(arg(s, 1));
    try {
      switch (how) {
        case "SHUT_WR" -> f.socket.shutdownOutput();
        case "SHUT_RD" -> f.socket.shutdownInput();
        case "SHUT_RDWR" -> {
          f.socket.shutdownInput();
          f.socket.shutdownOutput();
        }
        default -> run.fail("shutdown() needs SHUT_RD, SHUT_WR or SHUT_RDWR, not " + how);
      }
    } catch (TcpSocketException ex) {
      return Result.error(ex.error().name());
    }
    return Result.ok(0);
  }

  private Result setsockopt(SyscallEvent s) {
    ScriptRunner.Fd f = fd(s);
    String name = symbolOf(arg(s, 2));
    Expr value = arg(s, 3);
    switch (name) {
      case "SO_LINGER" -> {
        Expr.Struct st = value instanceof Expr.Struct x ? x : null;
        long onoff = st == null ? 0 : intValue(st.get("onoff"), "onoff");
        long linger = st == null ? 0 : intValue(st.get("linger"), "linger");
        f.lingerZero = onoff != 0 && linger == 0;
      }
      case "TCP_NODELAY" -> f.noDelay = firstInt(value) != 0;
      case "SO_RCVBUF" -> f.receiveBuffer = (int) firstInt(value) * 2; // Linux doubles it
      case "SO_SNDBUF" -> f.sendBuffer = (int) firstInt(value) * 2;
      case "SO_KEEPALIVE" -> f.keepAlive = firstInt(value) != 0;
      case "TCP_USER_TIMEOUT" -> f.userTimeout = firstInt(value) * 1_000_000L;
      case "SO_REUSEADDR", "SO_REUSEPORT" -> { }
      default -> run.fail("setsockopt option " + name + " is not supported: use SO_LINGER, "
          + "TCP_NODELAY, SO_RCVBUF, SO_SNDBUF, SO_REUSEADDR, SO_KEEPALIVE or TCP_USER_TIMEOUT");
    }
    if (f.socket != null) applyOptions(f, f.socket);
    return Result.ok(0);
  }

  private Result fcntl(SyscallEvent s) {
    ScriptRunner.Fd f = fd(s);
    String cmd = symbolOf(arg(s, 1));
    if (cmd.equals("F_GETFL")) return Result.ok(f.nonBlocking ? 0x802 : 0x2);
    if (cmd.equals("F_SETFL")) {
      f.nonBlocking = containsSymbol(arg(s, 2), "O_NONBLOCK");
      return Result.ok(0);
    }
    run.fail("fcntl() command " + cmd + " is not supported: use F_GETFL or F_SETFL");
    return null;
  }

  /** poll([{fd=N, events=..., revents=...}], 1, timeout): the events ready now (no waiting). */
  private Result poll(SyscallEvent s) {
    if (!(arg(s, 0) instanceof Expr.Array arr)) {
      run.fail("poll() needs an array of {fd=..., events=..., revents=...}");
      return null;
    }
    int ready = 0;
    for (Expr x : arr.elements()) {
      if (!(x instanceof Expr.Struct st)) continue;
      ScriptRunner.Fd f = run.fds.get((int) intValue(st.get("fd"), "fd"));
      List<String> revents = revents(f);
      if (!revents.isEmpty()) ready++;
      Expr want = st.get("revents");
      if (want != null && !(want instanceof Expr.Ellipsis)) {
        List<String> expected = symbols(want);
        if (!(expected.containsAll(revents) && revents.containsAll(expected))) {
          run.fail("poll() revents " + (revents.isEmpty() ? "0" : String.join("|", revents))
              + " but the script expects " + String.join("|", expected));
        }
      }
    }
    return Result.ok(ready);
  }

  private static List<String> revents(ScriptRunner.Fd f) {
    java.util.List<String> r = new java.util.ArrayList<>();
    if (f == null) return r;
    if (f.listener != null) {
      if (f.listener.pending() > 0) r.add("POLLIN");
      return r;
    }
    TcpSocket s = f.socket;
    if (s == null) return r;
    boolean reset = s.end() == ConnectionEnd.RESET_BY_PEER
        || s.end() == ConnectionEnd.RESET_ON_DATA_AFTER_SHUTDOWN;
    // Linux tcp_poll: RCV_SHUTDOWN (the peer's FIN or our SHUT_RD) makes a socket readable, RDHUP
    boolean rcvShutdown = s.peerClosed() || s.inputShutdown();
    if (s.available() > 0 || rcvShutdown || s.end() != null) r.add("POLLIN");
    if ((s.state() == TcpState.ESTABLISHED || s.state() == TcpState.CLOSE_WAIT) && s.writable() > 0) {
      r.add("POLLOUT");
    }
    if (reset) {
      r.add("POLLERR");
    }
    // Linux tcp_poll: HUP when both directions are shut (SHUTDOWN_MASK) or the socket is closed
    if (reset || (rcvShutdown && s.state().finQueued()) || s.end() != null && !reset) {
      if (!r.contains("POLLHUP")) r.add("POLLHUP");
    }
    if (rcvShutdown && !r.contains("POLLRDHUP")) r.add("POLLRDHUP");
    return r;
  }

  // ---------------------------------------------------------------------------------------------

  private void block(Event e, SyscallEvent s, BooleanSupplier ready,
      java.util.function.Supplier<Result> finish) {
    if (!e.time().isBlocking()) {
      blockOnMainThread(s, ready, finish);
      return;
    }
    if (run.pending != null) run.fail("two blocking calls at once are not supported");
    run.blockStart = run.previousEventTime; // packetdrill: t1...t2 with +t2 from the event before
    run.pending = new Pending(e, s, ready, finish);
  }

  /**
   * A call without a {@code ...} range that cannot return at once. packetdrill makes such a call on its
   * main thread (run_system_call_event → invoke_system_call), so no later event of the script happens
   * until it returns, and the next event's start is then checked against its time (run.c
   * wait_for_event → check_event_time): a call that blocks longer than the tolerance fails the script.
   * Here only the stack's own timers run meanwhile; within the tolerance the call completes normally.
   */
  private void blockOnMainThread(SyscallEvent s, BooleanSupplier ready,
      java.util.function.Supplier<Result> finish) {
    long start = run.clock.nanos();
    long limit = start + run.tolerance();
    while (!ready.getAsBoolean() && run.clock.runNext(limit)) {
      // the stack's timers only: the script is stuck in this call
    }
    if (ready.getAsBoolean()) {
      check(s, finish.get());
      return;
    }
    long giveUp = start + MAIN_THREAD_BLOCK_LIMIT_NANOS;
    while (!ready.getAsBoolean() && run.clock.runNext(giveUp)) {
      // find out when it would have returned, for the message
    }
    String when = ready.getAsBoolean()
        ? "it returned only at " + ScriptRunner.seconds(run.clock.nanos()) + " s"
        : "it never returned";
    run.sent.clear(); // what the stack sent meanwhile is not the point of the failure
    run.fail(s.name() + "() blocked at " + ScriptRunner.seconds(start) + " s and " + when
        + "; without a '...' time range the script expects it to return at once (±"
        + run.tolerance() / 1_000 + " µs), as packetdrill runs it on its main thread: write "
        + "'t1...t2 " + s.name() + "(...)' for a call that blocks");
  }

  /** How far the stack's timers run to learn when a wrongly blocking call would have returned. */
  private static final long MAIN_THREAD_BLOCK_LIMIT_NANOS = 600_000_000_000L;

  private void applyOptions(ScriptRunner.Fd f, TcpSocket s) {
    s.setLingerZero(f.lingerZero);
    s.setNoDelay(f.noDelay);
    if (f.receiveBuffer > 0) s.setReceiveBufferSize(f.receiveBuffer);
    if (f.sendBuffer > 0) s.setSendBufferSize(f.sendBuffer);
    s.setKeepAlive(f.keepAlive);
    if (f.userTimeout > 0) s.setUserTimeout(f.userTimeout);
  }

  private ScriptRunner.Fd fd(SyscallEvent s) {
    long n = intValue(arg(s, 0), "the file descriptor");
    ScriptRunner.Fd f = run.fds.get((int) n);
    if (f == null) run.fail(s.name() + "(): " + n + " is not an open file descriptor");
    return f;
  }

  private Expr arg(SyscallEvent s, int i) {
    if (i >= s.args().size()) {
      run.fail(s.name() + "() needs at least " + (i + 1) + " arguments");
    }
    return s.args().get(i);
  }

  private long intValue(Expr e, String what) {
    if (e instanceof Expr.IntLit i) return i.value();
    if (e instanceof Expr.Array a && a.elements().size() == 1) {
      return intValue(a.elements().get(0), what);
    }
    run.fail(what + " must be a number, not " + e);
    return 0;
  }

  private long firstInt(Expr e) {
    return intValue(e, "the option value");
  }

  private String symbolOf(Expr e) {
    if (e instanceof Expr.Symbol s) return s.name();
    run.fail("expected a symbolic constant, not " + e);
    return "";
  }

  private static boolean containsSymbol(Expr e, String name) {
    return symbols(e).contains(name);
  }

  private static List<String> symbols(Expr e) {
    java.util.List<String> l = new java.util.ArrayList<>();
    if (e instanceof Expr.Symbol s) l.add(s.name());
    if (e instanceof Expr.Or o) for (Expr t : o.terms()) l.addAll(symbols(t));
    return l;
  }

}
