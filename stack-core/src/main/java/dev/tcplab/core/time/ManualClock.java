package dev.tcplab.core.time;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.PriorityQueue;

/**
 * A clock that moves only when told to, with a timer queue ordered by (time, insertion order) so that
 * equal times run in a fixed order. Tests and the demo drive two stacks with it by hand.
 */
public final class ManualClock implements Clock, TimerScheduler {
  private final PriorityQueue<Entry> queue = new PriorityQueue<>();
  private long now;
  private long sequence;

  public ManualClock() {
    this(0);
  }

  public ManualClock(long startNanos) {
    this.now = startNanos;
  }

  @Override
  public long nanos() {
    return now;
  }

  @Override
  public Timer schedule(long atNanos, Runnable task) {
    Entry e = new Entry(Math.max(atNanos, now), sequence++, task);
    queue.add(e);
    return e;
  }

  /** Runs every task due at or before {@code target}, in order, then sets the time to {@code target}. */
  public void advanceTo(long target) {
    checkArgument(target >= now, "Time cannot go back: %s < %s", target, now);
    Entry e;
    while ((e = queue.peek()) != null && e.at <= target) {
      queue.poll();
      if (e.cancelled) continue;
      now = e.at;
      e.cancelled = true;
      e.task.run();
    }
    now = target;
  }

  /** Advances by {@code deltaNanos}. */
  public void advanceBy(long deltaNanos) {
    checkArgument(deltaNanos >= 0, "Negative step: %s", deltaNanos);
    advanceTo(now + deltaNanos);
  }

  /** Runs the tasks due now (time does not move). */
  public void runDue() {
    advanceTo(now);
  }

  /** The time of the next live task, or -1 when none is scheduled. */
  public long nextDeadline() {
    Entry e;
    while ((e = queue.peek()) != null && e.cancelled) queue.poll();
    return e == null ? -1 : e.at;
  }

  /**
   * Runs the next due task, advancing time to it; returns false when no task is left or the next one is
   * after {@code limit}.
   */
  public boolean runNext(long limit) {
    long next = nextDeadline();
    if (next < 0 || next > limit) return false;
    advanceTo(next);
    return true;
  }

  private static final class Entry implements Comparable<Entry>, Timer {
    final long at;
    final long seq;
    final Runnable task;
    boolean cancelled;

    Entry(long at, long seq, Runnable task) {
      this.at = at;
      this.seq = seq;
      this.task = task;
    }

    @Override
    public void cancel() {
      cancelled = true;
    }

    @Override
    public int compareTo(Entry o) {
      int c = Long.compare(at, o.at);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }
}
