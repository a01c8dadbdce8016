package dev.tcplab.core.link;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.tcplab.core.tcp.TcpStack;
import dev.tcplab.core.time.Clock;
import dev.tcplab.core.time.TimerScheduler;
import dev.tcplab.core.wire.Segment;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A point-to-point link between stacks, in memory: each segment is delivered after a fixed one-way
 * delay through the shared timer scheduler, unless a {@link Fault} drops, duplicates or delays it. It
 * keeps a log of what went on the wire. Tests and the demo connect two stacks with it; the simulator in
 * stack-sim has the full network model.
 *
 * <p>Segments to one host travel in a FIFO with a single pending wake-up, so a segment on the link
 * costs no allocation of its own; only an extra delay (reordering) schedules a task per segment.
 */
public final class InMemoryLink implements TcpStack.SegmentOutput {
  /** What happens to one segment on the link. */
  public enum Action {
    DELIVER,
    DROP,
    DUPLICATE
  }

  /** Decides the fate of a segment; {@code index} counts segments per sending host from 1. */
  @FunctionalInterface
  public interface Fault {
    Decision decide(InetAddress src, InetAddress dst, Segment segment, int index);
  }

  /** An action plus extra delay (nanoseconds) for reordering. */
  public record Decision(Action action, long extraDelayNanos) {
    public static final Decision DELIVER = new Decision(Action.DELIVER, 0);
    public static final Decision DROP = new Decision(Action.DROP, 0);
    public static final Decision DUPLICATE = new Decision(Action.DUPLICATE, 0);

    public static Decision delay(long nanos) {
      checkArgument(nanos >= 0, "Delay must not be negative: %s", nanos);
      return new Decision(Action.DELIVER, nanos);
    }
  }

  /** One segment seen on the wire, with its fate. */
  public record WireEvent(long atNanos, InetAddress src, InetAddress dst, Segment segment, Action action) {
    @Override
    public String toString() {
      return String.format(
          "%10.6f %s > %s %s%s",
          atNanos / 1e9,
          src.getHostAddress(),
          dst.getHostAddress(),
          segment,
          action == Action.DELIVER ? "" : " [" + action + "]");
    }
  }

  private static final Fault NO_FAULT = (s, d, seg, i) -> Decision.DELIVER;

  private final Clock clock;
  private final TimerScheduler scheduler;
  private final long delayNanos;
  private final Map<InetAddress, Pipe> pipes = new HashMap<>();
  private final Map<InetAddress, int[]> counts = new HashMap<>();
  private final List<WireEvent> log = new ArrayList<>();
  private Fault fault = NO_FAULT;
  private boolean logging = true;

  public <T extends Clock & TimerScheduler> InMemoryLink(T time, long oneWayDelayNanos) {
    checkArgument(oneWayDelayNanos >= 0, "Delay must not be negative: %s", oneWayDelayNanos);
    this.clock = time;
    this.scheduler = time;
    this.delayNanos = oneWayDelayNanos;
  }

  /** Attaches a stack: segments addressed to its address go to it. */
  public void attach(TcpStack stack) {
    pipes.put(stack.address(), new Pipe(checkNotNull(stack)));
  }

  /** Replaces the fault model (deliver everything by default). */
  public void setFault(Fault fault) {
    this.fault = checkNotNull(fault);
  }

  /** Turns the wire log off (benchmarks). */
  public void setLogging(boolean on) {
    this.logging = on;
  }

  /** Everything that went on the wire so far, oldest first. */
  public List<WireEvent> log() {
    return Collections.unmodifiableList(log);
  }

  public void clearLog() {
    log.clear();
  }

  @Override
  public void send(InetAddress src, InetAddress dst, Segment segment) {
    Decision d = Decision.DELIVER;
    if (fault != NO_FAULT) {
      int index = ++counts.computeIfAbsent(src, k -> new int[1])[0];
      d = fault.decide(src, dst, segment, index);
    }
    if (logging) log.add(new WireEvent(clock.nanos(), src, dst, segment, d.action()));
    if (d.action() == Action.DROP) return;
    Pipe pipe = pipes.get(dst);
    if (pipe == null) return; // no host there: the segment is lost
    int copies = d.action() == Action.DUPLICATE ? 2 : 1;
    long at = clock.nanos() + delayNanos + d.extraDelayNanos();
    for (int i = 0; i < copies; i++) {
      if (d.extraDelayNanos() == 0) {
        pipe.add(at, src, segment);
      } else {
        scheduler.schedule(at, () -> pipe.stack.receive(src, dst, segment));
      }
    }
  }

  /** Segments on their way to one host, in order of arrival time (the delay is fixed). */
  private final class Pipe implements Runnable {
    final TcpStack stack;
    long[] times = new long[16];
    InetAddress[] sources = new InetAddress[16];
    Segment[] segments = new Segment[16];
    int head;
    int size;
    long wakeAt = Long.MAX_VALUE;

    Pipe(TcpStack stack) {
      this.stack = stack;
    }

    void add(long at, InetAddress src, Segment seg) {
      if (size == times.length) grow();
      int i = (head + size) & (times.length - 1);
      times[i] = at;
      sources[i] = src;
      segments[i] = seg;
      size++;
      if (at < wakeAt) {
        wakeAt = at;
        scheduler.schedule(at, this);
      }
    }

    @Override
    public void run() {
      long now = clock.nanos();
      if (wakeAt > now) return; // an earlier wake-up that a later one superseded
      wakeAt = Long.MAX_VALUE;
      while (size > 0 && times[head] <= now) {
        InetAddress src = sources[head];
        Segment seg = segments[head];
        sources[head] = null;
        segments[head] = null;
        head = (head + 1) & (times.length - 1);
        size--;
        stack.receive(src, stack.address(), seg);
      }
      if (size > 0 && times[head] < wakeAt) {
        wakeAt = times[head];
        scheduler.schedule(wakeAt, this);
      }
    }

    private void grow() {
      int n = times.length * 2;
      long[] t = new long[n];
      InetAddress[] s = new InetAddress[n];
      Segment[] g = new Segment[n];
      for (int k = 0; k < size; k++) {
        int i = (head + k) & (times.length - 1);
        t[k] = times[i];
        s[k] = sources[i];
        g[k] = segments[i];
      }
      times = t;
      sources = s;
      segments = g;
      head = 0;
    }
  }
}
