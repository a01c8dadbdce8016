package dev.tcplab.core.demo;

import dev.tcplab.core.tcp.ConnectionEnd;
import dev.tcplab.core.tcp.ConnectionId;
import dev.tcplab.core.tcp.TcpObserver;
import dev.tcplab.core.tcp.Transition;
import dev.tcplab.core.time.Clock;
import dev.tcplab.core.wire.Segment;
import java.net.InetAddress;
import java.util.function.Consumer;

/**
 * A {@link TcpObserver} that turns a stack's activity into readable lines: one per segment sent, state
 * change (with the RFC arc and the reason) and notable event.
 */
public final class TraceLines implements TcpObserver {
  private final String host;
  private final Clock clock;
  private final Consumer<String> out;

  public TraceLines(String host, Clock clock, Consumer<String> out) {
    this.host = host;
    this.clock = clock;
    this.out = out;
  }

  private void line(String text) {
    out.accept(String.format("%11.6f  %-7s %s", clock.nanos() / 1e9, host, text));
  }

  @Override
  public void segmentSent(InetAddress src, InetAddress dst, Segment segment) {
    line("sends    " + segment);
  }

  @Override
  public void stateChanged(ConnectionId id, Transition t, String reason) {
    line("state    " + t.from() + " -> " + t.to() + "  (" + reason + ")");
  }

  @Override
  public void event(ConnectionId id, String description) {
    line("event    " + description);
  }

  @Override
  public void connectionEnded(ConnectionId id, ConnectionEnd how) {
    line("ended    " + how);
  }
}
