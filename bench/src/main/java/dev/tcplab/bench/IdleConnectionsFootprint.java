package dev.tcplab.bench;

import dev.tcplab.core.tcp.TcpListener;
import dev.tcplab.core.tcp.TcpSocket;
import dev.tcplab.core.tcp.TcpState;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.management.ObjectName;

/**
 * Retained heap of idle established connections: opens {@code N} (default 100 000) connections between
 * two stacks, accepts them all, lets every timer left from the handshakes run out, and compares the used
 * heap after full GCs with the same measurement taken before the first connect. Both ends of every
 * connection live in this JVM, so the figure is reported per connection end (one TCB plus its socket,
 * table entry, timers) and per connection (both ends).
 *
 * <p>100 000 connections exceed the 28 232 ephemeral ports the client has per (remote address, remote
 * port), so the server listens on {@value #LISTEN_PORTS} ports and each gets an equal share.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.tcplab.bench.IdleConnectionsFootprint [connections]
 * [--histogram]}; the histogram option prints the live-object difference by class, per connection.
 */
public final class IdleConnectionsFootprint {
  static final int LISTEN_PORTS = 4;
  static final int FIRST_PORT = 8080;
  static final int BATCH = 1_000;

  private IdleConnectionsFootprint() {}

  public static void main(String[] args) throws Exception {
    int n = 100_000;
    boolean histogram = false;
    for (String a : args) {
      if (a.equals("--histogram")) {
        histogram = true;
      } else {
        n = Integer.parseInt(a.replace("_", ""));
      }
    }
    if (n > LISTEN_PORTS * 28_232) throw new IllegalArgumentException("at most " + LISTEN_PORTS * 28_232);

    // Everything that is not per connection exists before the baseline: the stacks, the listeners and
    // the application's own arrays of sockets.
    BenchNet net = new BenchNet(0, 1460, 262_144, 540_000);
    TcpListener[] listeners = new TcpListener[LISTEN_PORTS];
    for (int i = 0; i < LISTEN_PORTS; i++) listeners[i] = net.server.listen(FIRST_PORT + i, BATCH * 2);
    TcpSocket[] clients = new TcpSocket[n];
    TcpSocket[] servers = new TcpSocket[n];
    // Warm the code paths (and class loading) with one connection that is then closed and forgotten.
    warmUp(net);

    Map<String, long[]> before = histogram ? classHistogram() : null;
    long baseline = usedAfterGc();

    long t0 = System.nanoTime();
    int perPort = (n + LISTEN_PORTS - 1) / LISTEN_PORTS;
    int accepted = 0;
    for (int i = 0; i < n; ) {
      int end = Math.min(n, i + BATCH);
      for (; i < end; i++) {
        clients[i] = net.client.connect(BenchNet.SERVER_ADDR, FIRST_PORT + i / perPort);
      }
      net.clock.runDue();
      for (TcpListener l : listeners) {
        TcpSocket s;
        while ((s = l.accept()) != null) servers[accepted++] = s;
      }
      // Let the handshakes' retransmission wake-ups fire and find nothing to do, so the timer queue
      // does not grow with the connection count (idle connections have no timer armed).
      net.clock.advanceBy(5 * BenchNet.SECOND);
    }
    double setupSecs = (System.nanoTime() - t0) / 1e9;
    if (accepted != n) throw new IllegalStateException("accepted " + accepted + " of " + n);
    for (int i = 0; i < n; i++) {
      if (clients[i].state() != TcpState.ESTABLISHED || servers[i].state() != TcpState.ESTABLISHED) {
        throw new IllegalStateException("connection " + i + " not established: " + clients[i]);
      }
    }
    if (net.client.connectionCount() != n || net.server.connectionCount() != n) {
      throw new IllegalStateException("connection tables: " + net.client.connectionCount() + " / "
          + net.server.connectionCount());
    }

    long after = usedAfterGc();
    Map<String, long[]> afterHisto = histogram ? classHistogram() : null;
    long retained = after - baseline;
    System.out.printf("IdleConnectionsFootprint: %,d established connections (%,d connection ends) in %.1f s%n",
        n, 2L * n, setupSecs);
    System.out.printf("  JVM: %s %s, max heap %,d MB, %s%n", System.getProperty("java.vm.name"),
        System.getProperty("java.version"), Runtime.getRuntime().maxMemory() >> 20, gcNames());
    System.out.printf("  used heap after full GC: baseline %,d B, with connections %,d B, retained %,d B%n",
        baseline, after, retained);
    System.out.printf("  retained per connection end: %,.0f B%n", retained / (2.0 * n));
    System.out.printf("  retained per connection (both ends): %,.0f B (target <= 1024 B)%n", retained / (double) n);
    if (histogram) printDiff(before, afterHisto, n);
    // Keep everything reachable until after the measurement.
    if (clients[n - 1].id() == null || servers[n - 1].id() == null || listeners[0].port() == 0) {
      throw new AssertionError();
    }
  }

  private static void warmUp(BenchNet net) {
    TcpListener l = net.server.listen(7, 4);
    TcpSocket c = net.client.connect(BenchNet.SERVER_ADDR, 7);
    net.clock.runDue();
    TcpSocket s = l.accept();
    c.write(new byte[100]);
    net.clock.runDue();
    s.read(new byte[100]);
    c.close();
    net.clock.runDue();
    s.close();
    net.clock.advanceBy(200 * BenchNet.SECOND);
    l.close();
  }

  static long usedAfterGc() throws InterruptedException {
    Runtime rt = Runtime.getRuntime();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(100);
      used = Math.min(used, rt.totalMemory() - rt.freeMemory());
    }
    return used;
  }

  private static String gcNames() {
    List<String> names = new ArrayList<>();
    ManagementFactory.getGarbageCollectorMXBeans().forEach(b -> names.add(b.getName()));
    return String.join(", ", names);
  }

  /** The live-object histogram (GC.class_histogram, which runs a full GC): class to {instances, bytes}. */
  static Map<String, long[]> classHistogram() throws Exception {
    String text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
        new ObjectName("com.sun.management:type=DiagnosticCommand"),
        "gcClassHistogram",
        new Object[] {new String[0]},
        new String[] {String[].class.getName()});
    Map<String, long[]> m = new HashMap<>();
    for (String line : text.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 4 || !f[0].endsWith(":")) continue;
      m.put(f[3], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
    }
    return m;
  }

  private static void printDiff(Map<String, long[]> before, Map<String, long[]> after, int n) {
    record Row(String cls, long instances, long bytes) {}
    List<Row> rows = new ArrayList<>();
    after.forEach((cls, a) -> {
      long[] b = before.getOrDefault(cls, new long[2]);
      if (a[1] - b[1] != 0) rows.add(new Row(cls, a[0] - b[0], a[1] - b[1]));
    });
    rows.sort((x, y) -> Long.compare(y.bytes, x.bytes));
    long total = 0;
    for (Row r : rows) total += r.bytes;
    System.out.printf("  live objects added, by class (per connection = both ends): total %,.1f B%n",
        total / (double) n);
    System.out.printf("  %12s %10s %10s  %s%n", "instances", "B/conn", "inst/conn", "class");
    for (Row r : rows) {
      if (Math.abs(r.bytes) < n / 10) continue; // under 0.1 B per connection
      System.out.printf("  %,12d %10.1f %10.2f  %s%n", r.instances, r.bytes / (double) n,
          r.instances / (double) n, r.cls);
    }
  }
}
