package dev.tcplab.core.demo;

import dev.tcplab.core.link.InMemoryLink;
import dev.tcplab.core.tcp.Profile;
import dev.tcplab.core.tcp.TcpListener;
import dev.tcplab.core.tcp.TcpSocket;
import dev.tcplab.core.tcp.TcpStack;
import dev.tcplab.core.time.ManualClock;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * The first demo: two stacks connect over an in-memory link (10 ms each way), the client sends a
 * request, the server answers with 4000 bytes, the client closes first and ends in TIME-WAIT. Every
 * segment and every state change is printed.
 */
public final class Demo {
  private static final long MS = 1_000_000L;

  private Demo() {}

  public static void main(String[] args) throws Exception {
    Profile profile = Profile.LINUX;
    if (args.length == 2 && args[0].equals("--profile")) {
      try {
        profile = Profile.named(args[1]);
      } catch (IllegalArgumentException e) {
        System.err.println("tcplab: " + e.getMessage());
        System.exit(2);
      }
    } else if (args.length != 0) {
      System.err.println("usage: tcplab [--profile linux|rfc9293]");
      System.exit(2);
    }
    run(profile, System.out);
  }

  /** Runs the demo, writing its lines to {@code out}. */
  public static void run(Profile profile, PrintStream out) throws Exception {
    ManualClock clock = new ManualClock();
    InMemoryLink link = new InMemoryLink(clock, 10 * MS);
    InetAddress clientAddr = InetAddress.getByName("10.0.0.1");
    InetAddress serverAddr = InetAddress.getByName("10.0.0.2");
    TcpStack client = stack("client", clientAddr, clock, link, profile, 1);
    TcpStack server = stack("server", serverAddr, clock, link, profile, 2);
    link.attach(client);
    link.attach(server);
    client.addObserver(new TraceLines("client", clock, out::println));
    server.addObserver(new TraceLines("server", clock, out::println));

    out.println("TcpLab demo: profile " + profile.name() + ", 10 ms one-way delay, MSS 1460");
    out.println("    time(s)  host    what");
    TcpListener listener = server.listen(80, 8);
    TcpSocket c = client.connect(serverAddr, 80);
    clock.advanceBy(30 * MS);
    TcpSocket s = listener.accept();

    byte[] request = "GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    c.write(request);
    clock.advanceBy(30 * MS);
    byte[] buf = new byte[8192];
    int got = s.read(buf);
    out.println("             server  app      read " + got + " bytes of request");
    byte[] response = new byte[4000];
    new Random(42).nextBytes(response);
    s.write(response);
    clock.advanceBy(100 * MS);
    int total = 0;
    int n;
    while ((n = c.read(buf)) > 0) total += n;
    out.println("             client  app      read " + total + " bytes of response");
    c.close();
    clock.advanceBy(100 * MS);
    out.println("             server  app      read returns " + s.read(buf) + " (end of stream)");
    s.close();
    clock.advanceBy(100 * MS);
    out.println("             client  app      state " + c.state() + ", waiting 2*MSL");
    clock.advanceBy(profile.timeWaitNanos() + MS);
    out.println(
        "Result: client " + c.state() + " (" + c.end() + "), server " + s.state() + " ("
            + s.end() + ")");
  }

  private static TcpStack stack(
      String name, InetAddress addr, ManualClock clock, InMemoryLink link, Profile profile, long seed) {
    return TcpStack.builder()
        .name(name)
        .address(addr)
        .time(clock)
        .output(link)
        .random(new Random(seed))
        .profile(profile)
        .build();
  }
}
