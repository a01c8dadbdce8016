package dev.tcplab.core.tcp;

import static dev.tcplab.core.tcp.TcpState.CLOSED;
import static dev.tcplab.core.tcp.TcpState.CLOSE_WAIT;
import static dev.tcplab.core.tcp.TcpState.CLOSING;
import static dev.tcplab.core.tcp.TcpState.ESTABLISHED;
import static dev.tcplab.core.tcp.TcpState.FIN_WAIT_1;
import static dev.tcplab.core.tcp.TcpState.FIN_WAIT_2;
import static dev.tcplab.core.tcp.TcpState.LAST_ACK;
import static dev.tcplab.core.tcp.TcpState.LISTEN;
import static dev.tcplab.core.tcp.TcpState.SYN_RECEIVED;
import static dev.tcplab.core.tcp.TcpState.SYN_SENT;
import static dev.tcplab.core.tcp.TcpState.TIME_WAIT;
import static dev.tcplab.core.tcp.TwoStacks.CLIENT_ADDR;
import static dev.tcplab.core.tcp.TwoStacks.MS;
import static dev.tcplab.core.tcp.TwoStacks.SECOND;
import static dev.tcplab.core.tcp.TwoStacks.SERVER_ADDR;
import static dev.tcplab.core.tcp.WireView.assertClosed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcplab.core.link.InMemoryLink.Decision;
import dev.tcplab.core.tcp.TwoStacks.Pair;
import dev.tcplab.core.wire.Segment;
import dev.tcplab.core.wire.SeqNum;
import dev.tcplab.core.wire.TcpFlags;
import dev.tcplab.core.wire.TcpOption;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Every arc of the RFC 9293 §3.3.2 state diagram (Figure 5) and the reset/abort/timeout arcs of
 * §3.10.7.4, each walked as a scenario: two endpoints (or one stack and hand-made segments), a few
 * actions, then the state, the arc taken by the right connection, and what went on the wire.
 *
 * <p>The scenarios run with {@link Profile#RFC9293} (the textbook: an immediate ACK of a FIN, a bare
 * "R" on ABORT) unless they say otherwise. Each test records the arc it proved; {@link
 * #everyArcIsProved()} fails the class when an arc of {@link Transition} has no scenario.
 */
class StateDiagramTest {
  /** A host that is not on the link: what a stack sends to it is logged and lost. */
  static final InetAddress PEER = TwoStacks.addr("10.0.0.9");

  /** The arcs proved so far, over all tests of this class. */
  private static final EnumSet<Transition> PROVED = EnumSet.noneOf(Transition.class);

  private static final AtomicInteger TESTS_RUN = new AtomicInteger();

  /** Which connection (by its 4-tuple, null while in LISTEN) took which arc, per test. */
  record Arc(TcpStack stack, ConnectionId id, Transition transition) {}

  private final List<Arc> arcs = new ArrayList<>();

  @BeforeEach
  void countTest() {
    TESTS_RUN.incrementAndGet();
  }

  /** The diagram is covered: every {@link Transition} value has a scenario that proved it. */
  @AfterAll
  static void everyArcIsProved() {
    // A filtered run (-Dtest=StateDiagramTest$Listen...) cannot cover the diagram; only judge full runs.
    if (TESTS_RUN.get() < declaredTests()) return;
    EnumSet<Transition> missing = EnumSet.allOf(Transition.class);
    synchronized (PROVED) {
      missing.removeAll(PROVED);
    }
    assertThat(missing)
        .as("arcs of the state diagram that no scenario in StateDiagramTest proved: %s", missing)
        .isEmpty();
  }

  private static int declaredTests() {
    int n = 0;
    for (Class<?> nested : StateDiagramTest.class.getDeclaredClasses()) {
      if (!nested.isAnnotationPresent(Nested.class) || nested.isAnnotationPresent(Disabled.class)) {
        continue;
      }
      for (Method m : nested.getDeclaredMethods()) {
        if (m.isAnnotationPresent(Test.class) && !m.isAnnotationPresent(Disabled.class)) n++;
      }
    }
    return n;
  }

  // ---------------------------------------------------------------------------------------------
  // Fixture helpers

  /** Two stacks with the textbook profile, each arc recorded with the connection that took it. */
  TwoStacks net() {
    return net(Profile.RFC9293);
  }

  TwoStacks net(Profile profile) {
    TwoStacks net = new TwoStacks(profile);
    watch(net.client);
    watch(net.server);
    return net;
  }

  private void watch(TcpStack stack) {
    stack.addObserver(
        new TcpObserver() {
          @Override
          public void stateChanged(ConnectionId id, Transition t, String reason) {
            arcs.add(new Arc(stack, id, t));
          }
        });
  }

  /** Asserts that {@code t} was taken (anywhere in {@code net}) and records it as proved. */
  void proved(Transition t, TwoStacks net) {
    assertThat(net.transitions)
        .as("arc %s taken; transitions %s%nwire:%n%s", t, net.transitions, net.wire())
        .contains(t);
    synchronized (PROVED) {
      PROVED.add(t);
    }
  }

  /** Asserts that the connection of {@code socket} took {@code t}, and records it as proved. */
  void proved(Transition t, TwoStacks net, TcpSocket socket) {
    assertThat(arcsOf(socket))
        .as("arcs of %s; all: %s%nwire:%n%s", socket.id(), arcs, net.wire())
        .contains(t);
    proved(t, net);
  }

  /** Asserts that a connection of {@code stack} took {@code t}, and records it as proved. */
  void proved(Transition t, TwoStacks net, TcpStack stack) {
    assertThat(arcsOf(stack)).as("arcs of %s; all: %s%nwire:%n%s", stack, arcs, net.wire()).contains(t);
    proved(t, net);
  }

  List<Transition> arcsOf(TcpSocket socket) {
    return arcs.stream().filter(a -> Objects.equals(a.id(), socket.id())).map(Arc::transition).toList();
  }

  List<Transition> arcsOf(TcpStack stack) {
    return arcs.stream().filter(a -> a.stack() == stack).map(Arc::transition).toList();
  }

  /** Index into the wire log, to look at what was sent after this point. */
  static int mark(TwoStacks net) {
    return net.link.log().size();
  }

  /** Segments {@code src} put on the wire since {@code mark} (dropped ones included). */
  static List<Segment> sentSince(TwoStacks net, InetAddress src, int mark) {
    var log = net.link.log();
    List<Segment> l = new ArrayList<>();
    for (int i = mark; i < log.size(); i++) {
      if (log.get(i).src().equals(src)) l.add(log.get(i).segment());
    }
    return l;
  }

  static Segment last(List<Segment> segments) {
    assertThat(segments).as("segments").isNotEmpty();
    return segments.get(segments.size() - 1);
  }

  /** The first SYN (or SYN,ACK) in {@code segments}: its SEQ is the sender's ISS. */
  static Segment syn(List<Segment> segments) {
    return segments.stream().filter(Segment::isSyn).findFirst().orElseThrow();
  }

  static boolean pureAck(Segment s) {
    return s.flags() == TcpFlags.ACK && s.payloadLength() == 0;
  }

  /** Hands a segment from {@code from} to {@code to}, as if it had come over the wire. */
  static void inject(TcpStack to, InetAddress from, Segment seg) {
    to.receive(from, to.address(), seg);
  }

  static Segment.Builder segment(int srcPort, int dstPort, int flags, int seq) {
    return Segment.builder().srcPort(srcPort).dstPort(dstPort).flags(flags).seq(seq).window(65535);
  }

  /** Fluent checks of one segment's control bits, SEQ, ACK and length. */
  static SegmentCheck check(Segment s) {
    return new SegmentCheck(s);
  }

  record SegmentCheck(Segment s) {
    /** The control bits in tcpdump notation: "S", "S.", ".", "F.", "R", "R.". */
    SegmentCheck is(String flags) {
      assertThat(TcpFlags.toString(s.flags())).as("flags of %s", s).isEqualTo(flags);
      return this;
    }

    SegmentCheck seq(int seq) {
      assertThat(SeqNum.unsigned(s.seq())).as("SEQ of %s", s).isEqualTo(SeqNum.unsigned(seq));
      return this;
    }

    SegmentCheck ack(int ack) {
      assertThat(s.isAck()).as("ACK bit of %s", s).isTrue();
      assertThat(SeqNum.unsigned(s.ack())).as("ACK of %s", s).isEqualTo(SeqNum.unsigned(ack));
      return this;
    }

    SegmentCheck noPayload() {
      assertThat(s.payloadLength()).as("payload of %s", s).isZero();
      return this;
    }

    SegmentCheck ports(int src, int dst) {
      assertThat(s.srcPort()).as("source port of %s", s).isEqualTo(src);
      assertThat(s.dstPort()).as("destination port of %s", s).isEqualTo(dst);
      return this;
    }
  }

  /** The one segment of {@code segments}; fails unless there is exactly one. */
  static Segment only(List<Segment> segments) {
    assertThat(segments).hasSize(1);
    return segments.get(0);
  }

  /** A SYN from {@link #PEER}'s {@code port} with SEQ = {@code seq}, handed to the server's port 80. */
  static void peerSyn(TwoStacks net, int port, int seq) {
    inject(net.server, PEER, segment(port, 80, TcpFlags.SYN, seq).build());
  }

  /** A RST from {@link #PEER}'s {@code port} with SEQ = {@code seq}, handed to the server's port 80. */
  static void peerRst(TwoStacks net, int port, int seq) {
    inject(net.server, PEER, segment(port, 80, TcpFlags.RST, seq).build());
  }

  /** A passive OPEN of the server's port 80 that a SYN from {@link #PEER} (port 4000, SEQ 1000) reached. */
  static TcpSocket passiveOpenWithPeerSyn(TwoStacks net) {
    TcpSocket s = net.server.openPassive(80);
    peerSyn(net, 4000, 1000);
    return s;
  }

  /** The server's port 80 listens: a new SYN (port 4001, SEQ 7000) is answered with a SYN,ACK. */
  static void assertAnswersNextSyn(TwoStacks net) {
    peerSyn(net, 4001, 7000);
    check(last(net.serverSent())).is("S.").ports(80, 4001).ack(7001);
  }

  /** A textbook connection, established, ready to be walked along the diagram. */
  Walk established() {
    return established(Profile.RFC9293);
  }

  Walk established(Profile profile) {
    return new Walk(net(profile));
  }

  /**
   * One connection established by {@link TwoStacks#connect()} and walked along the diagram: each step is
   * an application call or the passing of time. It knows both ISSs, remembers each side's FIN as that side
   * closes, and keeps a mark in the wire log to look at what was sent after it.
   */
  static final class Walk {
    final TwoStacks net;
    final Pair p;
    final int clientIss;
    final int serverIss;
    /** The client's FIN, once it closed: its last segment right after the call. */
    Segment clientFin;
    /** The server's FIN, once it closed. */
    Segment serverFin;
    private int mark;

    Walk(TwoStacks net) {
      this.net = net;
      this.p = net.connect();
      this.clientIss = syn(net.clientSent()).seq();
      this.serverIss = syn(net.serverSent()).seq();
    }

    TcpSocket client() {
      return p.client();
    }

    TcpSocket server() {
      return p.server();
    }

    /** The client application closes (§3.10.4 CLOSE): its FIN goes out. */
    Walk clientCloses() {
      p.client().close();
      return rememberClientFin();
    }

    /** The client application shuts its output down (a half close): its FIN goes out, it may still read. */
    Walk clientShutsDownOutput() {
      p.client().shutdownOutput();
      return rememberClientFin();
    }

    private Walk rememberClientFin() {
      clientFin = last(net.clientSent());
      return this;
    }

    /** The server application closes: its FIN goes out. */
    Walk serverCloses() {
      p.server().close();
      serverFin = last(net.serverSent());
      return this;
    }

    /** Both applications close at the same instant: their FINs cross (§3.6 Figure 13). */
    Walk bothClose() {
      p.client().close();
      serverCloses();
      return rememberClientFin();
    }

    /** The server application aborts (§3.10.5: <SEQ=SND.NXT><CTL=RST>); one trip later the RST is there. */
    Walk serverResets() {
      p.server().abort();
      return run(5 * MS);
    }

    /** The client application aborts; one trip later its RST is at the server. */
    Walk clientResets() {
      p.client().abort();
      return run(5 * MS);
    }

    /** Lets {@code nanos} of virtual time pass. */
    Walk run(long nanos) {
      net.run(nanos);
      return this;
    }

    /** From now on the link loses every pure ACK, both ways. */
    Walk losePureAcks() {
      net.link.setFault((src, dst, seg, i) -> pureAck(seg) ? Decision.DROP : Decision.DELIVER);
      return this;
    }

    /** From now on the link loses everything the server sends. */
    Walk loseServerSegments() {
      net.link.setFault((src, dst, seg, i) -> src.equals(SERVER_ADDR) ? Decision.DROP : Decision.DELIVER);
      return this;
    }

    Walk assertClient(TcpState state) {
      assertThat(p.client().state()).as(net::wire).isEqualTo(state);
      return this;
    }

    Walk assertServer(TcpState state) {
      assertThat(p.server().state()).as(net::wire).isEqualTo(state);
      return this;
    }

    /** The client is CLOSED and sent nothing since the mark: no RST, no ACK. */
    void assertClientClosedSilently() {
      assertClient(CLOSED);
      assertThat(clientSince()).as("client segments since the mark").isEmpty();
    }

    /** The server is CLOSED and sent nothing since the mark. */
    void assertServerClosedSilently() {
      assertServer(CLOSED);
      assertThat(serverSince()).as("server segments since the mark").isEmpty();
    }

    /** Remembers the end of the wire log for {@link #clientSince()} and {@link #serverSince()}. */
    Walk mark() {
      mark = StateDiagramTest.mark(net);
      return this;
    }

    /** What the client put on the wire since the mark. */
    List<Segment> clientSince() {
      return sentSince(net, CLIENT_ADDR, mark);
    }

    /** What the server put on the wire since the mark. */
    List<Segment> serverSince() {
      return sentSince(net, SERVER_ADDR, mark);
    }

    /** A RST with SEQ = {@code seq} that looks as if the server sent it, handed to the client. */
    void rstToClient(int seq) {
      inject(net.client, SERVER_ADDR, segment(80, p.client().id().localPort(), TcpFlags.RST, seq).build());
    }

    /** A RST with SEQ = {@code seq} that looks as if the client sent it, handed to the server. */
    void rstToServer(int seq) {
      inject(net.server, CLIENT_ADDR, segment(p.client().id().localPort(), 80, TcpFlags.RST, seq).build());
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  class Closed {
    @Test
    void passiveOpenListensAndSendsNothing() {
      TwoStacks net = net();

      TcpSocket s = net.server.openPassive(80);

      // §3.10.1 OPEN in CLOSED, passive: create a TCB, enter LISTEN
      assertThat(s.state()).isEqualTo(LISTEN);
      proved(Transition.CLOSED_TO_LISTEN, net, s);
      assertThat(net.link.log()).isEmpty();
    }

    @Test
    void activeOpenSendsSyn() {
      TwoStacks net = net();

      TcpSocket c = net.client.connect(SERVER_ADDR, 80);

      // §3.10.1 OPEN in CLOSED, active: issue a SYN <SEQ=ISS><CTL=SYN>, enter SYN-SENT
      assertThat(c.state()).isEqualTo(SYN_SENT);
      proved(Transition.CLOSED_TO_SYN_SENT, net, c);
      Segment syn = only(net.clientSent());
      check(syn).is("S").ports(c.id().localPort(), 80).noPayload();
      // §3.7.1: the MSS option only in a SYN
      assertThat(syn.mss()).isEqualTo(1460);
    }
  }

  @Nested
  class Listen {
    @Test
    void closeOfPassiveOpenDeletesIt() {
      TwoStacks net = net();
      TcpSocket s = net.server.openPassive(80);

      s.close();

      // §3.10.4 CLOSE in LISTEN: delete the TCB, enter CLOSED, nothing sent
      assertThat(s.state()).isEqualTo(CLOSED);
      proved(Transition.LISTEN_TO_CLOSED, net, s);
      assertThat(net.link.log()).isEmpty();
      // §3.10.7.1: the port is closed now, a SYN to it draws <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>
      peerSyn(net, 4000, 1000);
      check(last(net.serverSent())).is("R.").seq(0).ack(1001);
    }

    @Test
    void synArrivesAtPassiveOpenSynAckSent() {
      TwoStacks net = net();
      TcpSocket s = net.server.openPassive(80);
      TcpSocket c = net.client.connect(SERVER_ADDR, 80);

      net.run(5 * MS); // the SYN arrives

      // §3.10.7.2 LISTEN, third: RCV.NXT = SEG.SEQ+1, IRS = SEG.SEQ, <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>
      assertThat(s.state()).isEqualTo(SYN_RECEIVED);
      proved(Transition.LISTEN_TO_SYN_RECEIVED, net, s);
      Segment clientSyn = syn(net.clientSent());
      check(only(net.serverSent())).is("S.").ports(80, c.id().localPort()).ack(clientSyn.seq() + 1).noPayload();
      assertThat(c.state()).isEqualTo(SYN_SENT); // the SYN,ACK is still on its way
    }

    @Test
    void synArrivesAtListenerForksChildInSynReceived() {
      TwoStacks net = net();
      TcpListener l = net.server.listen(80, 4);
      TcpSocket c = net.client.connect(SERVER_ADDR, 80);

      net.run(5 * MS);

      // §3.10.7.2 LISTEN, third, on a copy of the listening TCB (Berkeley listen/accept)
      ConnectionId child = new ConnectionId(SERVER_ADDR, 80, CLIENT_ADDR, c.id().localPort());
      assertThat(net.server.connectionStates()).containsEntry(child, SYN_RECEIVED);
      assertThat(arcs).contains(new Arc(net.server, child, Transition.LISTEN_TO_SYN_RECEIVED));
      proved(Transition.LISTEN_TO_SYN_RECEIVED, net, net.server);
      check(last(net.serverSent())).is("S.").ack(syn(net.clientSent()).seq() + 1);
      assertThat(l.accept()).isNull(); // not before the handshake completes
    }

    @Test
    void sendOnPassiveOpenTurnsItActive() {
      TwoStacks net = net();
      TcpListener peer = net.client.listen(80, 4);
      TcpSocket s = net.server.openPassive(5000);

      s.connect(CLIENT_ADDR, 80);

      // §3.10.2 SEND in LISTEN with a foreign socket: select an ISS, send a SYN, enter SYN-SENT
      assertThat(s.state()).isEqualTo(SYN_SENT);
      proved(Transition.LISTEN_TO_SYN_SENT, net, s);
      check(only(net.serverSent())).is("S").ports(5000, 80).noPayload();

      net.run(50 * MS);
      assertThat(s.state()).isEqualTo(ESTABLISHED);
      assertThat(peer.accept()).isNotNull();
    }
  }

  @Nested
  class SynSent {
    @Test
    void simultaneousOpenBothAnswerSynWithSynAck() {
      TwoStacks net = net();
      TcpSocket a = net.client.connect(SERVER_ADDR, 2000, 1000, null);
      TcpSocket b = net.server.connect(CLIENT_ADDR, 1000, 2000, null);
      Segment synA = syn(net.clientSent());
      Segment synB = syn(net.serverSent());

      net.run(5 * MS); // the SYNs cross

      // §3.10.7.3 SYN-SENT, fourth: a SYN without ACK: enter SYN-RECEIVED, <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>
      assertThat(a.state()).isEqualTo(SYN_RECEIVED);
      assertThat(b.state()).isEqualTo(SYN_RECEIVED);
      proved(Transition.SYN_SENT_TO_SYN_RECEIVED, net, a);
      proved(Transition.SYN_SENT_TO_SYN_RECEIVED, net, b);
      check(last(net.clientSent())).is("S.").ports(1000, 2000).seq(synA.seq()).ack(synB.seq() + 1);
      check(last(net.serverSent())).is("S.").ports(2000, 1000).seq(synB.seq()).ack(synA.seq() + 1);

      // §3.5 Figure 8: both end ESTABLISHED
      net.run(50 * MS);
      assertThat(a.state()).isEqualTo(ESTABLISHED);
      assertThat(b.state()).isEqualTo(ESTABLISHED);
    }

    @Test
    void synAckArrivesAckSent() {
      TwoStacks net = net();
      net.server.listen(80, 4);
      TcpSocket c = net.client.connect(SERVER_ADDR, 80);

      net.run(10 * MS); // SYN there, SYN,ACK back

      // §3.10.7.3 SYN-SENT, fourth: SND.UNA > ISS: enter ESTABLISHED, <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>
      assertThat(c.state()).isEqualTo(ESTABLISHED);
      proved(Transition.SYN_SENT_TO_ESTABLISHED, net, c);
      Segment synAck = syn(net.serverSent());
      int iss = syn(net.clientSent()).seq();
      check(synAck).is("S.").ack(iss + 1);
      List<Segment> sent = net.clientSent();
      assertThat(sent).hasSize(2);
      check(sent.get(1)).is(".").seq(iss + 1).ack(synAck.seq() + 1).noPayload();
    }

    @Test
    void closeInSynSentDeletesTcbSilently() {
      TwoStacks net = net();
      TcpSocket c = net.client.connect(SERVER_ADDR, 80);

      c.close();

      // §3.10.4 CLOSE in SYN-SENT: delete the TCB, nothing sent
      assertThat(c.state()).isEqualTo(CLOSED);
      proved(Transition.SYN_SENT_TO_CLOSED, net, c);
      net.run(50 * MS);
      assertThat(net.clientSent()).hasSize(1); // the SYN only; the RST back finds no connection
      assertThat(net.client.connectionCount()).isZero();
    }

    @Test
    void rstAckToSynRefusesConnection() {
      TwoStacks net = net(); // no listener on port 81
      TcpSocket c = net.client.connect(SERVER_ADDR, 81);
      int iss = syn(net.clientSent()).seq();

      net.run(10 * MS);

      // §3.10.7.1: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>; §3.10.7.3 second: acceptable RST,ACK: CLOSED
      check(last(net.serverSent())).is("R.").seq(0).ack(iss + 1);
      assertClosed(c, ConnectionEnd.REFUSED);
      proved(Transition.SYN_SENT_TO_CLOSED, net, c);
      assertThat(net.clientSent()).hasSize(1);
    }

    @Test
    void unansweredSynTimesOut() {
      TwoStacks net = net();
      net.link.setFault((src, dst, seg, i) -> Decision.DROP);
      TcpSocket c = net.client.connect(SERVER_ADDR, 80);
      int iss = syn(net.clientSent()).seq();

      net.settle(3_600 * SECOND);

      // §3.8.3 / RFC 1122 §4.2.3.5: the SYN is retransmitted, then the connection gives up
      assertClosed(c, ConnectionEnd.TIMED_OUT);
      proved(Transition.SYN_SENT_TO_CLOSED, net, c);
      assertThat(net.clientSent())
          .hasSize(1 + Profile.RFC9293.synRetries())
          .allSatisfy(s -> check(s).is("S").seq(iss));
    }
  }

  @Nested
  class SynReceived {
    @Test
    void ackOfSynEstablishes() {
      TwoStacks net = net();
      TcpSocket s = net.server.openPassive(80);
      TcpSocket c = net.client.connect(SERVER_ADDR, 80);

      net.run(10 * MS); // SYN there, SYN,ACK back, ACK on its way
      assertThat(s.state()).isEqualTo(SYN_RECEIVED);
      net.run(5 * MS); // the ACK arrives

      // §3.10.7.4 fifth, SYN-RECEIVED: SND.UNA < SEG.ACK =< SND.NXT: enter ESTABLISHED, nothing sent
      assertThat(s.state()).isEqualTo(ESTABLISHED);
      proved(Transition.SYN_RECEIVED_TO_ESTABLISHED, net, s);
      assertThat(c.state()).isEqualTo(ESTABLISHED);
      assertThat(net.serverSent()).hasSize(1).allSatisfy(seg -> check(seg).is("S."));
    }

    @Test
    void closeInSynReceivedSendsFin() {
      TwoStacks net = net();
      TcpSocket s = net.server.openPassive(80);
      TcpSocket c = net.client.connect(SERVER_ADDR, 80);
      net.run(5 * MS);
      assertThat(s.state()).isEqualTo(SYN_RECEIVED);
      int clientIss = syn(net.clientSent()).seq();
      int serverIss = syn(net.serverSent()).seq();

      s.close();

      // §3.10.4 CLOSE in SYN-RECEIVED, nothing queued: form a FIN, send it, enter FIN-WAIT-1
      assertThat(s.state()).isEqualTo(FIN_WAIT_1);
      proved(Transition.SYN_RECEIVED_TO_FIN_WAIT_1, net, s);
      check(last(net.serverSent())).is("F.").seq(serverIss + 1).ack(clientIss + 1).noPayload();

      net.run(100 * MS);
      assertThat(c.state()).isEqualTo(CLOSE_WAIT);
      assertThat(s.state()).isEqualTo(FIN_WAIT_2);
    }

    @Test
    void rstReturnsPassiveOpenToListen() {
      TwoStacks net = net();
      TcpSocket s = net.server.openPassive(80);
      inject(net.server, PEER, segment(4000, 80, TcpFlags.SYN, 1000).options(new TcpOption.Mss(1460)).build());
      assertThat(s.state()).isEqualTo(SYN_RECEIVED);
      check(last(net.serverSent())).is("S.").ack(1001);
      int mark = mark(net);

      peerRst(net, 4000, 1001); // SEQ = RCV.NXT

      // §3.10.7.4 second, SYN-RECEIVED: came from a passive OPEN: back to LISTEN, the user is not told
      assertThat(s.state()).isEqualTo(LISTEN);
      proved(Transition.SYN_RECEIVED_TO_LISTEN, net, s);
      assertThat(s.end()).isNull();
      assertThat(sentSince(net, SERVER_ADDR, mark)).isEmpty();
      assertThat(net.server.connectionCount()).isZero();

      // It listens again: the next SYN is answered.
      assertAnswersNextSyn(net);
      assertThat(s.state()).isEqualTo(SYN_RECEIVED);
    }

    @Test
    void rstDropsEmbryonicChildOfListener() {
      TwoStacks net = net();
      TcpListener l = net.server.listen(80, 4);
      peerSyn(net, 4000, 1000);
      assertThat(net.server.connectionStates()).containsValue(SYN_RECEIVED);
      int mark = mark(net);

      peerRst(net, 4000, 1001);

      // §3.10.7.4 second: the passive OPEN's TCB returns to LISTEN (the listener goes on listening)
      proved(Transition.SYN_RECEIVED_TO_LISTEN, net, net.server);
      assertThat(net.server.connectionCount()).isZero();
      assertThat(l.accept()).isNull();
      assertThat(sentSince(net, SERVER_ADDR, mark)).isEmpty();
      assertAnswersNextSyn(net);
    }

    @Test
    void rstInSimultaneousOpenRefusesConnection() {
      TwoStacks net = net();
      TcpSocket c = net.client.connect(PEER, 2000, 1000, null);
      int iss = syn(net.clientSent()).seq();
      inject(net.client, PEER, segment(2000, 1000, TcpFlags.SYN, 5000).build()); // SYNs cross
      assertThat(c.state()).isEqualTo(SYN_RECEIVED);
      check(last(net.clientSent())).is("S.").seq(iss).ack(5001);
      int mark = mark(net);

      inject(net.client, PEER, segment(2000, 1000, TcpFlags.RST, 5001).build());

      // §3.10.7.4 second, SYN-RECEIVED from an active OPEN: "connection refused", CLOSED, TCB deleted
      assertClosed(c, ConnectionEnd.REFUSED);
      proved(Transition.SYN_RECEIVED_TO_CLOSED, net, c);
      assertThat(sentSince(net, CLIENT_ADDR, mark)).isEmpty();
      assertThat(net.client.connectionCount()).isZero();
    }

    @Test
    void abortInSynReceivedSendsRst() {
      TwoStacks net = net();
      TcpSocket s = passiveOpenWithPeerSyn(net);
      int iss = syn(net.serverSent()).seq();

      s.abort();

      // §3.10.5 ABORT in SYN-RECEIVED: <SEQ=SND.NXT><CTL=RST>, delete the TCB, CLOSED
      assertThat(s.state()).isEqualTo(CLOSED);
      proved(Transition.SYN_RECEIVED_TO_CLOSED, net, s);
      check(last(net.serverSent())).is("R").seq(iss + 1).ports(80, 4000);
      assertThat(net.server.connectionCount()).isZero();
    }

    @Test
    void unacknowledgedSynAckTimesOut() {
      TwoStacks net = net();
      TcpSocket s = passiveOpenWithPeerSyn(net);
      int iss = syn(net.serverSent()).seq();

      net.settle(3_600 * SECOND);

      // §3.8.3 / RFC 1122 §4.2.3.5: the SYN,ACK is retransmitted, then the connection gives up
      assertThat(s.state()).isEqualTo(CLOSED);
      proved(Transition.SYN_RECEIVED_TO_CLOSED, net, s);
      assertThat(net.serverSent()).hasSizeGreaterThan(1).allSatisfy(seg -> check(seg).is("S.").seq(iss));
    }
  }

  @Nested
  class Established {
    @Test
    void closeSendsFin() {
      Walk w = established();

      w.client().close();

      // §3.10.4 CLOSE in ESTABLISHED: queue a FIN after the data, enter FIN-WAIT-1
      assertThat(w.client().state()).isEqualTo(FIN_WAIT_1);
      proved(Transition.ESTABLISHED_TO_FIN_WAIT_1, w.net, w.client());
      check(last(w.net.clientSent())).is("F.").seq(w.clientIss + 1).ack(w.serverIss + 1).noPayload();
    }

    @Test
    void closeSendsFinAfterQueuedData() {
      Walk w = established().mark();

      w.client().write(TwoStacks.data(100, 1));
      w.client().close();

      // §3.10.4: the FIN follows the queued data, its SEQ after the last byte
      assertThat(w.client().state()).isEqualTo(FIN_WAIT_1);
      proved(Transition.ESTABLISHED_TO_FIN_WAIT_1, w.net, w.client());
      List<Segment> sent = w.clientSince();
      assertThat(sent.stream().mapToInt(Segment::payloadLength).sum()).isEqualTo(100);
      assertThat(last(sent).isFin()).isTrue();
      assertThat(SeqNum.unsigned(last(sent).seqEnd())).isEqualTo(SeqNum.unsigned(w.clientIss + 1 + 100 + 1));
      w.run(50 * MS);
      assertThat(TwoStacks.drain(w.server())).isEqualTo(TwoStacks.data(100, 1));
      assertThat(w.server().read(new byte[1])).isEqualTo(-1);
    }

    @Test
    void finArrivesAckSent() {
      Walk w = established().clientCloses().mark();

      w.run(5 * MS); // the FIN arrives

      // §3.10.7.4 eighth, ESTABLISHED: RCV.NXT over the FIN, send an ACK, enter CLOSE-WAIT
      assertThat(w.server().state()).isEqualTo(CLOSE_WAIT);
      proved(Transition.ESTABLISHED_TO_CLOSE_WAIT, w.net, w.server());
      check(only(w.serverSince())).is(".").seq(w.serverIss + 1).ack(w.clientFin.seq() + 1).noPayload();
      assertThat(w.server().read(new byte[10])).isEqualTo(-1); // end of stream
    }

    @Test
    void rstFromPeerCloses() {
      Walk w = established();

      w.serverResets();

      check(last(w.net.serverSent())).is("R").seq(w.serverIss + 1); // §3.10.5: <SEQ=SND.NXT><CTL=RST>

      // §3.10.7.4 second, ESTABLISHED: RST with SEQ = RCV.NXT: "connection reset", CLOSED
      assertClosed(w.client(), ConnectionEnd.RESET_BY_PEER);
      proved(Transition.ESTABLISHED_TO_CLOSED, w.net, w.client());
      assertThatThrownBy(() -> w.client().read(new byte[1]))
          .isInstanceOf(TcpSocketException.class)
          .hasMessageContaining("ECONNRESET");
    }

    @Test
    void inWindowRstWithWrongSeqOnlyDrawsChallengeAck() {
      Walk w = established().mark();

      w.rstToClient(w.serverIss + 2);

      // RFC 5961 §3.2 / §3.10.7.4 second: SEQ != RCV.NXT but in the window: a challenge ACK, no arc
      assertThat(w.client().state()).isEqualTo(ESTABLISHED);
      check(only(w.clientSince())).is(".").seq(w.clientIss + 1).ack(w.serverIss + 1);
      assertThat(arcsOf(w.client())).doesNotContain(Transition.ESTABLISHED_TO_CLOSED);
    }

    @Test
    void abortSendsRst() {
      Walk w = established();

      w.client().abort();

      // §3.10.5 ABORT in ESTABLISHED: <SEQ=SND.NXT><CTL=RST>, queues flushed, CLOSED
      assertClosed(w.client(), ConnectionEnd.ABORTED_LOCALLY);
      proved(Transition.ESTABLISHED_TO_CLOSED, w.net, w.client());
      check(last(w.net.clientSent())).is("R").seq(w.clientIss + 1).noPayload();
      w.run(5 * MS);
      assertThat(w.server().state()).isEqualTo(CLOSED);
    }

    @Test
    void unacknowledgedDataTimesOut() {
      Walk w = established().loseServerSegments().mark();

      w.client().write(TwoStacks.data(100, 3));
      w.net.settle(3_600 * SECOND);

      // §3.8.3 / RFC 1122 §4.2.3.5 R2: retransmission gives up, the connection is closed
      assertClosed(w.client(), ConnectionEnd.TIMED_OUT);
      proved(Transition.ESTABLISHED_TO_CLOSED, w.net, w.client());
      assertThat(w.clientSince())
          .hasSizeGreaterThan(1)
          .allSatisfy(s -> check(s).seq(w.clientIss + 1));
    }
  }

  @Nested
  class FinWait1 {
    @Test
    void ackOfFinArrives() {
      Walk w = established().clientCloses().mark();

      w.run(5 * MS).assertClient(FIN_WAIT_1);
      w.run(5 * MS); // the server's ACK of the FIN arrives

      // §3.10.7.4 fifth, FIN-WAIT-1: our FIN is now acknowledged: enter FIN-WAIT-2, nothing sent
      assertThat(w.client().state()).isEqualTo(FIN_WAIT_2);
      proved(Transition.FIN_WAIT_1_TO_FIN_WAIT_2, w.net, w.client());
      check(last(w.serverSince())).is(".").ack(w.clientFin.seq() + 1);
      assertThat(w.clientSince()).isEmpty();
    }

    @Test
    void simultaneousCloseEntersClosing() {
      Walk w = established().bothClose();
      check(w.clientFin).is("F.");
      check(w.serverFin).is("F.");
      w.mark();

      w.run(5 * MS); // the FINs cross

      // §3.10.7.4 eighth, FIN-WAIT-1, our FIN not yet acked: enter CLOSING; the FIN is acked
      assertThat(w.client().state()).isEqualTo(CLOSING);
      assertThat(w.server().state()).isEqualTo(CLOSING);
      proved(Transition.FIN_WAIT_1_TO_CLOSING, w.net, w.client());
      proved(Transition.FIN_WAIT_1_TO_CLOSING, w.net, w.server());
      check(only(w.clientSince())).is(".").seq(w.clientFin.seq() + 1).ack(w.serverFin.seq() + 1).noPayload();
      check(only(w.serverSince())).is(".").seq(w.serverFin.seq() + 1).ack(w.clientFin.seq() + 1).noPayload();
    }

    @Test
    void finCarryingAckOfOurFinGoesStraightToTimeWait() {
      // Linux holds the ACK of a FIN back, so it rides on the FIN
      Walk w = established(Profile.LINUX).clientCloses();
      // the client's FIN arrives; its ACK waits for the delayed-ACK timer
      w.run(5 * MS).assertServer(CLOSE_WAIT);
      w.serverCloses(); // FIN with ACK of the client's FIN
      check(w.serverFin).is("F.").ack(w.clientFin.seq() + 1);
      w.mark();

      w.run(5 * MS);

      // §3.10.7.4 eighth, FIN-WAIT-1: our FIN has been ACKed (in this segment): enter TIME-WAIT, ACK the FIN
      assertThat(w.client().state()).isEqualTo(TIME_WAIT);
      proved(Transition.FIN_WAIT_1_TO_TIME_WAIT, w.net, w.client());
      assertThat(arcsOf(w.client())).doesNotContain(Transition.FIN_WAIT_1_TO_FIN_WAIT_2);
      check(only(w.clientSince())).is(".").seq(w.clientFin.seq() + 1).ack(w.serverFin.seq() + 1).noPayload();
    }

    @Test
    void rstFromPeerCloses() {
      Walk w = established().clientShutsDownOutput().assertClient(FIN_WAIT_1);

      w.serverResets(); // the RST crosses the FIN

      // §3.10.7.4 second, FIN-WAIT-1: RST with SEQ = RCV.NXT: "connection reset", CLOSED
      assertClosed(w.client(), ConnectionEnd.RESET_BY_PEER);
      proved(Transition.FIN_WAIT_1_TO_CLOSED, w.net, w.client());
    }

    @Test
    void abortSendsRst() {
      Walk w = established().clientShutsDownOutput();

      w.client().abort();

      // §3.10.5 ABORT in FIN-WAIT-1: <SEQ=SND.NXT><CTL=RST>, CLOSED
      assertThat(w.client().state()).isEqualTo(CLOSED);
      proved(Transition.FIN_WAIT_1_TO_CLOSED, w.net, w.client());
      check(last(w.net.clientSent())).is("R").seq(w.clientFin.seq() + 1);
    }

    @Test
    void unacknowledgedFinTimesOut() {
      Walk w = established().loseServerSegments().clientShutsDownOutput();

      w.net.settle(3_600 * SECOND);

      // §3.8.3 / RFC 1122 §4.2.3.5 R2: the FIN is retransmitted, then the connection gives up
      assertClosed(w.client(), ConnectionEnd.TIMED_OUT);
      proved(Transition.FIN_WAIT_1_TO_CLOSED, w.net, w.client());
      assertThat(w.net.clientSent().stream().filter(Segment::isFin)).hasSizeGreaterThan(1)
          .allSatisfy(s -> check(s).is("F.").seq(w.clientFin.seq()));
    }
  }

  @Nested
  class FinWait2 {
    @Test
    void finArrivesAckSent() {
      Walk w = established().clientCloses().run(10 * MS).assertClient(FIN_WAIT_2).serverCloses().mark();

      w.run(5 * MS);

      // §3.10.7.4 eighth, FIN-WAIT-2: enter TIME-WAIT, start the time-wait timer, ACK the FIN
      assertThat(w.client().state()).isEqualTo(TIME_WAIT);
      proved(Transition.FIN_WAIT_2_TO_TIME_WAIT, w.net, w.client());
      check(only(w.clientSince())).is(".").seq(w.clientFin.seq() + 1).ack(w.serverFin.seq() + 1).noPayload();
    }

    @Test
    void rstFromPeerCloses() {
      Walk w = established().clientShutsDownOutput().run(10 * MS).assertClient(FIN_WAIT_2);

      w.serverResets();

      // §3.10.7.4 second, FIN-WAIT-2: RST with SEQ = RCV.NXT: "connection reset", CLOSED
      assertClosed(w.client(), ConnectionEnd.RESET_BY_PEER);
      proved(Transition.FIN_WAIT_2_TO_CLOSED, w.net, w.client());
    }

    @Test
    void abortSendsRst() {
      Walk w = established().clientShutsDownOutput().run(10 * MS).assertClient(FIN_WAIT_2);

      w.client().abort();

      // §3.10.5 ABORT in FIN-WAIT-2: <SEQ=SND.NXT><CTL=RST>, CLOSED
      assertThat(w.client().state()).isEqualTo(CLOSED);
      proved(Transition.FIN_WAIT_2_TO_CLOSED, w.net, w.client());
      check(last(w.net.clientSent())).is("R").seq(w.clientFin.seq() + 1);
    }

    @Test
    void orphanedFinWait2TimesOutOnLinux() {
      Walk w = established(Profile.LINUX).clientCloses();
      w.run(100 * MS).assertClient(FIN_WAIT_2).mark(); // the delayed ACK of the FIN

      w.run(Profile.LINUX.finWait2TimeoutNanos());

      // Linux tcp_fin_timeout (not in RFC 9293): an orphaned FIN-WAIT-2 is dropped silently
      w.assertClientClosedSilently();
      proved(Transition.FIN_WAIT_2_TO_CLOSED, w.net, w.client());
    }
  }

  @Nested
  class CloseWait {
    @Test
    void closeSendsFin() {
      Walk w = established().clientCloses().run(10 * MS).assertServer(CLOSE_WAIT).mark();

      w.server().close();

      // §3.10.4 CLOSE in CLOSE-WAIT: queue a FIN after the data, enter LAST-ACK
      assertThat(w.server().state()).isEqualTo(LAST_ACK);
      proved(Transition.CLOSE_WAIT_TO_LAST_ACK, w.net, w.server());
      check(only(w.serverSince())).is("F.").seq(w.serverIss + 1).ack(w.clientFin.seq() + 1).noPayload();
    }

    @Test
    void abortSendsRst() {
      Walk w = established().clientCloses().run(10 * MS).assertServer(CLOSE_WAIT);

      w.server().abort();

      // §3.10.5 ABORT in CLOSE-WAIT: <SEQ=SND.NXT><CTL=RST>, CLOSED
      assertThat(w.server().state()).isEqualTo(CLOSED);
      proved(Transition.CLOSE_WAIT_TO_CLOSED, w.net, w.server());
      check(last(w.net.serverSent())).is("R").seq(w.serverIss + 1);
    }

    @Test
    void rstFromPeerCloses() {
      Walk w = established().clientShutsDownOutput().run(10 * MS).assertServer(CLOSE_WAIT).mark();

      w.clientResets(); // from FIN-WAIT-2

      // §3.10.7.4 second, CLOSE-WAIT: RST with SEQ = RCV.NXT: CLOSED, nothing sent back
      w.assertServerClosedSilently();
      proved(Transition.CLOSE_WAIT_TO_CLOSED, w.net, w.server());
    }
  }

  @Nested
  class Closing {
    @Test
    void ackOfFinEntersTimeWait() {
      Walk w = established().bothClose().run(5 * MS).assertClient(CLOSING).mark();

      w.run(5 * MS); // the ACKs of the FINs arrive

      // §3.10.7.4 fifth, CLOSING: the ACK acknowledges our FIN: enter TIME-WAIT, nothing sent
      assertThat(w.client().state()).isEqualTo(TIME_WAIT);
      assertThat(w.server().state()).isEqualTo(TIME_WAIT);
      proved(Transition.CLOSING_TO_TIME_WAIT, w.net, w.client());
      proved(Transition.CLOSING_TO_TIME_WAIT, w.net, w.server());
      assertThat(w.clientSince()).isEmpty();
      assertThat(w.serverSince()).isEmpty();
    }

    @Test
    void rstCloses() {
      Walk w = established().losePureAcks().bothClose();
      w.run(5 * MS).assertClient(CLOSING).mark(); // FINs crossed, their ACKs lost

      w.rstToClient(w.serverFin.seq() + 1);

      // §3.10.7.4 second, CLOSING: RST: enter CLOSED, delete the TCB
      w.assertClientClosedSilently();
      proved(Transition.CLOSING_TO_CLOSED, w.net, w.client());
      assertThat(w.net.client.connectionCount()).isZero();
    }

    @Test
    void abortDeletesTcbWithoutRst() {
      Walk w = established().losePureAcks().bothClose().run(5 * MS).assertClient(CLOSING).mark();

      w.client().abort();

      // §3.10.5 ABORT in CLOSING: respond "ok", delete the TCB, CLOSED; no RST
      w.assertClientClosedSilently();
      proved(Transition.CLOSING_TO_CLOSED, w.net, w.client());
    }
  }

  @Nested
  class LastAck {
    @Test
    void ackOfFinCloses() {
      Walk w = established().clientCloses().run(10 * MS).serverCloses().mark();

      w.run(10 * MS); // FIN there, ACK back

      // §3.10.7.4 fifth, LAST-ACK: the ACK of our FIN: delete the TCB, enter CLOSED, nothing sent
      check(last(w.clientSince())).is(".").ack(w.serverFin.seq() + 1);
      w.assertServerClosedSilently();
      proved(Transition.LAST_ACK_TO_CLOSED, w.net, w.server());
      assertThat(arcsOf(w.server())).doesNotContain(Transition.LAST_ACK_TO_CLOSED_BY_RESET);
      assertThat(w.server().end()).isEqualTo(ConnectionEnd.CLOSED_GRACEFULLY);
    }

    @Test
    void rstCloses() {
      Walk w = established().clientCloses().run(10 * MS).losePureAcks().serverCloses();
      w.run(10 * MS).assertServer(LAST_ACK).mark(); // the ACK of the server's FIN is lost

      w.rstToServer(w.clientFin.seq() + 1);

      // §3.10.7.4 second, LAST-ACK: RST: enter CLOSED, delete the TCB
      w.assertServerClosedSilently();
      proved(Transition.LAST_ACK_TO_CLOSED_BY_RESET, w.net, w.server());
      assertThat(arcsOf(w.server())).doesNotContain(Transition.LAST_ACK_TO_CLOSED);
    }

    @Test
    void abortDeletesTcbWithoutRst() {
      Walk w = established().clientCloses().run(10 * MS).losePureAcks().serverCloses()
          .run(10 * MS).assertServer(LAST_ACK).mark();

      w.server().abort();

      // §3.10.5 ABORT in LAST-ACK: respond "ok", delete the TCB, CLOSED; no RST
      w.assertServerClosedSilently();
      proved(Transition.LAST_ACK_TO_CLOSED_BY_RESET, w.net, w.server());
    }
  }

  @Nested
  class TimeWait {
    @Test
    void twoMslTimeoutCloses() {
      Walk w = established().clientCloses().run(10 * MS).serverCloses();
      w.run(5 * MS).assertClient(TIME_WAIT); // the server's FIN arrives: TIME-WAIT starts now
      w.run(5 * MS).mark();
      long twoMsl = Profile.RFC9293.timeWaitNanos();

      w.run(twoMsl - 5 * MS - 1).assertClient(TIME_WAIT);
      w.run(1);

      // §3.10.7.4 eighth / §3.4.2: after 2 MSL in TIME-WAIT, delete the TCB, enter CLOSED
      w.assertClientClosedSilently();
      proved(Transition.TIME_WAIT_TO_CLOSED, w.net, w.client());
      assertThat(arcsOf(w.client())).doesNotContain(Transition.TIME_WAIT_TO_CLOSED_BY_RESET);
      assertThat(w.client().end()).isEqualTo(ConnectionEnd.CLOSED_GRACEFULLY);
      assertThat(w.net.client.connectionCount()).isZero();
    }

    @Test
    void rstCloses() {
      Walk w = established().clientCloses().run(10 * MS).serverCloses().run(5 * MS).assertClient(TIME_WAIT);
      w.mark();

      w.rstToClient(w.serverFin.seq() + 1);

      // §3.10.7.4 second, TIME-WAIT: RST: enter CLOSED, delete the TCB (RFC 1337 not applied)
      w.assertClientClosedSilently();
      proved(Transition.TIME_WAIT_TO_CLOSED_BY_RESET, w.net, w.client());
      assertThat(arcsOf(w.client())).doesNotContain(Transition.TIME_WAIT_TO_CLOSED);
      assertThat(w.net.client.connectionCount()).isZero();
    }
  }
}
