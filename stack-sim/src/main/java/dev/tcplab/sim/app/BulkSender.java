package dev.tcplab.sim.app;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.tcplab.core.tcp.TcpSocketException;
import dev.tcplab.sim.Host;
import dev.tcplab.sim.Network;
import java.net.InetAddress;
import java.util.Random;
import java.util.zip.CRC32;

/**
 * A client that connects, writes {@code size} bytes (a seeded pattern), then ends its side as its {@link
 * CloseMode} says — once everything is written, or at a set time — and reads until the peer's EOF.
 */
public final class BulkSender extends Endpoint {
  private final byte[] data;
  private final CloseMode mode;
  private final long closeAtNanos;
  private int written;
  private boolean finished;
  private final long writtenDigest;

  /**
   * @param closeAtNanos when to close; -1 for "as soon as all is written"
   */
  public BulkSender(Network net, Host host, int size, long seed, CloseMode mode, long closeAtNanos) {
    super(net, host);
    checkArgument(size >= 0, "Size must not be negative: %s", size);
    this.mode = checkNotNull(mode);
    this.closeAtNanos = closeAtNanos;
    this.data = new byte[size];
    new Random(seed).nextBytes(data);
    CRC32 crc = new CRC32();
    crc.update(data);
    this.writtenDigest = crc.getValue();
  }

  /** Connects to {@code server:port} at {@code atNanos}. */
  public BulkSender connectAt(long atNanos, InetAddress server, int port) {
    net.at(atNanos, () -> {
      app("connect(" + server.getHostAddress() + ":" + port + ")");
      socket = host.stack().connect(server, port);
      socket.setListener(this);
    });
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

  @Override
  protected void step() {
    if (socket == null) return;
    if (!finished && end() == null && written < data.length) {
      try {
        int n = socket.write(data, written, data.length - written);
        if (n > 0) {
          written += n;
          app("write " + n + " bytes (" + written + "/" + data.length + ")");
        }
      } catch (TcpSocketException e) {
        error = e.error().name();
        app("write = -1 " + e.getMessage());
        finished = true;
      }
    }
    if (!finished && closeAtNanos < 0 && written == data.length && end() == null) {
      finished = true;
      finish(mode);
    }
    if (!finished || mode == CloseMode.SHUTDOWN) readAll(); // after close() there is no reading
    if (eof && mode == CloseMode.SHUTDOWN && end() == null) {
      app("close()");
      socket.close();
    }
  }

  public int bytesWritten() {
    return written;
  }

  /** CRC-32 of everything this sender was asked to write. */
  public long writtenDigest() {
    return writtenDigest;
  }

  public int size() {
    return data.length;
  }
}
