package dev.tcplab.tls.scenario;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.tcplab.core.tcp.ConnectionEnd;
import dev.tcplab.core.tcp.Profile;
import dev.tcplab.core.tcp.TcpListener;
import dev.tcplab.core.tcp.TcpSocket;
import dev.tcplab.sim.Host;
import dev.tcplab.sim.LinkConfig;
import dev.tcplab.sim.Network;
import dev.tcplab.sim.Topology;
import dev.tcplab.tls.KeyLog;
import dev.tcplab.tls.RstPolicy;
import dev.tcplab.tls.TlsConnection;
import dev.tcplab.tls.TlsIdentity;
import dev.tcplab.tls.TlsVersion;
import java.util.Random;
import java.util.zip.CRC32;

/**
 * The PH01192 experiment: a TLS client asks, the server writes a large response, sends close_notify and
 * ends the connection as {@link ServerEnding} says — under an {@link RstPolicy}. With {@code IMMEDIATE}
 * the client reads fewer bytes than were written and never sees close_notify; with {@code
 * DEFER_UNTIL_DELIVERED} it reads every byte and the close_notify, then gets the RST.
 *
 * @param seed the run's seed (network, ISNs, TLS randoms, certificate)
 * @param link both directions of the link
 * @param version TLS 1.2 or 1.3
 * @param policy the server's RST policy
 * @param ending how the server ends the connection
 * @param responseBytes how much the server writes
 * @param clientReceiveBuffer the client's SO_RCVBUF: small, and data is still queued when the server
 *     aborts
 * @param limitNanos the simulation stops at this virtual time at the latest
 * @param serverHoldNanos how long the server's deferred RST waits at most ({@link
 *     TlsConnection#setHoldLimit}); 0 for {@link TlsConnection#DEFAULT_HOLD_NANOS}
 */
public record TlsTransfer(
    long seed,
    LinkConfig link,
    TlsVersion version,
    RstPolicy policy,
    ServerEnding ending,
    int responseBytes,
    int clientReceiveBuffer,
    long limitNanos,
    long serverHoldNanos) {

  public static final int PORT = 443;

  public TlsTransfer {
    checkNotNull(link, "link");
    checkNotNull(version, "version");
    checkNotNull(policy, "policy");
    checkNotNull(ending, "ending");
    checkArgument(responseBytes >= 0, "response size must not be negative: %s", responseBytes);
    checkArgument(clientReceiveBuffer > 0, "receive buffer must be positive: %s", clientReceiveBuffer);
    checkArgument(limitNanos > 0, "the time limit must be positive: %s", limitNanos);
    checkArgument(serverHoldNanos >= 0, "the hold must not be negative: %s", serverHoldNanos);
  }

  /** With the default hold limit. */
  public TlsTransfer(long seed, LinkConfig link, TlsVersion version, RstPolicy policy,
      ServerEnding ending, int responseBytes, int clientReceiveBuffer, long limitNanos) {
    this(seed, link, version, policy, ending, responseBytes, clientReceiveBuffer, limitNanos, 0);
  }

  /** 150 kB over a 10 ms, 10 Mbit/s link, TLS 1.3, the PH01192 ending, the default (fixed) policy. */
  public static TlsTransfer ph01192(RstPolicy policy) {
    LinkConfig link = LinkConfig.builder().delay(10_000_000L).bandwidth(10_000_000L).build();
    return new TlsTransfer(1, link, TlsVersion.TLS_1_3, policy,
        ServerEnding.ABORT_AFTER_CLOSE_NOTIFY, 150_000, 540_000, 600_000_000_000L);
  }

  public TlsTransfer withVersion(TlsVersion v) {
    return new TlsTransfer(seed, link, v, policy, ending, responseBytes, clientReceiveBuffer,
        limitNanos, serverHoldNanos);
  }

  public TlsTransfer withPolicy(RstPolicy p) {
    return new TlsTransfer(seed, link, version, p, ending, responseBytes, clientReceiveBuffer,
        limitNanos, serverHoldNanos);
  }

  /** The server's deferred RST waits at most {@code nanos} (0: the default). */
  public TlsTransfer withServerHold(long nanos) {
    return new TlsTransfer(seed, link, version, policy, ending, responseBytes, clientReceiveBuffer,
        limitNanos, nanos);
  }

  /** The network of this experiment; attach outputs, then {@link #run(Network)}. */
  public Network network() {
    return Topology.twoHosts(seed, link, b -> b.profile(Profile.LINUX));
  }

  public Result run() {
    return run(network());
  }

  /** Runs on a network made by {@link #network()}. */
  public Result run(Network net) {
    KeyLog keyLog = new KeyLog();
    Host clientHost = net.host(Topology.CLIENT);
    Host serverHost = net.host(Topology.SERVER);
    Server server = new Server(net, serverHost, keyLog);
    TlsClientApp client = new TlsClientApp(net, clientHost, serverHost.address(), PORT, version,
        seed + 1, clientReceiveBuffer, keyLog);
    boolean finished = net.runUntil(
        () -> client.done() && server.done() && noConnections(net), limitNanos);
    return new Result(this, net, keyLog, finished, client, server);
  }

  private static boolean noConnections(Network net) {
    for (Host h : net.hosts()) {
      if (h.stack().connectionCount() > 0) return false;
    }
    return true;
  }

  /** What happened, from both applications' point of view. */
  public record Result(
      TlsTransfer settings, Network network, KeyLog keyLog, boolean finished, TlsClientApp client,
      Server server) {

    /** The client read every byte the server wrote, and they are the same bytes. */
    public boolean clientReadEverything() {
      return client.bytesRead() == server.bytesWritten && client.digest() == server.digest;
    }

    /** One line, for people: what the client got and how the connection ended. */
    public String outcome() {
      String cn = client.tls() != null && client.tls().closeNotifyReceived()
          ? "and the close_notify" : "and no close_notify";
      String got = clientReadEverything()
          ? "client read every byte (" + client.bytesRead() + " of " + server.bytesWritten + ") " + cn
          : "client read " + client.bytesRead() + " of " + server.bytesWritten + " bytes " + cn
              + " (truncation: " + (client.tls() == null ? "?" : client.tls().truncation()) + ")";
      return settings.policy + ": " + got + "; then the client's connection ended "
          + client.end() + ", the server's " + server.end();
    }
  }

  /** The server application: answers the request with the response, then ends as told. */
  public final class Server {
    final Network net;
    final Host host;
    TcpListener listener;
    TlsConnection tls;
    int bytesWritten;
    long digest;
    boolean ended;
    private final byte[] response;

    Server(Network net, Host host, KeyLog keyLog) {
      this.net = net;
      this.host = host;
      this.response = new byte[responseBytes];
      new Random(seed ^ 0x5EEDL).nextBytes(response);
      CRC32 crc = new CRC32();
      crc.update(response);
      this.digest = crc.getValue();
      TlsIdentity identity = TlsIdentity.generate(seed, "server");
      listener = host.stack().listen(PORT, 4);
      net.traceApp(host, "listen(" + PORT + ")");
      listener.onAcceptable(() -> net.at(net.now(), () -> {
        TcpSocket s = listener.accept();
        if (s == null || tls != null) return;
        net.traceApp(host, "accept() = " + s.id());
        tls = TlsConnection.server(s, version, identity, seed, keyLog, policy);
        if (serverHoldNanos > 0) tls.setHoldLimit(serverHoldNanos);
        tls.setListener(new TlsConnection.Listener() {
          @Override
          public void readable(TlsConnection c) {
            onReadable();
          }

          @Override
          public void closeNotifyReceived(TlsConnection c) {
            if (ending == ServerEnding.ABORT_AFTER_PEER_CLOSE_NOTIFY) {
              net.traceApp(host, "abort() after the client's close_notify");
              c.abort();
            }
          }

          @Override
          public void writable(TlsConnection c) {
            if (ending == ServerEnding.RST_WITHOUT_CLOSE_NOTIFY && bytesWritten == responseBytes
                && c.socket().allAcknowledged() && !ended) {
              ended = true;
              net.traceApp(host, "abort() with no close_notify, response acknowledged");
              c.socket().abort();
            }
          }

          @Override
          public void closed(TlsConnection c, ConnectionEnd how) {
            ended = true;
          }
        });
      }));
    }

    private boolean answered;

    private void onReadable() {
      byte[] buf = new byte[4096];
      while (tls.read(buf) > 0) {
        // the request: its content does not matter
      }
      if (answered) return;
      answered = true;
      if (ending == ServerEnding.ABORT_WHILE_ESTABLISHED) {
        int half = responseBytes / 2;
        tls.write(response, 0, half);
        bytesWritten = half;
        net.traceApp(host, "TLS write " + half + " bytes, then abort()");
        tls.abort();
        return;
      }
      tls.write(response);
      bytesWritten = responseBytes;
      net.traceApp(host, "TLS write " + responseBytes + " bytes");
      switch (ending) {
        case ABORT_AFTER_CLOSE_NOTIFY -> {
          net.traceApp(host, "close_notify, then abort() at once");
          tls.closeNotify();
          tls.abort();
        }
        case ABORT_AFTER_PEER_CLOSE_NOTIFY -> {
          net.traceApp(host, "close_notify; abort() once the client's close_notify arrives");
          tls.closeNotify();
        }
        case CLOSE -> {
          net.traceApp(host, "close(): close_notify, then FIN");
          tls.close();
        }
        case FIN_WITHOUT_CLOSE_NOTIFY -> {
          net.traceApp(host, "TCP close() with no close_notify");
          tls.socket().close();
        }
        case RST_WITHOUT_CLOSE_NOTIFY, ABORT_WHILE_ESTABLISHED -> {}
      }
    }

    boolean done() {
      return tls != null && tls.socket().end() != null;
    }

    public ConnectionEnd end() {
      return tls == null ? null : tls.socket().end();
    }

    public TlsConnection tls() {
      return tls;
    }

    public int bytesWritten() {
      return bytesWritten;
    }
  }
}
