package dev.tcplab.script;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.net.InetAddresses;
import dev.tcplab.core.tcp.Profile;
import dev.tcplab.core.tcp.TcpListener;
import dev.tcplab.core.tcp.TcpObserver;
import dev.tcplab.core.tcp.TcpSocket;
import dev.tcplab.core.tcp.TcpStack;
import dev.tcplab.core.tcp.Transition;
import dev.tcplab.core.tcp.ConnectionId;
import dev.tcplab.core.time.ManualClock;
import dev.tcplab.core.wire.Segment;
import dev.tcplab.core.wire.SeqNum;
import dev.tcplab.core.wire.TcpFlags;
import dev.tcplab.core.wire.TcpOption;
import dev.tcplab.sim.trace.Trace;
import dev.tcplab.sim.trace.TraceEvent;
import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * Runs a packetdrill script against one TcpLab stack, without root, tun devices or real time: inbound
 * packets ({@code <}) are injected into the stack, outbound ones ({@code >}) are expected from it within
 * the time tolerance, and system calls drive its socket API. Sequence numbers are relative as
 * packetdrill writes them: outbound ones to the stack's ISN, inbound ones to the script's own.
 *
 * <p>The stack under test is 192.168.0.1 and the remote end 192.0.2.1, port 8080, as in packetdrill.
 */
public final class ScriptRunner {
  /** packetdrill's default tolerance_usecs. */
  public static final long DEFAULT_TOLERANCE_NANOS = 4_000_000L;

  static final InetAddress LOCAL = InetAddresses.forString("192.168.0.1");
  static final InetAddress REMOTE = InetAddresses.forString("192.0.2.1");
  static final int SERVER_PORT = 8080;
  static final int REMOTE_CLIENT_PORT = 40_000;
  private static final long START = 0;

  /** The host names of the two columns of a script's ladder diagram. */
  public static final String STACK = "stack";

  public static final String SCRIPT = "script";

  /** The result of one script; {@code trace} holds every packet, state change and system call. */
  public record Outcome(
      String path, boolean passed, String failure, List<String> warnings, List<String> log,
      Trace trace) {
    /** One line: "PASS file" or "FAIL file:line: …". */
    public String summary() {
      return (passed ? "PASS " + path : "FAIL " + failure);
    }
  }

  /** A script failed: the message names the line and says what was expected and what happened. */
  static final class Mismatch extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Mismatch(String message) {
      super(message, null, false, false);
    }
  }

  private final Profile profile;
  private final long tolerance;
  private final UnaryOperator<TcpStack.Builder> stackSetup;

  public ScriptRunner() {
    this(Profile.LINUX, DEFAULT_TOLERANCE_NANOS);
  }

  public ScriptRunner(Profile profile, long toleranceNanos) {
    this(profile, toleranceNanos, b -> b);
  }

  /**
   * @param stackSetup sets up the stack under test beyond the profile (its MSS, buffer sizes), as
   *     packetdrill's command-line flags set up the kernel
   */
  public ScriptRunner(
      Profile profile, long toleranceNanos, UnaryOperator<TcpStack.Builder> stackSetup) {
    this.profile = checkNotNull(profile);
    this.tolerance = toleranceNanos;
    this.stackSetup = checkNotNull(stackSetup);
  }

  /**
   * Runs a file: a packetdrill script ({@code .pkt}) or a TLS scenario in the companion format ({@code
   * .tls}, see {@link TlsScenario}).
   */
  public Outcome runFile(java.nio.file.Path file)
      throws java.io.IOException, ScriptSyntaxException {
    if (file.toString().endsWith(".tls")) return TlsScenario.run(file);
    return run(ScriptParser.parse(file));
  }

  /** Runs {@code script}; never throws for a script that does not pass. */
  public Outcome run(Script script) {
    return new Run(script).execute();
  }

  /** One execution: the stack, the file descriptors, the packets seen. */
  final class Run {
    final Script script;
    final ManualClock clock = new ManualClock(START);
    final TcpStack stack;
    final ArrayDeque<Sent> sent = new ArrayDeque<>();
    final List<String> log = new ArrayList<>();
    final List<String> warnings = new ArrayList<>();
    final Map<Integer, Fd> fds = new HashMap<>();
    int nextFd = 3;
    long lastEventTime = START;
    Event current;
    /** A blocking system call still waiting, and when the script started it. */
    Syscalls.Pending pending;
    long blockStart;
    /** The time of the event before the current one: the base of a relative blocking end. */
    long previousEventTime = START;
    final Syscalls syscalls = new Syscalls(this);
    final Trace trace = new Trace();
    long packets;

    // The connection under test, as packetdrill sees it
    boolean haveLocalIsn;
    int localIsn;
    int localPort = SERVER_PORT;
    int remotePort = REMOTE_CLIENT_PORT;
    int lastOutboundTsVal;
    boolean sawOutboundTs;
    int boundPort = SERVER_PORT;

    Run(Script script) {
      this.script = script;
      this.stack = stackSetup.apply(TcpStack.builder()
          .address(LOCAL)
          .time(clock)
          .output((src, dst, seg) -> sent.addLast(new Sent(clock.nanos(), seg)))
          .random(new Random(1))
          .profile(profile)
          .name("stack"))
          .build();
      stack.addObserver(new TcpObserver() {
        @Override
        public void stateChanged(ConnectionId id, Transition t, String reason) {
          log.add(String.format("%.6f state %s -> %s (%s)", clock.nanos() / 1e9, t.from(), t.to(),
              reason));
          traceEvent(TraceEvent.Kind.STATE, STACK, 0, null, t.from() + " -> " + t.to() + " ("
              + reason + "; RFC 9293 arc: " + t.label() + ")");
        }

        @Override
        public void event(ConnectionId id, String description) {
          traceEvent(TraceEvent.Kind.STACK, STACK, 0, null, description);
        }
      });
    }

    Outcome execute() {
      try {
        for (Event e : script.events()) {
          current = e;
          step(e);
          completePending();
        }
        if (pending != null) {
          current = pending.event;
          fail(pending.call.name() + "() never returned: the script ended while it was blocked");
        }
        return new Outcome(script.path(), true, null, warnings, log, trace);
      } catch (Mismatch m) {
        return new Outcome(script.path(), false, m.getMessage(), warnings, log, trace);
      }
    }

    private void step(Event e) {
      if (e.action() instanceof Unsupported u) {
        warnings.add(script.path() + ":" + u.describe() + " (skipped)");
        return;
      }
      if (e.action() instanceof PacketEvent p && p.direction() == Direction.OUTBOUND) {
        expectOutbound(e, p);
        return;
      }
      long at = eventTime(e.time());
      advanceTo(at);
      previousEventTime = lastEventTime;
      lastEventTime = at;
      if (e.action() instanceof PacketEvent p) {
        inject(p);
      } else if (e.action() instanceof SyscallEvent s) {
        syscalls.call(e, s);
      }
    }

    void completePending() {
      if (pending != null && pending.tryComplete()) pending = null;
    }

    long tolerance() {
      return tolerance;
    }

    long eventTime(TimeSpec t) {
      return switch (t.kind()) {
        case EXACT, RANGE -> t.relative() ? lastEventTime + t.start() : START + t.start();
        case ANY, NONE -> clock.nanos();
      };
    }

    /** Runs the stack up to {@code t}; any packet it sends on the way is one the script did not expect. */
    void advanceTo(long t) {
      checkNoUnexpected();
      while (clock.runNext(t)) {
        completePending();
        checkNoUnexpected();
      }
      if (t > clock.nanos()) clock.advanceTo(t);
      checkNoUnexpected();
    }

    void checkNoUnexpected() {
      if (sent.isEmpty()) return;
      Sent s = sent.peekFirst();
      fail("the stack sent " + relative(s.segment) + " at " + seconds(s.time)
          + " s, which the script does not expect (next event: line " + current.line() + ")");
    }

    // ---------------------------------------------------------------------------------------------
    // Packets

    private void inject(PacketEvent p) {
      Segment.Builder b = Segment.builder()
          .srcPort(remotePort)
          .dstPort(localPort)
          .seq((int) p.seq().start())
          .flags(p.flags())
          .window(p.win() == null ? 65535 : p.win());
      if (p.ackFlag()) {
        if (p.ack() == null) fail("an inbound packet with the ACK flag needs 'ack N'");
        // before the stack sent a SYN its ISN is unknown: the ACK goes out as written (packetdrill)
        b.ack((haveLocalIsn ? localIsn : 0) + (int) (long) p.ack());
      }
      if (p.urg() != null) b.urgentPointer(p.urg());
      if (p.options() != null) {
        List<TcpOption> opts = new ArrayList<>();
        for (ScriptOption o : p.options()) {
          if (o instanceof ScriptOption.Timestamps ts && ts.tsEcr() != 0 && sawOutboundTs) {
            // packetdrill's TS ecr is written for the script; echo what the stack really sent
            opts.add(new TcpOption.Timestamps((int) ts.tsVal(), lastOutboundTsVal));
          } else if (o instanceof ScriptOption.Sack sack) {
            List<TcpOption.Block> blocks = new ArrayList<>();
            for (ScriptOption.Block k : sack.blocks()) {
              blocks.add(new TcpOption.Block(localIsn + (int) k.left(), localIsn + (int) k.right()));
            }
            opts.add(new TcpOption.Sack(blocks));
          } else {
            opts.add(o.toTcpOption());
          }
        }
        b.options(opts);
      }
      int len = p.seq().length();
      if (len > 0) b.payload(new byte[len]);
      Segment seg = b.build();
      log.add(String.format("%.6f < %s", clock.nanos() / 1e9, seg));
      long n = ++packets;
      traceEvent(TraceEvent.Kind.SENT, SCRIPT, n, seg, "");
      traceEvent(TraceEvent.Kind.RECEIVED, STACK, n, seg, "");
      stack.receive(REMOTE, LOCAL, seg);
    }

    private void expectOutbound(Event e, PacketEvent p) {
      TimeSpec t = e.time();
      long lo;
      long hi;
      if (t.kind() == TimeSpec.Kind.ANY || t.kind() == TimeSpec.Kind.NONE) {
        lo = clock.nanos();
        hi = Long.MAX_VALUE / 2;
      } else {
        long base = t.relative() ? lastEventTime : START;
        lo = base + t.start() - tolerance;
        hi = base + (t.kind() == TimeSpec.Kind.RANGE ? t.end() : t.start()) + tolerance;
      }
      while (sent.isEmpty()) {
        long next = clock.nextDeadline();
        if (next < 0 || next > hi) {
          if (hi < Long.MAX_VALUE / 2 && hi > clock.nanos()) clock.advanceTo(hi);
          fail("expected " + describe(p) + " by " + seconds(hi) + " s but the stack sent nothing");
        }
        clock.runNext(hi);
        completePending();
      }
      Sent s = sent.pollFirst();
      match(p, s);
      if (s.time < lo || s.time > hi) {
        fail("expected " + describe(p) + " at " + window(lo, hi) + " s but it was sent at "
            + seconds(s.time) + " s");
      }
      lastEventTime = t.kind() == TimeSpec.Kind.ANY || t.kind() == TimeSpec.Kind.NONE
          ? s.time
          : (t.relative() ? lastEventTime : START) + t.start();
      log.add(String.format("%.6f > %s", s.time / 1e9, s.segment));
      long n = ++packets;
      trace.accept(new TraceEvent(s.time, TraceEvent.Kind.SENT, STACK, n, addr(LOCAL),
          addr(REMOTE), s.segment, ""));
      traceEvent(TraceEvent.Kind.RECEIVED, SCRIPT, n, s.segment, "");
    }

    void traceEvent(TraceEvent.Kind kind, String host, long packet, Segment seg, String text) {
      boolean fromStack = host.equals(STACK) == (kind == TraceEvent.Kind.SENT);
      String src = seg == null ? null : addr(fromStack ? LOCAL : REMOTE);
      String dst = seg == null ? null : addr(fromStack ? REMOTE : LOCAL);
      trace.accept(new TraceEvent(clock.nanos(), kind, host, packet, src, dst, seg, text));
    }

    private void match(PacketEvent p, Sent s) {
      Segment seg = s.segment;
      if (seg.isSyn() && !haveLocalIsn) {
        haveLocalIsn = true;
        localIsn = seg.seq();
        localPort = seg.srcPort();
        remotePort = seg.dstPort();
      }
      if (seg.hasTimestamps()) {
        sawOutboundTs = true;
        lastOutboundTsVal = seg.tsVal();
      }
      List<String> diffs = new ArrayList<>();
      if (seg.flags() != p.flags()) {
        diffs.add("flags " + TcpFlags.toString(seg.flags()) + " instead of " + TcpFlags.toString(p.flags()));
      }
      long start = Integer.toUnsignedLong(seg.seq() - localIsn);
      if (start != p.seq().start() || seg.payloadLength() != p.seq().length()) {
        diffs.add("sequence " + start + ":" + (start + seg.payloadLength()) + "(" + seg.payloadLength()
            + ") instead of " + p.seq().start() + ":" + p.seq().end() + "(" + p.seq().length() + ")");
      }
      if (p.ack() != null && seg.isAck() && Integer.toUnsignedLong(seg.ack()) != p.ack()) {
        diffs.add("ack " + Integer.toUnsignedLong(seg.ack()) + " instead of " + p.ack());
      }
      if (p.win() != null && seg.window() != p.win()) {
        diffs.add("win " + seg.window() + " instead of " + p.win());
      }
      if (!p.anyOptions()) {
        String o = optionsDiff(p.optionsOrEmpty(), seg.options());
        if (o != null) diffs.add(o);
      }
      if (!diffs.isEmpty()) {
        fail("expected " + describe(p) + " but the stack sent " + relative(seg) + " at "
            + seconds(s.time) + " s: " + String.join("; ", diffs));
      }
    }

    private String optionsDiff(List<ScriptOption> expected, List<TcpOption> actual) {
      boolean same = expected.size() == actual.size();
      for (int i = 0; same && i < expected.size(); i++) {
        ScriptOption e = expected.get(i);
        TcpOption a = actual.get(i);
        if (e instanceof ScriptOption.Timestamps) {
          same = a instanceof TcpOption.Timestamps; // packetdrill does not check our TSval
        } else if (e instanceof ScriptOption.Sack sack && a instanceof TcpOption.Sack as) {
          same = sack.blocks().size() == as.blocks().size();
          for (int k = 0; same && k < sack.blocks().size(); k++) {
            same = sack.blocks().get(k).left() == Integer.toUnsignedLong(as.blocks().get(k).left())
                && sack.blocks().get(k).right() == Integer.toUnsignedLong(as.blocks().get(k).right());
          }
        } else {
          same = e.toTcpOption().equals(a);
        }
      }
      if (same) return null;
      return "options <" + join(actual) + "> instead of <" + joinScript(expected) + ">";
    }

    // ---------------------------------------------------------------------------------------------
    // Reporting

    String relative(Segment seg) {
      StringBuilder sb = new StringBuilder();
      sb.append(TcpFlags.toString(seg.flags())).append(' ');
      long start = haveLocalIsn ? Integer.toUnsignedLong(seg.seq() - localIsn) : SeqNum.unsigned(seg.seq());
      sb.append(start).append(':').append(start + seg.payloadLength()).append('(')
          .append(seg.payloadLength()).append(')');
      if (seg.isAck()) sb.append(" ack ").append(Integer.toUnsignedLong(seg.ack()));
      sb.append(" win ").append(seg.window());
      if (!seg.options().isEmpty()) sb.append(" <").append(join(seg.options())).append('>');
      return sb.toString();
    }

    private String describe(PacketEvent p) {
      StringBuilder sb = new StringBuilder();
      sb.append(TcpFlags.toString(p.flags())).append(' ').append(p.seq().start()).append(':')
          .append(p.seq().end()).append('(').append(p.seq().length()).append(')');
      if (p.ack() != null) sb.append(" ack ").append(p.ack());
      if (p.win() != null) sb.append(" win ").append(p.win());
      if (p.anyOptions()) sb.append(" <...>");
      else if (p.options() != null) sb.append(" <").append(joinScript(p.options())).append('>');
      return sb.toString();
    }

    void fail(String what) {
      Event e = current;
      String where = script.path() + ":" + (e == null ? 0 : e.line());
      String state = stack.describeConnections().isEmpty()
          ? "no connection"
          : String.join("; ", stack.describeConnections());
      throw new Mismatch(where + ": " + what + " [connection: " + state + "]");
    }
  }

  /** A segment the stack sent, and when. */
  record Sent(long time, Segment segment) {}

  /** A file descriptor of the script: a socket before it is bound, a listener, or a connection. */
  static final class Fd {
    TcpListener listener;
    TcpSocket socket;
    boolean nonBlocking;
    boolean lingerZero;
    boolean noDelay;
    int receiveBuffer;
    int sendBuffer;
    boolean keepAlive;
    long userTimeout;
    boolean closed;
  }

  static String addr(InetAddress a) {
    return InetAddresses.toAddrString(a);
  }

  /** The columns of a ladder diagram of a script run and their addresses. */
  public static Map<String, String> columns() {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    m.put(STACK, addr(LOCAL));
    m.put(SCRIPT, addr(REMOTE));
    return m;
  }

  static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.6f", nanos / 1e9);
  }

  static String window(long lo, long hi) {
    return seconds(Math.max(0, lo)) + "~" + seconds(hi);
  }

  private static String join(List<TcpOption> options) {
    List<String> l = new ArrayList<>();
    for (TcpOption o : options) l.add(o.toString());
    return String.join(",", l);
  }

  private static String joinScript(List<ScriptOption> options) {
    List<String> l = new ArrayList<>();
    for (ScriptOption o : options) l.add(o.toTcpOption().toString());
    return String.join(",", l);
  }
}
