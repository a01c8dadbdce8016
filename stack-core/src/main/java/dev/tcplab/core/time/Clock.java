package dev.tcplab.core.time;

/** The only source of time the stack has: virtual nanoseconds, never the wall clock. */
@FunctionalInterface
public interface Clock {
  /** The current time in nanoseconds since an arbitrary origin; never decreases. */
  long nanos();
}
