package dev.tcplab.core.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcplab.core.link.InMemoryLink;
import dev.tcplab.core.time.ManualClock;
import dev.tcplab.core.wire.Segment;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;

/**
 * The test fixture: two stacks, {@link #client} (10.0.0.1) and {@link #server} (10.0.0.2), over an
 * in-memory link driven by a manual clock. It records every transition taken (also into {@link
 * #TAKEN}, across all tests, for the state-diagram coverage check) and every segment on the wire.
 */
final class TwoStacks {
  static final InetAddress CLIENT_ADDR = addr("10.0.0.1");
  static final InetAddress SERVER_ADDR = addr("10.0.0.2");
  static final long MS = 1_000_000L;
  static final long SECOND = 1_000 * MS;

  /** Every arc any test has taken. */
  static final Set<Transition> TAKEN = ConcurrentHashMap.newKeySet();

  final ManualClock clock = new ManualClock(1_000 * SECOND);
  final InMemoryLink link;
  final TcpStack client;
  final TcpStack server;
  final List<Transition> transitions = new ArrayList<>();
  final List<String> events = new ArrayList<>();

  TwoStacks() {
    this(Profile.LINUX, 5 * MS, b -> b);
  }

  TwoStacks(Profile profile) {
    this(profile, 5 * MS, b -> b);
  }

  TwoStacks(Profile profile, long oneWayDelay, UnaryOperator<TcpStack.Builder> tweak) {
    link = new InMemoryLink(clock, oneWayDelay);
    client = tweak.apply(
        TcpStack.builder().address(CLIENT_ADDR).time(clock).output(link).random(new Random(1))
            .profile(profile).name("client")).build();
    server = tweak.apply(
        TcpStack.builder().address(SERVER_ADDR).time(clock).output(link).random(new Random(2))
            .profile(profile).name("server")).build();
    link.attach(client);
    link.attach(server);
    TcpObserver recorder =
        new TcpObserver() {
          @Override
          public void stateChanged(ConnectionId id, Transition t, String reason) {
            transitions.add(t);
            TAKEN.add(t);
          }

          @Override
          public void event(ConnectionId id, String description) {
            events.add(description);
          }
        };
    client.addObserver(recorder);
    server.addObserver(recorder);
  }

  /** Advances virtual time, running every timer and delivery due. */
  void run(long nanos) {
    clock.advanceBy(nanos);
  }

  /** Runs until nothing is scheduled within {@code limit} of virtual time. */
  void settle(long limit) {
    long end = clock.nanos() + limit;
    while (clock.runNext(end)) {
      // keep going
    }
  }

  /** Connects client to a listener on the server's port 80 and returns both ends, established. */
  Pair connect() {
    TcpListener l = server.listen(80, 16);
    TcpSocket c = client.connect(SERVER_ADDR, 80);
    run(50 * MS);
    TcpSocket s = l.accept();
    if (s == null) throw new AssertionError("no connection accepted; events: " + events);
    return new Pair(c, s, l);
  }

  record Pair(TcpSocket client, TcpSocket server, TcpListener listener) {}

  /** The client closes; 100 ms later the server is in CLOSE-WAIT and its application reads end of stream. */
  void clientClosesAndServerReadsEof(Pair p) {
    p.client().close();
    run(100 * MS);
    assertThat(p.server().read(new byte[1])).as("server read after the client's FIN").isEqualTo(-1);
    assertThat(p.server().state()).isEqualTo(TcpState.CLOSE_WAIT);
  }

  /**
   * RFC 9293 §3.6 case 1 with prompt applications: {@link #clientClosesAndServerReadsEof}, then the server
   * closes too; 100 ms later the server is CLOSED and the client in TIME-WAIT.
   */
  void closeClientFirst(Pair p) {
    clientClosesAndServerReadsEof(p);
    p.server().close();
    run(100 * MS);
    assertThat(p.server().state()).isEqualTo(TcpState.CLOSED);
    assertThat(p.client().state()).isEqualTo(TcpState.TIME_WAIT);
  }

  /** Segments on the wire from {@code src}, in order, including dropped ones. */
  List<Segment> sentBy(InetAddress src) {
    List<Segment> l = new ArrayList<>();
    for (InMemoryLink.WireEvent e : link.log()) {
      if (e.src().equals(src)) l.add(e.segment());
    }
    return l;
  }

  List<Segment> clientSent() {
    return sentBy(CLIENT_ADDR);
  }

  List<Segment> serverSent() {
    return sentBy(SERVER_ADDR);
  }

  /** The wire in tcpdump-like lines, for failure messages. */
  String wire() {
    StringBuilder sb = new StringBuilder();
    for (InMemoryLink.WireEvent e : link.log()) sb.append(e).append('\n');
    return sb.toString();
  }

  /** Reads everything available now from {@code s}; stops at EOF or when nothing is queued. */
  static byte[] drain(TcpSocket s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[65536];
    int n;
    while ((n = s.read(buf)) > 0) out.write(buf, 0, n);
    return out.toByteArray();
  }

  /** The two profiles, named for display ("linux", "rfc9293"): the source of {@link EachProfile} tests. */
  static Stream<Named<Profile>> profiles() {
    return Stream.of(Profile.LINUX, Profile.RFC9293).map(p -> Named.of(p.name(), p));
  }

  /** Deterministic test data. */
  static byte[] data(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  Set<Transition> taken() {
    return EnumSet.copyOf(transitions.isEmpty() ? List.of() : transitions);
  }

  static InetAddress addr(String s) {
    try {
      return InetAddress.getByName(s);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
