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

import java.util.EnumMap;
import java.util.Map;

/**
 * Every arc a connection may take: the arcs of the RFC 9293 §3.3.2 state diagram (Figure 5), plus the
 * arcs its text adds (§3.10.7.4: FIN-WAIT-1 straight to TIME-WAIT, a reset SYN-RECEIVED back to LISTEN,
 * and the RST, ABORT and timeout arcs to CLOSED). The connection refuses any other change of state.
 */
public enum Transition {
  // Figure 5
  CLOSED_TO_LISTEN(CLOSED, LISTEN, "passive OPEN"),
  CLOSED_TO_SYN_SENT(CLOSED, SYN_SENT, "active OPEN / snd SYN"),
  LISTEN_TO_CLOSED(LISTEN, CLOSED, "CLOSE"),
  LISTEN_TO_SYN_RECEIVED(LISTEN, SYN_RECEIVED, "rcv SYN / snd SYN,ACK"),
  LISTEN_TO_SYN_SENT(LISTEN, SYN_SENT, "SEND / snd SYN"),
  SYN_SENT_TO_SYN_RECEIVED(SYN_SENT, SYN_RECEIVED, "rcv SYN / snd SYN,ACK"),
  SYN_SENT_TO_ESTABLISHED(SYN_SENT, ESTABLISHED, "rcv SYN,ACK / snd ACK"),
  SYN_SENT_TO_CLOSED(SYN_SENT, CLOSED, "CLOSE, rcv RST,ACK, or SYN timeout"),
  SYN_RECEIVED_TO_ESTABLISHED(SYN_RECEIVED, ESTABLISHED, "rcv ACK of SYN"),
  SYN_RECEIVED_TO_FIN_WAIT_1(SYN_RECEIVED, FIN_WAIT_1, "CLOSE / snd FIN"),
  ESTABLISHED_TO_FIN_WAIT_1(ESTABLISHED, FIN_WAIT_1, "CLOSE / snd FIN"),
  ESTABLISHED_TO_CLOSE_WAIT(ESTABLISHED, CLOSE_WAIT, "rcv FIN / snd ACK"),
  FIN_WAIT_1_TO_FIN_WAIT_2(FIN_WAIT_1, FIN_WAIT_2, "rcv ACK of FIN"),
  FIN_WAIT_1_TO_CLOSING(FIN_WAIT_1, CLOSING, "rcv FIN / snd ACK"),
  FIN_WAIT_2_TO_TIME_WAIT(FIN_WAIT_2, TIME_WAIT, "rcv FIN / snd ACK"),
  CLOSING_TO_TIME_WAIT(CLOSING, TIME_WAIT, "rcv ACK of FIN"),
  CLOSE_WAIT_TO_LAST_ACK(CLOSE_WAIT, LAST_ACK, "CLOSE / snd FIN"),
  LAST_ACK_TO_CLOSED(LAST_ACK, CLOSED, "rcv ACK of FIN"),
  TIME_WAIT_TO_CLOSED(TIME_WAIT, CLOSED, "timeout = 2MSL"),
  // §3.10.7.4 text
  FIN_WAIT_1_TO_TIME_WAIT(FIN_WAIT_1, TIME_WAIT, "rcv FIN and ACK of FIN / snd ACK"),
  SYN_RECEIVED_TO_LISTEN(SYN_RECEIVED, LISTEN, "rcv RST (passive OPEN)"),
  SYN_RECEIVED_TO_CLOSED(SYN_RECEIVED, CLOSED, "rcv RST (active OPEN), ABORT or timeout"),
  ESTABLISHED_TO_CLOSED(ESTABLISHED, CLOSED, "rcv RST, ABORT or timeout"),
  FIN_WAIT_1_TO_CLOSED(FIN_WAIT_1, CLOSED, "rcv RST, ABORT or timeout"),
  FIN_WAIT_2_TO_CLOSED(FIN_WAIT_2, CLOSED, "rcv RST, ABORT or timeout"),
  CLOSE_WAIT_TO_CLOSED(CLOSE_WAIT, CLOSED, "rcv RST, ABORT or timeout"),
  CLOSING_TO_CLOSED(CLOSING, CLOSED, "rcv RST, ABORT or timeout"),
  LAST_ACK_TO_CLOSED_BY_RESET(LAST_ACK, CLOSED, "rcv RST, ABORT or timeout"),
  TIME_WAIT_TO_CLOSED_BY_RESET(TIME_WAIT, CLOSED, "rcv RST (RFC 1337 not applied)");

  private final TcpState from;
  private final TcpState to;
  private final String label;

  Transition(TcpState from, TcpState to, String label) {
    this.from = from;
    this.to = to;
    this.label = label;
  }

  public TcpState from() {
    return from;
  }

  public TcpState to() {
    return to;
  }

  /** The event / action label as the RFC's diagram writes it. */
  public String label() {
    return label;
  }

  private static final Map<TcpState, Map<TcpState, Transition>> GRACEFUL = index(false);
  private static final Map<TcpState, Map<TcpState, Transition>> RESET = index(true);

  private static Map<TcpState, Map<TcpState, Transition>> index(boolean reset) {
    Map<TcpState, Map<TcpState, Transition>> m = new EnumMap<>(TcpState.class);
    for (Transition t : values()) {
      boolean isReset = t == LAST_ACK_TO_CLOSED_BY_RESET || t == TIME_WAIT_TO_CLOSED_BY_RESET;
      Map<TcpState, Transition> row = m.computeIfAbsent(t.from, k -> new EnumMap<>(TcpState.class));
      if (isReset == reset || !row.containsKey(t.to)) row.put(t.to, t);
    }
    return m;
  }

  /**
   * The arc from {@code from} to {@code to}; {@code abrupt} picks the RST/ABORT/timeout arc where the
   * diagram has two arcs between the same states (LAST-ACK and TIME-WAIT to CLOSED). Null if the RFC has
   * no such arc.
   */
  public static Transition of(TcpState from, TcpState to, boolean abrupt) {
    Map<TcpState, Transition> row = (abrupt ? RESET : GRACEFUL).get(from);
    return row == null ? null : row.get(to);
  }

  @Override
  public String toString() {
    return from.rfcName() + " -> " + to.rfcName() + " (" + label + ")";
  }
}
