package dev.tcplab.script;

import dev.tcplab.core.wire.TcpFlags;
import java.util.List;
import java.util.Objects;

/**
 * A TCP packet line: {@code < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>}.
 *
 * @param flags the control bits as {@link TcpFlags} ({@code .} is ACK, {@code E} ECE, {@code W} CWR,
 *     {@code -} none)
 * @param ack {@code ack N}, or null when not written
 * @param win {@code win N}, or null when not written (allowed for outbound packets only: the window is
 *     then not checked)
 * @param urg {@code urg N}, or null when not written
 * @param options the option list as written, or null when the script wrote none (packetdrill then means
 *     "no options", checked exactly) or wrote {@code <...>}
 * @param anyOptions true for {@code <...>}: options are not checked (outbound packets only)
 */
public record PacketEvent(
    Direction direction,
    int flags,
    SeqSpec seq,
    Long ack,
    Integer win,
    Integer urg,
    List<ScriptOption> options,
    boolean anyOptions)
    implements Action {
  public PacketEvent {
    Objects.requireNonNull(direction, "direction");
    Objects.requireNonNull(seq, "seq");
    options = options == null ? null : List.copyOf(options);
  }

  /** The options to put on (inbound) or expect on (outbound) the wire: none when none were written. */
  public List<ScriptOption> optionsOrEmpty() {
    return options == null ? List.of() : options;
  }

  public boolean syn() {
    return (flags & TcpFlags.SYN) != 0;
  }

  public boolean fin() {
    return (flags & TcpFlags.FIN) != 0;
  }

  public boolean rst() {
    return (flags & TcpFlags.RST) != 0;
  }

  public boolean psh() {
    return (flags & TcpFlags.PSH) != 0;
  }

  /** The ACK bit ({@code .}). */
  public boolean ackFlag() {
    return (flags & TcpFlags.ACK) != 0;
  }

  /** The URG bit ({@code U}). */
  public boolean urgFlag() {
    return (flags & TcpFlags.URG) != 0;
  }

  /** ECN-Echo ({@code E}). */
  public boolean ece() {
    return (flags & TcpFlags.ECE) != 0;
  }

  /** Congestion Window Reduced ({@code W}). */
  public boolean cwr() {
    return (flags & TcpFlags.CWR) != 0;
  }
}
