package dev.tcplab.core.time;

/**
 * Runs a task at a virtual time. The simulator's event loop and {@link ManualClock} implement it; the
 * stack never creates threads or sleeps.
 */
public interface TimerScheduler {
  /** Schedules {@code task} at {@code atNanos} (a time in the past runs at the next opportunity). */
  Timer schedule(long atNanos, Runnable task);

  /** A scheduled task. */
  interface Timer {
    /** Cancels the task if it has not run yet; idempotent. */
    void cancel();
  }
}
