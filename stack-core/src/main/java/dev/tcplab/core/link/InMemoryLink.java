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
 */
public final class InMemoryLink implements TcpStack.SegmentOutput {
  /** What happens to one segment on the link. */
  public enum Action {
    DELIVER,
    DROP,
    DUPLICATE
  }

  /** Decides the fate of a segment; {@code index} counts segments per direction from 1. */
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

  private final Clock clock;
  private final TimerScheduler scheduler;
  private final long delayNanos;
  private final Map<InetAddress, TcpStack> stacks = new HashMap<>();
  private final Map<InetAddress, Integer> counts = new HashMap<>();
  private final List<WireEvent> log = new ArrayList<>();
  private Fault fault = (s, d, seg, i) -> Decision.DELIVER;
  private boolean logging = true;

  public <T extends Clock & TimerScheduler> InMemoryLink(T time, long oneWayDelayNanos) {
    checkArgument(oneWayDelayNanos >= 0, "Delay must not be negative: %s", oneWayDelayNanos);
    this.clock = time;
    this.scheduler = time;
    this.delayNanos = oneWayDelayNanos;
  }

  /** Attaches a stack: segments addressed to its address go to it. */
  public void attach(TcpStack stack) {
    stacks.put(stack.address(), checkNotNull(stack));
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
    int index = counts.merge(src, 1, Integer::sum);
    Decision d = fault.decide(src, dst, segment, index);
    if (logging) log.add(new WireEvent(clock.nanos(), src, dst, segment, d.action()));
    if (d.action() == Action.DROP) return;
    TcpStack target = stacks.get(dst);
    if (target == null) return; // no host there: the segment is lost
    long at = clock.nanos() + delayNanos + d.extraDelayNanos();
    scheduler.schedule(at, () -> target.receive(src, dst, segment));
    if (d.action() == Action.DUPLICATE) {
      scheduler.schedule(at, () -> target.receive(src, dst, segment));
    }
  }
}
