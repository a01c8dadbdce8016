package dev.tcplab.core.tcp;

import static dev.tcplab.core.tcp.TwoStacks.CLIENT_ADDR;
import static dev.tcplab.core.tcp.TwoStacks.MS;
import static dev.tcplab.core.tcp.TwoStacks.SECOND;
import static dev.tcplab.core.tcp.TwoStacks.SERVER_ADDR;
import static dev.tcplab.core.tcp.WireView.assertClosed;
import static dev.tcplab.core.tcp.WireView.bareToward;
import static dev.tcplab.core.tcp.WireView.errorOf;
import static dev.tcplab.core.tcp.WireView.readAvailable;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tcplab.core.link.InMemoryLink;
import dev.tcplab.core.wire.Segment;
import dev.tcplab.core.wire.TcpFlags;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Resets and the RFC 5961 defences against blind attacks: an acceptable RST ends the connection in every
 * synchronized state (RFC 9293 §3.10.7.4 second), one that is merely in the window draws a challenge ACK
 * (RFC 5961 §3), a SYN in a synchronized state draws one too (§4), and ACKs outside
 * [SND.UNA - MAX.SND.WND, SND.NXT] are refused (§5). Segments to no connection are answered per RFC 9293
 * §3.10.7.1. The client is the victim throughout; the test plays the attacker by injecting segments.
 */
class ResetAndRfc5961Test extends OneConnectionScenario {
  private static final byte[] EVIL = "INJECTED!!".getBytes(StandardCharsets.US_ASCII);

  /** The server's pure ACK of the client's FIN (client seq 1) is lost. */
  private InMemoryLink.Fault serverAckOfClientFinLost() {
    return Transfer.dropFrom(SERVER_ADDR, (seg, i) ->
        seg.isAck() && !seg.isFin() && seg.ack() == w.clientSeq(2));
  }

  /** Connects and drives the client's side into {@code state}; returns the client's RCV.NXT (relative). */
  private int connectWithClientIn(TcpState state) {
    connect();
    switch (state) {
      case ESTABLISHED -> {}
      case FIN_WAIT_1 -> {
        net.link.setFault(Transfer.dropFrom(CLIENT_ADDR, (seg, i) -> seg.isFin()));
        p.client().close();
        net.run(10 * MS);
      }
      case FIN_WAIT_2 -> clientClosesIntoFinWait2();
      case CLOSE_WAIT -> {
        p.server().close();
        net.run(100 * MS);
      }
      case CLOSING -> {
        net.link.setFault(serverAckOfClientFinLost());
        p.client().close();
        p.server().close();
        net.run(20 * MS);
      }
      case LAST_ACK -> {
        net.link.setFault(serverAckOfClientFinLost());
        p.server().close();
        net.run(10 * MS);
        p.client().close();
        net.run(20 * MS);
      }
      case TIME_WAIT -> {
        p.client().close();
        net.run(100 * MS);
        p.server().close();
        net.run(20 * MS);
      }
      default -> throw new IllegalArgumentException(state.toString());
    }
    assertThat(p.client().state()).as(net.wire()).isEqualTo(state);
    // in the states that have received the server's FIN, RCV.NXT is past it
    return switch (state) {
      case CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT -> 2;
      default -> 1;
    };
  }

  /** Data (EVIL) that looks like the server's next segment but for its SEQ and ACK (relative). */
  private Segment blindData(long seqRel, long ackRel) {
    return w.fromServer(p.client())
        .seq(w.serverSeq(seqRel))
        .ack(w.clientSeq(ackRel))
        .flags(TcpFlags.ACK | TcpFlags.PSH)
        .payload(EVIL)
        .build();
  }

  /**
   * The attack did no harm: the client is ESTABLISHED and has not ended, delivered none of the injected
   * bytes, and the connection still works both ways with only the real bytes in the stream.
   */
  private void assertClientUnharmed() {
    assertThat(p.client().available()).as("injected bytes delivered").isZero();
    assertThat(p.client().state()).isEqualTo(TcpState.ESTABLISHED);
    assertThat(p.client().end()).isNull();
    byte[] up = "ping".getBytes(StandardCharsets.US_ASCII);
    byte[] down = "pong".getBytes(StandardCharsets.US_ASCII);
    p.client().write(up);
    p.server().write(down);
    net.run(100 * MS);
    assertThat(readAvailable(p.server())).isEqualTo(up);
    assertThat(readAvailable(p.client())).isEqualTo(down);
  }

  /** RFC 5961 §3.2: a challenge ACK (SEQ = SND.NXT after the FIN) and FIN-WAIT-2 goes on. */
  private void assertChallengeAckedInFinWait2() {
    assertThat(w.client()).as(w.toString()).containsExactly(". 2:2(0) ack 1");
    assertThat(p.client().state()).isEqualTo(TcpState.FIN_WAIT_2);
    assertThat(p.client().end()).isNull();
  }

  // ---------------------------------------------------------------------------------------------
  // RST with SEQ = RCV.NXT

  @ParameterizedTest(name = "RST in {0}")
  @EnumSource(
      value = TcpState.class,
      names = {"ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT"})
  void rstWithSeqEqualToRcvNxtClosesEverySynchronizedState(TcpState state) {
    int rcvNxt = connectWithClientIn(state);
    List<ConnectionEnd> told = new ArrayList<>();
    p.client().setListener(
        new SocketListener() {
          @Override
          public void closed(TcpSocket socket, ConnectionEnd how) {
            told.add(how);
          }
        });
    boolean timeWait = state == TcpState.TIME_WAIT;
    w.mark();

    // RFC 9293 §3.10.7.4 second / RFC 5961 §3.2: SEQ exactly RCV.NXT → reset, CLOSED
    w.injectToClient(w.rstFromServer(p.client(), rcvNxt));
    assertThat(p.client().state()).isEqualTo(TcpState.CLOSED);
    net.run(MS);
    assertThat(w.client()).as("nothing answers an acceptable RST").isEmpty();
    assertThat(net.client.connectionCount()).isZero();
    // A TIME-WAIT connection had already ended gracefully (ConnectionEnd: "or TIME-WAIT entered");
    // the RST only cuts the 2 MSL short (tcp_rfc1337 = 0).
    ConnectionEnd expected = timeWait ? ConnectionEnd.CLOSED_GRACEFULLY : ConnectionEnd.RESET_BY_PEER;
    assertThat(p.client().end()).isEqualTo(expected);
    if (!timeWait) assertThat(told).containsExactly(expected);
    byte[] buf = new byte[16];
    switch (state) {
      case ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2 -> {
        if (state == TcpState.ESTABLISHED) {
          // Linux: read() returns ECONNRESET once, then 0
          assertThat(errorOf(() -> p.client().read(buf))).isEqualTo(SocketError.ECONNRESET);
        }
      }
      case CLOSE_WAIT -> {
        // Linux: in CLOSE-WAIT after a RST read() returns 0 and write() EPIPE; close() sends nothing
        assertThat(p.client().read(buf)).isEqualTo(-1);
        assertThat(errorOf(() -> p.client().write(EVIL))).isEqualTo(SocketError.EPIPE);
        p.client().close();
        assertThat(w.client()).isEmpty();
      }
      default -> {}
    }
  }

  // ---------------------------------------------------------------------------------------------
  // SYN-SENT

  @Test
  void rstInSynSent_withoutAckIgnored_withAcceptableAckRefuses() {
    net = new TwoStacks();
    net.link.setFault(Transfer.dropFrom(CLIENT_ADDR, (seg, i) -> true)); // the SYN never arrives
    TcpSocket c = net.client.connect(SERVER_ADDR, 80);
    int iss = net.clientSent().get(0).seq();
    int sent = net.clientSent().size();

    // RFC 9293 §3.10.7.3 second: a RST without ACK in SYN-SENT is dropped (Linux: ignored)
    net.client.receive(SERVER_ADDR, CLIENT_ADDR, bareToward(c).seq(0).flags(TcpFlags.RST).build());
    net.client.receive(SERVER_ADDR, CLIENT_ADDR, bareToward(c).seq(12345).flags(TcpFlags.RST).build());
    assertThat(c.state()).isEqualTo(TcpState.SYN_SENT);
    assertThat(c.end()).isNull();
    // §3.10.7.3 first: an unacceptable ACK on a RST: drop the segment, no RST in reply
    net.client.receive(
        SERVER_ADDR, CLIENT_ADDR,
        bareToward(c).seq(0).ack(iss + 1000).flags(TcpFlags.RST | TcpFlags.ACK).build());
    assertThat(c.state()).isEqualTo(TcpState.SYN_SENT);
    assertThat(net.clientSent()).hasSize(sent);

    // §3.10.7.3 second: RST with an acceptable ACK → "error: connection reset", CLOSED (ECONNREFUSED)
    net.client.receive(
        SERVER_ADDR, CLIENT_ADDR,
        bareToward(c).seq(0).ack(iss + 1).flags(TcpFlags.RST | TcpFlags.ACK).build());
    assertClosed(c, ConnectionEnd.REFUSED);
    assertThat(errorOf(() -> c.read(new byte[1]))).isEqualTo(SocketError.ECONNREFUSED);
    // Linux: no SYN retry after RST.ACK
    net.run(10 * SECOND);
    assertThat(net.clientSent()).hasSize(sent);
  }

  // ---------------------------------------------------------------------------------------------
  // RFC 5961 §3: blind RST

  @EachProfile
  void inWindowRstWithInexactSeqDrawsChallengeAck(Profile profile) {
    connect(profile);
    w.mark();

    // RFC 5961 §3.2: in the window but not RCV.NXT → <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, drop
    w.injectToClient(w.rstFromServer(p.client(), 1 + 100));
    assertThat(w.client()).as(w.toString()).containsExactly(". 1:1(0) ack 1");
    net.run(50 * MS);
    assertThat(p.server().state()).isEqualTo(TcpState.ESTABLISHED);
    assertThat(p.server().end()).isNull();
    assertClientUnharmed();
  }

  @Test
  void outOfWindowRstIsSilentlyDropped() {
    connect();
    w.mark();

    // RFC 5961 §3.2 / RFC 9293 §3.10.7.4 first: an unacceptable RST is dropped without reply
    for (long rel : new long[] {0, 1 + 1_000_000, 1L + (1L << 31) - 1}) {
      w.injectToClient(w.rstFromServer(p.client(), rel));
    }
    net.run(50 * MS);
    assertThat(w.client()).as(w.toString()).isEmpty();
    assertClientUnharmed();
  }

  @Test
  void challengeAcksAreRateLimitedToOnePer500Ms() {
    connect();
    w.mark();
    Segment blindRst = w.rstFromServer(p.client(), 1 + 100);

    // Linux tcp_invalid_ratelimit: at most one challenge ACK per 500 ms per socket
    w.injectToClient(blindRst);
    assertThat(w.client()).hasSize(1);
    net.run(100 * MS);
    w.injectToClient(blindRst);
    assertThat(w.client()).as("100 ms after the first").hasSize(1);
    net.run(500 * MS);
    w.injectToClient(blindRst);
    assertThat(w.client()).as("600 ms after the first").containsExactly(". 1:1(0) ack 1", ". 1:1(0) ack 1");
    assertThat(w.clientEvents().get(1).atNanos() - w.clientEvents().get(0).atNanos())
        .isEqualTo(600 * MS);
    assertThat(p.client().state()).isEqualTo(TcpState.ESTABLISHED);
    assertThat(p.client().end()).isNull();
  }

  @EachProfile
  void inexactInWindowRstInFinWait2AfterClose(Profile profile) {
    connect(profile);
    clientClosesIntoFinWait2();
    w.mark();

    w.injectToClient(w.rstFromServer(p.client(), 1 + 100));
    if (profile == Profile.LINUX) {
      // Linux: after close() FIN-WAIT-2 is a time-wait sock: any in-window RST kills it, no challenge ACK
      assertThat(w.client()).as(w.toString()).isEmpty();
      assertClosed(p.client(), ConnectionEnd.RESET_BY_PEER);
    } else {
      // RFC 5961 §3.2 applies in every synchronized state
      assertChallengeAckedInFinWait2();
    }
    assertThat(p.server().state()).isEqualTo(TcpState.CLOSE_WAIT);
  }

  @Test
  void inexactInWindowRstInHalfClosedFinWait2DrawsChallengeAckOnLinux() {
    connect();
    p.client().shutdownOutput(); // still a full socket: RFC 5961 applies
    net.run(100 * MS);
    w.mark();

    w.injectToClient(w.rstFromServer(p.client(), 1 + 100));
    assertChallengeAckedInFinWait2();
    assertThat(p.server().state()).isEqualTo(TcpState.CLOSE_WAIT);
  }

  // ---------------------------------------------------------------------------------------------
  // RFC 5961 §4: blind SYN

  @Test
  void synInEstablishedDrawsChallengeAckAndChangesNothing() {
    connect();
    w.mark();
    List<Transition> before = List.copyOf(net.transitions);

    // RFC 5961 §4.2: a SYN in a synchronized state, whatever its SEQ, draws a challenge ACK
    w.injectToClient(
        bareToward(p.client()).seq(w.serverSeq(1 + 10)).window(65535).flags(TcpFlags.SYN).build());
    assertThat(w.client()).as(w.toString()).containsExactly(". 1:1(0) ack 1");
    net.run(50 * MS);
    assertThat(net.transitions).isEqualTo(before);
    assertThat(p.server().state()).isEqualTo(TcpState.ESTABLISHED);
    assertThat(p.server().end()).isNull();
    assertClientUnharmed();
  }

  // ---------------------------------------------------------------------------------------------
  // RFC 5961 §5: blind data injection

  static Stream<Arguments> unacceptableAcks() {
    return Stream.of(
        // RFC 5961 §5.2 / RFC 9293 §3.10.7.4 fifth: SEG.ACK > SND.NXT → send an ACK, drop the segment
        Arguments.of("ACK of data not yet sent", 1 + 1000L),
        // RFC 5961 §5.2: SEG.ACK < SND.UNA - MAX.SND.WND → discard, challenge ACK
        Arguments.of("ACK far below SND.UNA - MAX.SND.WND", 1 - (1L << 30)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unacceptableAcks")
  void dataWithAnUnacceptableAckIsAnsweredWithAnAckAndDropped(String label, long ackRel) {
    connect();
    w.mark();

    w.injectToClient(blindData(1, ackRel));
    assertThat(w.client()).as(w.toString()).containsExactly(". 1:1(0) ack 1");
    assertClientUnharmed();
  }

  @Test
  void blindDataWithOutOfWindowSeqIsNotDelivered() {
    connect();
    w.mark();

    // RFC 9293 §3.10.7.4 first: unacceptable segment → ACK in reply, text not delivered
    for (long rel : new long[] {1 + 1_000_000, 1 - (1L << 30)}) {
      w.injectToClient(blindData(rel, 1));
    }
    assertThat(w.client()).as(w.toString()).containsExactly(". 1:1(0) ack 1", ". 1:1(0) ack 1");
    assertClientUnharmed();
  }

  // ---------------------------------------------------------------------------------------------
  // Segments to no connection (RFC 9293 §3.10.7.1)

  @Test
  void segmentsToAClosedPortAreAnsweredByRst() {
    net = new TwoStacks();
    Supplier<Segment.Builder> toClosedPort =
        () -> Segment.builder().srcPort(40000).dstPort(9999).window(1000);

    // An ACK-bearing segment: <SEQ=SEG.ACK><CTL=RST> (Linux: bare "R", seq = SEG.ACK)
    net.server.receive(CLIENT_ADDR, SERVER_ADDR, toClosedPort.get().seq(1000).ack(5000).flags(TcpFlags.ACK).build());
    net.server.receive(
        CLIENT_ADDR, SERVER_ADDR,
        toClosedPort.get().seq(1000).ack(7000).flags(TcpFlags.ACK | TcpFlags.FIN).payload(EVIL).build());
    // No ACK: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> (Linux: a SYN gets "R." seq 0, ack SEG.SEQ+1)
    net.server.receive(CLIENT_ADDR, SERVER_ADDR, toClosedPort.get().seq(1000).ack(0).flags(TcpFlags.SYN).build());
    net.server.receive(
        CLIENT_ADDR, SERVER_ADDR,
        toClosedPort.get().seq(2000).ack(0).flags(TcpFlags.FIN | TcpFlags.PSH).payload(EVIL).build());
    // A RST draws nothing
    net.server.receive(CLIENT_ADDR, SERVER_ADDR, toClosedPort.get().seq(3000).ack(0).flags(TcpFlags.RST).build());
    net.server.receive(
        CLIENT_ADDR, SERVER_ADDR,
        toClosedPort.get().seq(3000).ack(9000).flags(TcpFlags.RST | TcpFlags.ACK).build());
    net.run(50 * MS);

    List<String> replies = net.serverSent().stream().map(Segment::toString).toList();
    assertThat(replies)
        .as(net.wire())
        .containsExactly(
            "9999 > 40000 R seq 5000:5000(0) win 0",
            "9999 > 40000 R seq 7000:7000(0) win 0",
            "9999 > 40000 R. seq 0:0(0) ack 1001 win 0",
            "9999 > 40000 R. seq 0:0(0) ack 2011 win 0");
    // ... and the client's stack, which has no connection on port 40000 either, answers none of them
    assertThat(net.clientSent()).isEmpty();
    assertThat(net.server.connectionCount()).isZero();
    assertThat(net.client.connectionCount()).isZero();
  }
}
