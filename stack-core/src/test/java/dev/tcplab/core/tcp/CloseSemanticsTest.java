package dev.tcplab.core.tcp;

import static dev.tcplab.core.tcp.TwoStacks.CLIENT_ADDR;
import static dev.tcplab.core.tcp.TwoStacks.MS;
import static dev.tcplab.core.tcp.TwoStacks.SECOND;
import static dev.tcplab.core.tcp.TwoStacks.SERVER_ADDR;
import static dev.tcplab.core.tcp.WireView.assertClosed;
import static dev.tcplab.core.tcp.WireView.errorOf;
import static dev.tcplab.core.tcp.WireView.readAvailable;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tcplab.core.link.InMemoryLink;
import dev.tcplab.core.wire.Segment;
import dev.tcplab.core.wire.TcpFlags;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * How connections end: the four graceful closes of RFC 9293 §3.6, TIME-WAIT (§3.4.2, §3.10.7.4 eighth),
 * and the abortive ones (ABORT §3.10.5, RFC 1122 §4.2.2.13, SO_LINGER 0, refused connections). Each
 * scenario checks what each application read, what went on the wire (relative to the ISNs, as tcpdump
 * shows it) and how both sockets ended. The LINUX profile is held to ../shared/LINUX-BEHAVIOUR.md.
 */
class CloseSemanticsTest extends OneConnectionScenario {
  private static final byte[] HELLO = "hello".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] WELCOME = "welcome".getBytes(StandardCharsets.US_ASCII);

  /** Sends "hello" (client) and "welcome" (server) both ways and reads them. */
  private void exchangeGreetings() {
    p.client().write(HELLO);
    p.server().write(WELCOME);
    net.run(100 * MS);
    assertThat(readAvailable(p.server())).isEqualTo(HELLO);
    assertThat(readAvailable(p.client())).isEqualTo(WELCOME);
  }

  /** Records when {@code stack}'s connection entered {@code state} (the last time it did). */
  private AtomicLong entryTime(TcpStack stack, TcpState state) {
    AtomicLong at = new AtomicLong(-1);
    stack.addObserver(
        new TcpObserver() {
          @Override
          public void stateChanged(ConnectionId id, Transition t, String reason) {
            if (t.to() == state) at.set(net.clock.nanos());
          }
        });
    return at;
  }

  /** The client sends 100 bytes that the server application leaves unread. */
  private void leaveUnreadDataAtServer() {
    assertThat(p.client().write(TwoStacks.data(100, 5))).isEqualTo(100);
    net.run(50 * MS);
    assertThat(p.server().available()).isEqualTo(100);
  }

  /** The client closes; 10 ms later its FIN is in and the server, which has read nothing, is in CLOSE-WAIT. */
  private void clientClosesServerReadsNothing() {
    p.client().close();
    net.run(10 * MS);
    assertThat(p.server().state()).isEqualTo(TcpState.CLOSE_WAIT);
  }

  /**
   * {@code closer} closes first: FIN-WAIT-1 at once; {@code nanos} later its peer is in CLOSE-WAIT and its
   * application reads end of stream.
   */
  private void closeFirst(TcpSocket closer, TcpSocket peer, long nanos) {
    closer.close();
    assertThat(closer.state()).isEqualTo(TcpState.FIN_WAIT_1);
    net.run(nanos);
    assertThat(peer.state()).isEqualTo(TcpState.CLOSE_WAIT);
    assertThat(peer.read(new byte[16])).as("EOF after the FIN").isEqualTo(-1);
  }

  /** {@code sent} is just the RST of an abort: Linux's "R." acking RCV.NXT ({@code ack}), else a bare "R". */
  private void assertOnlyAbortRst(List<String> sent, Profile profile, int ack) {
    assertThat(sent).as(w.toString())
        .containsExactly(profile.abortRstCarriesAck() ? "R. 1:1(0) ack " + ack : "R 1:1(0)");
  }

  /** Lets {@code nanos} pass (TIME-WAIT runs out); then each of {@code sockets} is closed, gracefully. */
  private void assertClosedGracefullyAfter(long nanos, TcpSocket... sockets) {
    net.run(nanos);
    for (TcpSocket s : sockets) assertClosed(s, ConnectionEnd.CLOSED_GRACEFULLY);
  }

  /** Linux: after a RST read() returns ECONNRESET once, then 0 (EOF). */
  private static void assertReadsEconnresetThenEof(TcpSocket s) {
    byte[] buf = new byte[16];
    assertThat(errorOf(() -> s.read(buf))).isEqualTo(SocketError.ECONNRESET);
    assertThat(s.read(buf)).isEqualTo(-1);
  }

  // ---------------------------------------------------------------------------------------------
  // Graceful closes

  @Test
  void clientClosesFirst_clientEndsInTimeWait_serverPassesLastAck() {
    connect();
    exchangeGreetings();

    w.mark();
    closeFirst(p.client(), p.server(), 100 * MS);
    // RFC 9293 §3.6 case 1: the peer ACKs the FIN (Linux: after the ~40 ms delayed-ACK timer)
    assertThat(p.client().state()).isEqualTo(TcpState.FIN_WAIT_2);
    assertThat(p.server().peerClosed()).isTrue();

    p.server().close();
    assertThat(p.server().state()).isEqualTo(TcpState.LAST_ACK);
    net.run(100 * MS);
    assertClosed(p.server(), ConnectionEnd.CLOSED_GRACEFULLY);
    assertThat(p.client().state()).isEqualTo(TcpState.TIME_WAIT);

    assertThat(w.client()).as(w.toString()).containsExactly("F. 6:6(0) ack 8", ". 7:7(0) ack 9");
    assertThat(w.server()).as(w.toString()).containsExactly(". 8:8(0) ack 7", "F. 8:8(0) ack 7");

    assertClosedGracefullyAfter(60 * SECOND, p.client());
    assertThat(net.client.connectionCount()).isZero();
    assertThat(net.server.connectionCount()).isZero();
  }

  @Test
  void serverClosesFirst_serverEndsInTimeWait_clientsAckRidesOnItsFin() {
    connect();
    exchangeGreetings();

    w.mark();
    closeFirst(p.server(), p.client(), 5 * MS);
    // Linux: the ACK of the FIN waits ~40 ms and rides on our FIN when the application closes quickly
    p.client().close();
    assertThat(p.client().state()).isEqualTo(TcpState.LAST_ACK);
    net.run(10 * MS);

    assertThat(p.server().state()).isEqualTo(TcpState.TIME_WAIT);
    assertClosed(p.client(), ConnectionEnd.CLOSED_GRACEFULLY);
    assertThat(w.server()).as(w.toString()).containsExactly("F. 8:8(0) ack 6", ". 9:9(0) ack 7");
    assertThat(w.client()).as(w.toString()).containsExactly("F. 6:6(0) ack 9");

    assertClosedGracefullyAfter(60 * SECOND, p.server());
  }

  @Test
  void simultaneousClose_finsCross_bothPassClosingIntoTimeWait() {
    connect();
    w.mark();

    // RFC 9293 §3.6 case 3 (Figure 13): both CLOSE at once
    p.client().close();
    p.server().close();
    net.run(5 * MS);
    assertThat(p.client().state()).isEqualTo(TcpState.CLOSING);
    assertThat(p.server().state()).isEqualTo(TcpState.CLOSING);
    net.run(5 * MS);
    assertThat(p.client().state()).isEqualTo(TcpState.TIME_WAIT);
    assertThat(p.server().state()).isEqualTo(TcpState.TIME_WAIT);

    assertThat(w.client()).as(w.toString()).containsExactly("F. 1:1(0) ack 1", ". 2:2(0) ack 2");
    assertThat(w.server()).as(w.toString()).containsExactly("F. 1:1(0) ack 1", ". 2:2(0) ack 2");
    assertThat(net.transitions)
        .filteredOn(t -> t == Transition.FIN_WAIT_1_TO_CLOSING)
        .hasSize(2);
    assertThat(net.transitions)
        .filteredOn(t -> t == Transition.CLOSING_TO_TIME_WAIT)
        .hasSize(2);

    assertClosedGracefullyAfter(60 * SECOND, p.client(), p.server());
  }

  @Test
  void halfClose_serverKeepsSending50000BytesAfterClientFin() {
    connect();
    w.mark();

    // RFC 9293 §3.6: CLOSE means "I have no more to send"; the other direction stays open
    p.client().shutdownOutput();
    net.run(100 * MS);
    assertThat(p.client().state()).isEqualTo(TcpState.FIN_WAIT_2);
    assertThat(p.server().state()).isEqualTo(TcpState.CLOSE_WAIT);
    assertThat(p.server().read(new byte[16])).isEqualTo(-1);
    // Linux: after shutdown(SHUT_WR) write() gives EPIPE
    assertThat(errorOf(() -> p.client().write(HELLO))).isEqualTo(SocketError.EPIPE);

    byte[] payload = TwoStacks.data(50_000, 11);
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    int off = 0;
    while (got.size() < payload.length) {
      if (off < payload.length) off += p.server().write(payload, off, payload.length - off);
      net.run(MS);
      got.writeBytes(readAvailable(p.client()));
      assertThat(net.clock.nanos()).as(w.toString()).isLessThan(1_100 * SECOND);
    }
    assertThat(got.toByteArray()).isEqualTo(payload);

    p.server().close();
    net.run(100 * MS);
    assertThat(p.client().read(new byte[16])).isEqualTo(-1);
    assertClosed(p.server(), ConnectionEnd.CLOSED_GRACEFULLY);
    assertThat(p.client().state()).isEqualTo(TcpState.TIME_WAIT);

    List<String> client = w.client();
    assertThat(client.get(0)).isEqualTo("F. 1:1(0) ack 1");
    assertThat(client.subList(1, client.size()))
        .as("after its FIN the client only ACKs: " + w)
        .allMatch(s -> s.startsWith(". 2:2(0) ack "))
        .last()
        .isEqualTo(". 2:2(0) ack 50002");
    List<String> server = w.server();
    assertThat(server.get(0)).isEqualTo(". 1:1(0) ack 2");
    assertThat(server.subList(1, server.size() - 1))
        .as("every data segment ACKs the client's FIN")
        .isNotEmpty()
        .allMatch(s -> s.endsWith(" ack 2") && !s.contains("F"));
    assertThat(server.get(server.size() - 1)).isEqualTo("F. 50001:50001(0) ack 2");

    assertClosedGracefullyAfter(60 * SECOND, p.client());
  }

  // ---------------------------------------------------------------------------------------------
  // TIME-WAIT

  static Stream<Arguments> timeWaitLengths() {
    return Stream.of(
        Arguments.of("linux", Profile.LINUX, 60 * SECOND), // Linux TCP_TIMEWAIT_LEN
        Arguments.of("rfc9293", Profile.RFC9293, 240 * SECOND), // RFC 9293 §3.4.2: MSL 2 minutes
        Arguments.of("linux, MSL 5 s", Profile.LINUX.withMsl(5 * SECOND), 10 * SECOND));
  }

  @ParameterizedTest(name = "{0}: TIME-WAIT lasts {2} ns")
  @MethodSource("timeWaitLengths")
  void timeWaitEndsExactlyAtTwoMsl(String label, Profile profile, long twoMsl) {
    connect(profile);
    AtomicLong timeWaitSince = entryTime(net.client, TcpState.TIME_WAIT);
    net.closeClientFirst(p);
    assertThat(profile.timeWaitNanos()).isEqualTo(twoMsl);

    // RFC 9293 §3.10.7.4 eighth / §3.4.2: TIME-WAIT lasts 2 MSL, not a millisecond less
    net.clock.advanceTo(timeWaitSince.get() + twoMsl - MS);
    assertThat(p.client().state()).isEqualTo(TcpState.TIME_WAIT);
    net.clock.advanceTo(timeWaitSince.get() + twoMsl);
    assertClosed(p.client(), ConnectionEnd.CLOSED_GRACEFULLY);
    assertThat(p.server().end()).isEqualTo(ConnectionEnd.CLOSED_GRACEFULLY);
    assertThat(net.client.connectionCount()).isZero();
  }

  @Test
  void timeWaitReAcksRetransmittedFinAndRestartsTwoMsl() {
    connect();
    AtomicLong timeWaitSince = entryTime(net.client, TcpState.TIME_WAIT);
    AtomicBoolean dropped = new AtomicBoolean();
    // Lose the client's ACK of the server's FIN, once
    net.link.setFault(Transfer.dropFrom(CLIENT_ADDR, (seg, i) ->
        seg.isAck() && !seg.isFin() && seg.ack() == w.serverSeq(2) && dropped.compareAndSet(false, true)));

    net.clientClosesAndServerReadsEof(p);
    w.mark();
    p.server().close();
    net.run(10 * MS);
    assertThat(p.client().state()).isEqualTo(TcpState.TIME_WAIT);
    assertThat(p.server().state()).isEqualTo(TcpState.LAST_ACK);
    long firstEntry = timeWaitSince.get();

    net.run(2 * SECOND); // the server's retransmission timer resends the FIN
    assertThat(w.server()).as(w.toString()).containsExactly("F. 1:1(0) ack 2", "F. 1:1(0) ack 2");
    // RFC 9293 §3.10.7.4 eighth: TIME-WAIT acknowledges the retransmitted FIN and restarts 2 MSL
    assertThat(w.client()).as(w.toString())
        .containsExactly(". 2:2(0) ack 2 [DROP]", ". 2:2(0) ack 2");
    assertClosed(p.server(), ConnectionEnd.CLOSED_GRACEFULLY);

    long reAckedAt = w.clientEvents().get(1).atNanos();
    net.clock.advanceTo(firstEntry + 60 * SECOND);
    assertThat(p.client().state()).as("2 MSL restarted by the retransmitted FIN")
        .isEqualTo(TcpState.TIME_WAIT);
    net.clock.advanceTo(reAckedAt + 60 * SECOND - MS);
    assertThat(p.client().state()).isEqualTo(TcpState.TIME_WAIT);
    net.clock.advanceTo(reAckedAt + 60 * SECOND);
    assertClosed(p.client(), ConnectionEnd.CLOSED_GRACEFULLY);
  }

  @Test
  void timeWaitReAcksEveryRetransmittedFinEvenBackToBack() {
    connect();
    // Every ACK of the server's FIN is lost: the server keeps retransmitting it
    net.link.setFault(Transfer.dropFrom(CLIENT_ADDR, (seg, i) -> seg.isAck() && seg.ack() == w.serverSeq(2)));
    net.clientClosesAndServerReadsEof(p);
    w.mark();
    p.server().close();
    net.run(3 * SECOND);

    List<String> fins = w.server();
    assertThat(fins).hasSizeGreaterThanOrEqualTo(3).allMatch(s -> s.equals("F. 1:1(0) ack 2"));
    long finsArrived =
        w.serverEvents().stream().filter(e -> e.atNanos() + 5 * MS <= net.clock.nanos()).count();
    // Linux: TIME-WAIT re-ACKs every retransmitted FIN
    assertThat(w.client()).as(w.toString())
        .hasSize((int) finsArrived)
        .allMatch(s -> s.equals(". 2:2(0) ack 2 [DROP]"));

    // ... even back to back
    Segment lastFin = w.serverEvents().get((int) finsArrived - 1).segment();
    w.mark();
    w.injectToClient(lastFin);
    w.injectToClient(lastFin);
    assertThat(w.client()).as(w.toString())
        .containsExactly(". 2:2(0) ack 2 [DROP]", ". 2:2(0) ack 2 [DROP]");
    assertThat(p.client().state()).isEqualTo(TcpState.TIME_WAIT);
    assertThat(p.server().state()).isEqualTo(TcpState.LAST_ACK);
    // TIME-WAIT: the application already knows its connection closed gracefully
    assertThat(p.client().end()).isEqualTo(ConnectionEnd.CLOSED_GRACEFULLY);
    assertThat(p.server().end()).isNull();
  }

  @Test
  void timeWaitGivesNoReplyToABareAck() {
    connect();
    net.closeClientFirst(p);

    w.mark();
    // Linux: in TIME-WAIT a bare ACK (SEQ = RCV.NXT) gets no reply
    w.injectToClient(w.ackFromServer(p.client(), 2, 2));
    net.run(10 * MS);
    assertThat(w.client()).as(w.toString()).isEmpty();
    assertThat(p.client().state()).isEqualTo(TcpState.TIME_WAIT);
    assertClosed(p.server(), ConnectionEnd.CLOSED_GRACEFULLY);
    assertClosedGracefullyAfter(60 * SECOND, p.client());
  }

  @Test
  void lastAckClosesOnlyOnTheAckOfOurFin() {
    connect();
    p.client().shutdownOutput();
    net.run(100 * MS);
    assertThat(p.server().read(new byte[1])).isEqualTo(-1);
    // From here the server hears only what the test injects
    net.link.setFault(Transfer.dropFrom(CLIENT_ADDR, (seg, i) -> true));

    w.mark();
    byte[] tail = TwoStacks.data(100, 3);
    assertThat(p.server().write(tail)).isEqualTo(100);
    p.server().close();
    assertThat(p.server().state()).isEqualTo(TcpState.LAST_ACK);
    net.run(10 * MS);
    assertThat(w.server()).as(w.toString()).containsExactly("P. 1:101(100) ack 2", "F. 101:101(0) ack 2");
    assertThat(readAvailable(p.client())).isEqualTo(tail);
    assertThat(p.client().read(new byte[1])).isEqualTo(-1);

    // RFC 9293 §3.10.7.4 fifth, LAST-ACK: "the only thing that can arrive is an ACK of our FIN"
    w.injectToServer(w.ackFromClient(p.server(), 2, 101));
    assertThat(p.server().state()).as("an ACK of the data alone").isEqualTo(TcpState.LAST_ACK);
    assertThat(p.server().end()).isNull();

    w.injectToServer(w.ackFromClient(p.server(), 2, 102));
    assertClosed(p.server(), ConnectionEnd.CLOSED_GRACEFULLY);

    assertClosedGracefullyAfter(61 * SECOND, p.client());
  }

  // ---------------------------------------------------------------------------------------------
  // close() that resets

  @EachProfile
  void closeWithUnreadDataSendsRst_peerReadsEconnresetThenEof(Profile profile) {
    connect(profile);
    leaveUnreadDataAtServer();

    w.mark();
    // RFC 1122 §4.2.2.13: CLOSE with data pending → RST; Linux: "R." seq = SND.NXT, ack = RCV.NXT
    p.server().close();
    assertOnlyAbortRst(w.server(), profile, 101);
    assertClosed(p.server(), ConnectionEnd.ABORTED_LOCALLY);

    net.run(50 * MS);
    assertClosed(p.client(), ConnectionEnd.RESET_BY_PEER);
    assertThat(w.client()).as("nothing answers a RST").isEmpty();
    assertReadsEconnresetThenEof(p.client());
    assertThat(p.client().read(new byte[16])).isEqualTo(-1);
  }

  @Test
  void afterPeerRst_firstWriteIsEconnresetThenEpipe() {
    connect();
    leaveUnreadDataAtServer();
    p.server().close(); // unread data: RST
    net.run(50 * MS);
    assertThat(p.client().end()).isEqualTo(ConnectionEnd.RESET_BY_PEER);
    // Linux: the first write() returns ECONNRESET, later writes EPIPE
    assertThat(errorOf(() -> p.client().write(HELLO))).isEqualTo(SocketError.ECONNRESET);
    assertThat(errorOf(() -> p.client().write(HELLO))).isEqualTo(SocketError.EPIPE);
    assertThat(errorOf(() -> p.client().write(HELLO))).isEqualTo(SocketError.EPIPE);
    assertThat(p.client().state()).isEqualTo(TcpState.CLOSED);
    assertClosed(p.server(), ConnectionEnd.ABORTED_LOCALLY);
  }

  @Test
  void closeWithOnlyThePeersFinUnreadIsGraceful() {
    connect();
    w.mark();
    clientClosesServerReadsNothing();

    // Linux: close with only the peer's FIN unread (no data) is a graceful FIN, not a RST
    p.server().close(); // never read
    net.run(10 * MS);
    // No data was ever received, so the ACK of the FIN went on the next tick, before close()
    assertThat(w.server()).as(w.toString()).containsExactly(". 1:1(0) ack 2", "F. 1:1(0) ack 2");
    assertThat(w.client()).as(w.toString()).containsExactly("F. 1:1(0) ack 1", ". 2:2(0) ack 2");
    assertClosed(p.server(), ConnectionEnd.CLOSED_GRACEFULLY);
    assertThat(p.client().state()).isEqualTo(TcpState.TIME_WAIT);
    assertClosedGracefullyAfter(60 * SECOND, p.client());
  }

  @Test
  void closeWithDataAndFinUnread_rstAcksTheDataAndTheFin() {
    connect();
    w.mark();
    p.client().write(TwoStacks.data(10, 9));
    clientClosesServerReadsNothing();

    // Linux: data that arrived with the FIN and was never read makes close() send RST acking both
    p.server().close();
    net.run(10 * MS);
    assertThat(w.client()).as(w.toString()).containsExactly("P. 1:11(10) ack 1", "F. 11:11(0) ack 1");
    assertThat(w.server()).as(w.toString()).containsExactly(". 1:1(0) ack 11", "R. 1:1(0) ack 12");
    assertClosed(p.server(), ConnectionEnd.ABORTED_LOCALLY);
    assertClosed(p.client(), ConnectionEnd.RESET_BY_PEER);
  }

  @Test
  void lingerZeroCloseSendsRstAndDiscardsQueuedData() {
    connect();
    w.mark();
    byte[] payload = TwoStacks.data(200_000, 13);

    p.client().setLingerZero(true);
    assertThat(p.client().write(payload)).isEqualTo(payload.length);
    // SO_LINGER {1, 0}: close() aborts; what the window held back never leaves
    p.client().close();
    assertClosed(p.client(), ConnectionEnd.ABORTED_LOCALLY);

    List<Segment> sent = w.clientEvents().stream().map(InMemoryLink.WireEvent::segment).toList();
    int rstAt = indexOfFirstRst(sent);
    assertThat(rstAt).as(w.toString()).isPositive();
    int bytesSent = sent.subList(0, rstAt).stream().mapToInt(Segment::payloadLength).sum();
    assertThat(bytesSent).isPositive().isLessThan(payload.length);
    // Linux: "R." with seq = SND.NXT, ack = RCV.NXT
    assertThat(w.client().get(rstAt)).isEqualTo("R. " + (1 + bytesSent) + ":" + (1 + bytesSent) + "(0) ack 1");
    assertThat(sent.subList(rstAt, sent.size())).as("no data after the RST")
        .allMatch(s -> s.payloadLength() == 0);

    net.run(100 * MS);
    byte[] got = readAvailable(p.server());
    assertThat(got.length).as("the peer reads fewer bytes than were written").isEqualTo(bytesSent);
    assertThat(got).isEqualTo(java.util.Arrays.copyOf(payload, bytesSent));
    assertThat(errorOf(() -> p.server().read(new byte[16]))).isEqualTo(SocketError.ECONNRESET);
    assertClosed(p.server(), ConnectionEnd.RESET_BY_PEER);
  }

  private static int indexOfFirstRst(List<Segment> segments) {
    for (int i = 0; i < segments.size(); i++) {
      if (segments.get(i).isRst()) return i;
    }
    return -1;
  }

  @EachProfile
  void abortSendsRstAtOnce(Profile profile) {
    connect(profile);
    w.mark();

    // RFC 9293 §3.10.5: <SEQ=SND.NXT><CTL=RST>; Linux adds ACK = RCV.NXT
    p.client().abort();
    assertOnlyAbortRst(w.client(), profile, 1);
    assertClosed(p.client(), ConnectionEnd.ABORTED_LOCALLY);

    net.run(50 * MS);
    assertThat(w.server()).as(w.toString()).isEmpty();
    assertClosed(p.server(), ConnectionEnd.RESET_BY_PEER);
    assertReadsEconnresetThenEof(p.server());
  }

  // ---------------------------------------------------------------------------------------------
  // Refused connections and data after close()

  @Test
  void connectToPortWithoutListenerIsRefused() {
    net = new TwoStacks();
    TcpSocket reader = net.client.connect(SERVER_ADDR, 81);
    net.run(50 * MS);
    TcpSocket writer = net.client.connect(SERVER_ADDR, 81);
    net.run(50 * MS);

    List<Segment> syns = net.clientSent();
    List<Segment> rsts = net.serverSent();
    assertThat(syns).hasSize(2).allMatch(s -> s.flags() == TcpFlags.SYN);
    assertThat(rsts).hasSize(2);
    for (int i = 0; i < 2; i++) {
      // RFC 9293 §3.10.7.1 / Linux: a SYN to a closed port gets "R." seq 0, ack ISS+1
      Segment rst = rsts.get(i);
      assertThat(rst.flags()).as(rst.toString()).isEqualTo(TcpFlags.RST | TcpFlags.ACK);
      assertThat(rst.seq()).isZero();
      assertThat(rst.ack()).isEqualTo(syns.get(i).seq() + 1);
    }
    for (TcpSocket s : List.of(reader, writer)) assertClosed(s, ConnectionEnd.REFUSED);
    // Linux: connect() fails with ECONNREFUSED
    assertThat(errorOf(() -> reader.read(new byte[16]))).isEqualTo(SocketError.ECONNREFUSED);
    assertThat(errorOf(() -> writer.write(HELLO))).isEqualTo(SocketError.ECONNREFUSED);

    // Linux: no SYN retry after RST,ACK
    net.run(10 * SECOND);
    assertThat(net.clientSent()).hasSize(2);
    assertThat(net.client.connectionCount()).isZero();
  }

  @EachProfile
  void dataArrivingAfterCloseDrawsRst(Profile profile) {
    connect(profile);
    clientClosesIntoFinWait2();

    w.mark();
    p.server().write(TwoStacks.data(100, 17));
    net.run(10 * MS);
    // RFC 1122 §4.2.2.13: new data after CLOSE → RST. Linux (FIN-WAIT-2 of a closed socket is a
    // time-wait sock that refuses the data): a bare "R" with seq = SEG.ACK, as for no connection.
    assertThat(w.server()).as(w.toString()).containsExactly("P. 1:101(100) ack 2");
    assertThat(w.client()).as(w.toString()).containsExactly("R 2:2(0)");
    assertClosed(p.client(), ConnectionEnd.ABORTED_LOCALLY);
    assertClosed(p.server(), ConnectionEnd.RESET_BY_PEER);
    // Linux: in CLOSE-WAIT after a RST read() returns 0 (EOF) and write() EPIPE; close() sends nothing
    assertThat(p.server().read(new byte[16])).isEqualTo(-1);
    assertThat(errorOf(() -> p.server().write(HELLO))).isEqualTo(SocketError.EPIPE);
    p.server().close();
    net.run(10 * MS);
    assertThat(w.server()).hasSize(1);
  }
}
