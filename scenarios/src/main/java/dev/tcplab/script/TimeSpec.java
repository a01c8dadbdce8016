package dev.tcplab.script;

import java.util.Objects;

/**
 * The time column of an event, in nanoseconds (packetdrill writes seconds: {@code 0.100}, {@code +.1}).
 *
 * <ul>
 *   <li>{@link Kind#EXACT}: {@code 0.100} (absolute) or {@code +0.1} (relative to the previous event);
 *       {@code start == end}.
 *   <li>{@link Kind#RANGE}: {@code 0.1~0.2} or {@code +0~+.04}: the event may happen anywhere in
 *       {@code [start, end]} (packetdrill allows it on outbound packets only; the parser enforces that).
 *   <li>{@link Kind#ANY}: {@code *}: any time (outbound packets only); start and end are 0.
 *   <li>{@link Kind#NONE}: no time column, only for a {@code `command`} before the first or after the
 *       last event; start and end are 0.
 * </ul>
 *
 * @param relative whether start and end count from the previous event rather than the script start
 * @param blockingEnd for a blocking system call ({@code +0...0.100 read(...)}), when it must return,
 *     on the same base as {@code start} (packetdrill adds the same offset to both); null otherwise
 */
public record TimeSpec(Kind kind, boolean relative, long start, long end, Long blockingEnd) {
  public enum Kind {
    EXACT,
    RANGE,
    ANY,
    NONE
  }

  public TimeSpec {
    Objects.requireNonNull(kind, "kind");
  }

  /** {@code 0.100}: nanoseconds since the script started. */
  public static TimeSpec absolute(long nanos) {
    return new TimeSpec(Kind.EXACT, false, nanos, nanos, null);
  }

  /** {@code +0.1}: nanoseconds after the previous event. */
  public static TimeSpec relative(long nanos) {
    return new TimeSpec(Kind.EXACT, true, nanos, nanos, null);
  }

  /** {@code 0.1~0.2} (relative false) or {@code +0~+.04} (relative true). */
  public static TimeSpec range(boolean relative, long start, long end) {
    return new TimeSpec(Kind.RANGE, relative, start, end, null);
  }

  /** {@code *}. */
  public static TimeSpec any() {
    return new TimeSpec(Kind.ANY, false, 0, 0, null);
  }

  /** No time column (an init or cleanup {@code `command`}). */
  public static TimeSpec none() {
    return new TimeSpec(Kind.NONE, false, 0, 0, null);
  }

  /** This time with a blocking end ({@code ...0.100}), in nanoseconds. */
  public TimeSpec withBlockingEnd(long nanos) {
    return new TimeSpec(kind, relative, start, end, nanos);
  }

  /** True for {@code time...time}: a system call that blocks until {@link #blockingEnd()}. */
  public boolean isBlocking() {
    return blockingEnd != null;
  }
}
