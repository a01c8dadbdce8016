package dev.tcplab.bench;

import dev.tcplab.core.time.ManualClock;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link ManualClock} as the simulator's event loop ({@code Network} runs on it): events per second
 * with a steady-state queue of {@link #pending} events.
 *
 * <p>The queue is filled with {@code pending} tasks at seeded pseudo-random times; every task, when it
 * runs, schedules its successor at {@code now + d}, d drawn from a seeded table of delays uniform in
 * [1, 2 × {@value #MEAN_DELAY_NANOS}] ns, so the queue size stays at {@code pending}. One invocation
 * runs {@value #EVENTS_PER_INVOCATION} events the way {@code Network.runUntil} does, one {@code
 * runNext(limit)} at a time; one op = one event, so the score is <b>events per second</b>. The task is
 * one shared {@code Runnable} (the successor adds no lambda of its own): what is measured is the
 * loop — the {@code schedule} (an entry and a heap insertion) and the {@code runNext} (peek, poll,
 * run) — and nothing of the network.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class EventLoopBenchmark {
  static final int EVENTS_PER_INVOCATION = 10_000;
  static final long MEAN_DELAY_NANOS = 1_000_000L;
  private static final int DELAYS = 1 << 16; // a power of two: the index wraps with a mask

  /** Events pending in the queue at any time. */
  @Param({"1000", "10000", "100000"})
  public int pending;

  private ManualClock clock;
  private final long[] delays = new long[DELAYS];
  private int next;
  private long ran;
  private long target;
  private final Runnable successor = this::successor;

  @Setup(Level.Trial)
  public void fill() {
    Random r = new Random(42);
    for (int i = 0; i < DELAYS; i++) delays[i] = 1 + (long) r.nextInt((int) (2 * MEAN_DELAY_NANOS));
    clock = new ManualClock();
    for (int i = 0; i < pending; i++) clock.schedule(1 + r.nextInt((int) (2 * MEAN_DELAY_NANOS)), successor);
    ran = 0;
    target = 0;
  }

  private void successor() {
    ran++;
    clock.schedule(clock.nanos() + delays[next++ & (DELAYS - 1)], successor);
  }

  @Benchmark
  @OperationsPerInvocation(EVENTS_PER_INVOCATION)
  public long events() {
    // Two tasks due at the same nanosecond run in one runNext, so count events, not calls; an overshoot
    // is taken off the next invocation, which keeps the average exact.
    target += EVENTS_PER_INVOCATION;
    while (ran < target) {
      if (!clock.runNext(Long.MAX_VALUE)) throw new IllegalStateException("queue ran dry");
    }
    return clock.nanos();
  }

  /** A quick run without JMH: {@code [pending] [events]}. */
  public static void main(String[] args) {
    EventLoopBenchmark b = new EventLoopBenchmark();
    b.pending = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    long n = args.length > 1 ? Long.parseLong(args[1]) : 50_000_000L;
    b.fill();
    for (int round = 0; round < 3; round++) {
      long r0 = b.ran;
      long t0 = System.nanoTime();
      for (long i = 0; i < n / EVENTS_PER_INVOCATION; i++) b.events();
      double secs = (System.nanoTime() - t0) / 1e9;
      System.out.printf("pending %d: %d events in %.2f s, %.2f M events/s%n",
          b.pending, b.ran - r0, secs, (b.ran - r0) / secs / 1e6);
    }
  }
}
