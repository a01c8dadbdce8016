package dev.tcplab.sim.app;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.tcplab.core.tcp.ConnectionEnd;
import dev.tcplab.core.tcp.SocketListener;
import dev.tcplab.core.tcp.TcpSocket;
import dev.tcplab.sim.Network;

/**
 * A simulated application driven by its sockets' readiness: every event (connected, readable,
 * writable, closed) asks for a {@link #step}, which runs in an event of its own at the current time,
 * never inside the stack's processing — as a real application reacts after the kernel has finished.
 * Several events before the step runs ask for one step. Subclasses override a listener method to
 * react differently to that event (and call {@code super} to keep the step).
 */
public abstract class Reactor implements SocketListener {
  private final Network net;
  private boolean pending;

  protected Reactor(Network net) {
    this.net = checkNotNull(net, "net");
  }

  /** Reacts to whatever changed: read, write, close. Runs in its own event. */
  protected abstract void step();

  /** Whether the application has stopped reacting: no more steps are asked for or run. */
  protected boolean stopped() {
    return false;
  }

  /** Asks for a step in its own event at the current time, unless one is already pending. */
  protected final void schedule() {
    if (pending || stopped()) return;
    pending = true;
    net.at(net.now(), () -> {
      pending = false;
      if (!stopped()) step();
    });
  }

  @Override
  public void connected(TcpSocket s) {
    schedule();
  }

  @Override
  public void readable(TcpSocket s) {
    schedule();
  }

  @Override
  public void writable(TcpSocket s) {
    schedule();
  }

  @Override
  public void closed(TcpSocket s, ConnectionEnd how) {
    schedule();
  }
}
