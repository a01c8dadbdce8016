package dev.tcplab.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcplab.core.tcp.ConnectionEnd;
import dev.tcplab.core.wire.SeqNum;
import dev.tcplab.core.wire.TcpFlags;
import dev.tcplab.sim.Host;
import dev.tcplab.sim.Link;
import dev.tcplab.sim.LinkConfig;
import dev.tcplab.sim.LossModel;
import dev.tcplab.sim.Middlebox;
import dev.tcplab.sim.Network;
import dev.tcplab.sim.Topology;
import dev.tcplab.sim.trace.TraceEvent;
import dev.tcplab.sim.trace.TraceEvent.Kind;
import dev.tcplab.tls.scenario.ServerEnding;
import dev.tcplab.tls.scenario.TlsTransfer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * IBM APAR PH01192 as a matrix: TLS 1.2 and 1.3, both RST policies, four moments of the abort. A server
 * that follows its close_notify with an immediate RST truncates what is still in flight or queued; the
 * fix holds the RST until everything, close_notify included, has been acknowledged.
 */
@Timeout(60)
class Ph01192MatrixTest {
  private static final long MS = 1_000_000L;
  private static final long S = 1_000 * MS;
  private static final String CLIENT = Topology.CLIENT;
  private static final String SERVER = Topology.SERVER;
  private static final LinkConfig CLEAN = LinkConfig.builder().delay(10 * MS).bandwidth(10_000_000L).build();
  private static final LinkConfig LOSSY =
      CLEAN.toBuilder().loss(new LossModel.Bernoulli(0.02)).reordering(0.05, 3 * MS).build();
  private static final Pattern DEFERRED = Pattern.compile(
      "RST deferred: TLS half closing \\(close_notify sent\\), connection in (\\S+), (\\d+) bytes"
          + " unacknowledged");
  private static final String RELEASED = "all data acknowledged, close_notify included: deferred RST sent";

  /** When, relative to the data, the server aborts. */
  enum Timing {
    /** (a) close_notify, then abort() at once: the PH01192 pattern. */
    AFTER_CLOSE_NOTIFY(ServerEnding.ABORT_AFTER_CLOSE_NOTIFY, CLEAN, 540_000, 150_000, 1),
    /** (b) close_notify, abort() once the client's close_notify is in: all was delivered. */
    AFTER_PEER_CLOSE_NOTIFY(ServerEnding.ABORT_AFTER_PEER_CLOSE_NOTIFY, CLEAN, 540_000, 150_000, 1),
    /** (c) as (a), on a link with 2 % loss and 5 % reordering, several seeds. */
    LOSS_AND_REORDERING(ServerEnding.ABORT_AFTER_CLOSE_NOTIFY, LOSSY, 540_000, 150_000, 4),
    /**
     * (d) as (a), the client offering 8 KB: when the server aborts, most of the response is still in
     * its TCP send queue, and what exceeds the 256 KiB send buffer still in the TLS connection.
     */
    SMALL_RECEIVE_WINDOW(ServerEnding.ABORT_AFTER_CLOSE_NOTIFY, CLEAN, 8_192, 400_000, 1);

    final ServerEnding ending;
    final LinkConfig link;
    final int clientReceiveBuffer;
    final int responseBytes;
    final int seeds;

    Timing(ServerEnding ending, LinkConfig link, int rcvbuf, int responseBytes, int seeds) {
      this.ending = ending;
      this.link = link;
      this.clientReceiveBuffer = rcvbuf;
      this.responseBytes = responseBytes;
      this.seeds = seeds;
    }

    List<TlsTransfer> transfers(TlsVersion v, RstPolicy p) {
      List<TlsTransfer> l = new ArrayList<>();
      for (long seed = 1; seed <= seeds; seed++) {
        l.add(new TlsTransfer(seed, link, v, p, ending, responseBytes, clientReceiveBuffer, 600 * S));
      }
      return l;
    }
  }

  static Stream<Arguments> versionsAndTimings() {
    List<Arguments> l = new ArrayList<>();
    for (TlsVersion v : TlsVersion.values()) {
      for (Timing t : Timing.values()) l.add(Arguments.of(v, t));
    }
    return l.stream();
  }

  static Stream<Arguments> versionsAndPolicies() {
    List<Arguments> l = new ArrayList<>();
    for (TlsVersion v : TlsVersion.values()) {
      for (RstPolicy p : RstPolicy.values()) l.add(Arguments.of(v, p));
    }
    return l.stream();
  }

  // ---------------------------------------------------------------------------------------------
  // IMMEDIATE

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("versionsAndTimings")
  void immediateRstDiscardsWhatWasNotYetDelivered(TlsVersion v, Timing timing) {
    // Rule: IMMEDIATE sends the RST at abort() and discards the queues: the client loses whatever had not reached it, except when everything already had (b).
    for (TlsTransfer t : timing.transfers(v, RstPolicy.IMMEDIATE)) {
      TlsTransfer.Result r = t.run();
      TlsTrace trace = new TlsTrace(r.network());
      String why = r.outcome() + "\n" + trace.summary();
      assertThat(r.finished()).as(why).isTrue();
      TraceEvent decision = trace.stack(SERVER, "RST now (policy IMMEDIATE)");
      TraceEvent rst = trace.firstRst(SERVER).orElseThrow();
      assertThat(rst.timeNanos()).as("the RST leaves at abort()").isEqualTo(decision.timeNanos());
      assertThat(trace.before(decision, rst)).isTrue();
      assertThat(rst.segment().flags()).as(why).isEqualTo(TcpFlags.RST | TcpFlags.ACK);
      assertThat(trace.find(Kind.STACK, SERVER, "RST deferred")).isEmpty();
      assertThat(r.server().end()).isEqualTo(ConnectionEnd.ABORTED_LOCALLY);
      assertThat(r.client().end()).as(why).isEqualTo(ConnectionEnd.RESET_BY_PEER);

      if (timing == Timing.AFTER_PEER_CLOSE_NOTIFY) {
        // Everything, close_notify included, had been acknowledged: the RST costs nothing.
        assertThat(decision.text()).as(why).endsWith(", 0 bytes unacknowledged are discarded");
        assertThat(r.clientReadEverything()).as(why).isTrue();
        assertThat(r.client().tls().closeNotifyReceived()).isTrue();
        assertThat(r.client().tls().truncation()).isNull();
        assertThat(rst.segment().seq()).isEqualTo(trace.dataEnd(SERVER));
        continue;
      }
      long lost = TlsTrace.tlsBytes(v, t.responseBytes(), true);
      if (timing != Timing.LOSS_AND_REORDERING) {
        assertThat(decision.text()).as(why)
            .isEqualTo("RST now (policy IMMEDIATE): connection in ESTABLISHED, " + lost
                + " bytes unacknowledged are discarded");
      }
      assertThat(r.client().bytesRead()).as(why).isLessThan(r.server().bytesWritten());
      assertThat(r.clientReadEverything()).isFalse();
      assertThat(r.client().tls().closeNotifyReceived()).as(why).isFalse();
      assertThat(r.client().tls().truncation()).isEqualTo("RST before close_notify");
      // Lost exactly where it should be: nothing of the response left after the RST, and the client
      // read no more than what had left before it.
      assertThat(trace.dataSent(SERVER)).allMatch(e -> trace.before(e, rst));
      int responseStart = trace.firstDataSeqFrom(SERVER, decision.timeNanos());
      assertThat(r.client().bytesRead())
          .isLessThanOrEqualTo(SeqNum.diff(rst.segment().seq(), responseStart));
      assertThat(SeqNum.diff(rst.segment().seq(), responseStart)).isLessThan((int) lost);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // DEFER_UNTIL_DELIVERED

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("versionsAndTimings")
  void deferredRstNeverLosesAByteAndStillEndsWithARst(TlsVersion v, Timing timing) {
    // Rule: DEFER_UNTIL_DELIVERED holds the RST until every byte and the close_notify are acknowledged, then sends it.
    for (TlsTransfer t : timing.transfers(v, RstPolicy.DEFER_UNTIL_DELIVERED)) {
      TlsTransfer.Result r = t.run();
      TlsTrace trace = new TlsTrace(r.network());
      String why = r.outcome() + "\n" + trace.summary();
      assertThat(r.finished()).as(why).isTrue();
      assertThat(r.clientReadEverything()).as(why).isTrue(); // byte count and CRC-32
      assertThat(r.client().bytesRead()).isEqualTo(t.responseBytes());
      assertThat(r.client().tls().closeNotifyReceived()).as(why).isTrue();
      assertThat(r.client().tls().truncation()).isNull();

      // The decision, with its reason and the count of bytes still unacknowledged.
      TraceEvent decision = trace.stack(SERVER, "RST deferred");
      Matcher m = DEFERRED.matcher(decision.text());
      assertThat(m.matches()).as(decision.text()).isTrue();
      long unacked = Long.parseLong(m.group(2));
      if (timing == Timing.AFTER_PEER_CLOSE_NOTIFY) {
        assertThat(unacked).isZero();
      } else if (timing != Timing.LOSS_AND_REORDERING) {
        assertThat(m.group(1)).isEqualTo("ESTABLISHED");
        assertThat(unacked).isEqualTo(TlsTrace.tlsBytes(v, t.responseBytes(), true));
      } else {
        assertThat(unacked).isPositive();
      }

      // The release: once everything is acknowledged, and no sooner.
      TraceEvent release = trace.stack(SERVER, RELEASED);
      assertThat(trace.before(decision, release)).isTrue();
      assertThat(trace.find(Kind.STACK, SERVER, "RST hold expired")).isEmpty();
      TraceEvent rst = trace.firstRst(SERVER).orElseThrow(() -> new AssertionError(why));
      assertThat(rst.timeNanos()).isEqualTo(release.timeNanos());
      assertThat(trace.before(release, rst)).isTrue();
      int end = trace.dataEnd(SERVER);
      assertThat(rst.segment().seq()).as("the RST comes after all data").isEqualTo(end);
      assertThat(trace.dataSent(SERVER)).allMatch(e -> trace.before(e, rst));
      TraceEvent lastAck = trace.firstAckAtLeast(SERVER, end).orElseThrow();
      assertThat(trace.before(lastAck, rst)).as("all data acknowledged before the RST").isTrue();

      // The connection still ends with a RST, as the application asked.
      assertThat(r.server().end()).isEqualTo(ConnectionEnd.ABORTED_LOCALLY);
      assertThat(rst.segment().flags()).isEqualTo(TcpFlags.RST | TcpFlags.ACK);
      assertThat(r.client().end()).as(why).isEqualTo(ConnectionEnd.RESET_BY_PEER);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // a real abort

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("versionsAndPolicies")
  void abortWhileEstablishedWithoutCloseNotifyResetsAtOnceUnderBothPolicies(
      TlsVersion v, RstPolicy policy) {
    // Rule: an abort while ESTABLISHED with no close begun is a real abort: RST now, whatever the policy.
    TlsTransfer t = new TlsTransfer(1, CLEAN, v, policy, ServerEnding.ABORT_WHILE_ESTABLISHED,
        150_000, 540_000, 600 * S);
    TlsTransfer.Result r = t.run();
    TlsTrace trace = new TlsTrace(r.network());
    String why = r.outcome() + "\n" + trace.summary();
    assertThat(r.finished()).isTrue();
    TraceEvent abort = trace.app(SERVER, "then abort()");
    TraceEvent decision = trace.stack(SERVER, "RST now");
    assertThat(decision.text()).as(why).isEqualTo(policy == RstPolicy.IMMEDIATE
        ? "RST now (policy IMMEDIATE): connection in ESTABLISHED, "
            + TlsTrace.tlsBytes(v, 75_000, false) + " bytes unacknowledged are discarded"
        : "RST now: connection ESTABLISHED and no close begun (policy DEFER_UNTIL_DELIVERED)");
    assertThat(trace.find(Kind.STACK, SERVER, "RST deferred")).isEmpty();
    TraceEvent rst = trace.firstRst(SERVER).orElseThrow();
    assertThat(rst.timeNanos()).isEqualTo(abort.timeNanos()).isEqualTo(decision.timeNanos());
    assertThat(r.server().end()).isEqualTo(ConnectionEnd.ABORTED_LOCALLY);
    assertThat(r.client().end()).isEqualTo(ConnectionEnd.RESET_BY_PEER);
    assertThat(r.client().bytesRead()).isLessThan(r.server().bytesWritten());
    assertThat(r.client().tls().closeNotifyReceived()).isFalse();
    assertThat(r.client().tls().truncation()).isEqualTo("RST before close_notify");
  }

  // ---------------------------------------------------------------------------------------------
  // the hold limit

  @ParameterizedTest(name = "{0}")
  @EnumSource(TlsVersion.class)
  void aPeerThatStopsAcknowledgingGetsTheRstWhenTheHoldLimitExpires(TlsVersion v) {
    // Rule: the hold is bounded: with no acknowledgement the deferred RST goes out when the hold limit (setHoldLimit) expires.
    TlsTransfer t = deferTransfer(v).withServerHold(2 * S);
    TlsTransfer.Result r = runWithDeafServer(t);
    TlsTrace trace = new TlsTrace(r.network());
    String why = r.outcome() + "\n" + trace.summary();
    assertHoldExpired(r, trace, why, 2 * S, TlsTrace.tlsBytes(v, 150_000, true));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(TlsVersion.class)
  void theDefaultHoldIsSixtySeconds(TlsVersion v) {
    // Rule: without a hold limit or user timeout, a deferred RST waits at most DEFAULT_HOLD_NANOS (60 s).
    TlsTransfer.Result r = runWithDeafServer(deferTransfer(v));
    TlsTrace trace = new TlsTrace(r.network());
    String why = r.outcome() + "\n" + trace.summary();
    assertHoldExpired(r, trace, why, TlsConnection.DEFAULT_HOLD_NANOS,
        TlsTrace.tlsBytes(v, 150_000, true));
  }

  private static TlsTransfer deferTransfer(TlsVersion v) {
    return new TlsTransfer(1, CLEAN, v, RstPolicy.DEFER_UNTIL_DELIVERED,
        ServerEnding.ABORT_AFTER_CLOSE_NOTIFY, 150_000, 540_000, 600 * S);
  }

  /** Runs {@code t} with everything the client sends dropped from the moment the server defers its RST. */
  private static TlsTransfer.Result runWithDeafServer(TlsTransfer t) {
    Network net = t.network();
    AtomicBoolean deferred = new AtomicBoolean();
    net.trace().addListener(e -> {
      if (e.kind() == Kind.STACK && e.text().startsWith("RST deferred")) deferred.set(true);
    });
    Host client = net.host(CLIENT);
    Link toServer = net.links().stream()
        .filter(l -> l.name().equals(CLIENT + "->" + SERVER)).findFirst().orElseThrow();
    toServer.middlebox().drop("everything from the client once the server deferred its RST",
        Middlebox.Match.from(client.address()).and(p -> deferred.get()));
    return t.run(net);
  }

  private static void assertHoldExpired(
      TlsTransfer.Result r, TlsTrace trace, String why, long hold, long unacked) {
    assertThat(r.finished()).as(why).isTrue();
    TraceEvent decision = trace.stack(SERVER, "RST deferred");
    TraceEvent expired = trace.stack(SERVER, "RST hold expired");
    assertThat(expired.text()).as(why).isEqualTo("RST hold expired after " + hold / MS
        + " ms with " + unacked + " bytes unacknowledged: RST sent");
    assertThat(expired.timeNanos()).isEqualTo(decision.timeNanos() + hold);
    assertThat(trace.find(Kind.STACK, SERVER, RELEASED)).isEmpty();
    TraceEvent rst = trace.firstRst(SERVER).orElseThrow();
    assertThat(rst.timeNanos()).isEqualTo(expired.timeNanos());
    assertThat(trace.before(expired, rst)).isTrue();
    assertThat(rst.segment().seq()).isEqualTo(trace.dataEnd(SERVER));
    assertThat(trace.find(Kind.DROPPED, CLIENT + "->" + SERVER, "middlebox")).isNotEmpty();
    assertThat(r.server().end()).isEqualTo(ConnectionEnd.ABORTED_LOCALLY);
    // With no ACK coming back, the server's window never opened beyond its first flight: the client
    // got part of the first record at most, and then the RST. The hold cannot save a dead peer; it
    // only bounds how long the server waits for one.
    assertThat(trace.find(Kind.STACK, SERVER, "RTO")).isNotEmpty();
    assertThat(r.client().bytesRead()).isLessThan(r.server().bytesWritten());
    assertThat(r.client().tls().closeNotifyReceived()).isFalse();
    assertThat(r.client().tls().truncation()).isEqualTo("RST before close_notify");
    assertThat(r.client().end()).isEqualTo(ConnectionEnd.RESET_BY_PEER);
  }
}
