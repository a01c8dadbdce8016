package dev.tcplab.sim.app;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.tcplab.core.tcp.TcpListener;
import dev.tcplab.sim.Host;
import dev.tcplab.sim.Network;

/**
 * A server that accepts one connection, reads until EOF (unless told not to read) and then ends its side
 * as its {@link CloseMode} says, or at a set time.
 */
public final class Sink extends Endpoint {
  private final CloseMode mode;
  private final boolean reads;
  private final long closeAtNanos;
  private TcpListener listener;
  private boolean finished;

  /**
   * @param reads false for an application that never reads (its close then resets, RFC 1122
   *     §4.2.2.13)
   * @param closeAtNanos when to close; -1 for "after EOF"
   */
  public Sink(Network net, Host host, CloseMode mode, boolean reads, long closeAtNanos) {
    super(net, host);
    this.mode = checkNotNull(mode);
    this.reads = reads;
    this.closeAtNanos = closeAtNanos;
  }

  /** Listens on {@code port} from time 0. */
  public Sink listen(int port) {
    app("listen(" + port + ")");
    listener = host.stack().listen(port, 16);
    listener.onAcceptable(() -> net.at(net.now(), this::acceptOne));
    if (closeAtNanos >= 0) {
      net.at(closeAtNanos, () -> {
        if (!finished && socket != null && end() == null) {
          finished = true;
          finish(mode);
        }
      });
    }
    return this;
  }

  private void acceptOne() {
    if (socket != null) return;
    socket = listener.accept();
    if (socket == null) return;
    app("accept() = " + socket.id());
    socket.setListener(this);
    step();
  }

  @Override
  protected void step() {
    if (socket == null) return;
    if (reads) readAll();
    if (!finished && closeAtNanos < 0 && (eof || (!reads && socket.peerClosed()))) {
      finished = true;
      finish(mode);
    }
  }
}
