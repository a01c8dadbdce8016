package dev.tcplab.tls.scenario;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.tcplab.core.tcp.ConnectionEnd;
import dev.tcplab.core.tcp.Profile;
import dev.tcplab.core.tcp.TcpListener;
import dev.tcplab.core.tcp.TcpSocket;
import dev.tcplab.core.tcp.TcpSocketException;
import dev.tcplab.sim.Host;
import dev.tcplab.sim.LinkConfig;
import dev.tcplab.sim.Network;
import dev.tcplab.sim.app.Reactor;
import dev.tcplab.tls.KeyLog;
import dev.tcplab.tls.RstPolicy;
import dev.tcplab.tls.TlsConnection;
import dev.tcplab.tls.TlsIdentity;
import dev.tcplab.tls.TlsVersion;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;

/**
 * The z/VM shape of PH01192: the TLS is terminated by an offload proxy, not by the application. A
 * remote TLS client ({@value #CLIENT_ADDRESS}) connects to the proxy "ssl-server" ({@value
 * #PROXY_ADDRESS}:443, one host with two links) and sends a request; the proxy relays it in clear over a
 * plain TCP connection to the application server "app" ({@value #APP_ADDRESS}:8080); the application
 * writes its response and closes (FIN). The proxy relays the response into TLS and, at the
 * application's EOF, sends close_notify and aborts its TLS connection at once — what the z/VM SSL
 * server did — under its {@link RstPolicy}. With {@code IMMEDIATE} the client reads fewer bytes than
 * the application wrote and no close_notify; with {@code DEFER_UNTIL_DELIVERED} it reads every byte and
 * the close_notify, then gets the RST.
 *
 * @param seed the run's seed (network, ISNs, TLS randoms, certificate, response bytes)
 * @param clientLink both directions between the client and the proxy
 * @param appLink both directions between the proxy and the application
 * @param version TLS 1.2 or 1.3
 * @param proxyPolicy the proxy's RST policy for its TLS connection
 * @param responseBytes how much the application writes
 * @param clientReceiveBuffer the client's SO_RCVBUF
 * @param limitNanos the simulation stops at this virtual time at the latest
 */
public record OffloadProxyTransfer(
    long seed,
    LinkConfig clientLink,
    LinkConfig appLink,
    TlsVersion version,
    RstPolicy proxyPolicy,
    int responseBytes,
    int clientReceiveBuffer,
    long limitNanos) {

  public static final String CLIENT = "client";
  public static final String PROXY = "ssl-server";
  public static final String APP = "app";
  public static final String CLIENT_ADDRESS = "10.0.1.1";
  public static final String PROXY_ADDRESS = "10.0.1.2";
  public static final String APP_ADDRESS = "10.0.1.3";
  public static final int TLS_PORT = 443;
  public static final int APP_PORT = 8080;

  public OffloadProxyTransfer {
    checkNotNull(clientLink, "clientLink");
    checkNotNull(appLink, "appLink");
    checkNotNull(version, "version");
    checkNotNull(proxyPolicy, "proxyPolicy");
    checkArgument(responseBytes >= 0, "response size must not be negative: %s", responseBytes);
    checkArgument(clientReceiveBuffer > 0, "receive buffer must be positive: %s", clientReceiveBuffer);
    checkArgument(limitNanos > 0, "the time limit must be positive: %s", limitNanos);
  }

  /**
   * 150 kB; the client 10 ms and 10 Mbit/s away, the application 1 ms and 1 Gbit/s away: the response
   * reaches the proxy long before it can reach the client. TLS 1.3.
   */
  public static OffloadProxyTransfer zvm(RstPolicy policy) {
    LinkConfig remote = LinkConfig.builder().delay(10_000_000L).bandwidth(10_000_000L).build();
    LinkConfig local = LinkConfig.builder().delay(1_000_000L).bandwidth(1_000_000_000L).build();
    return new OffloadProxyTransfer(1, remote, local, TlsVersion.TLS_1_3, policy, 150_000, 540_000,
        600_000_000_000L);
  }

  public OffloadProxyTransfer withVersion(TlsVersion v) {
    return new OffloadProxyTransfer(seed, clientLink, appLink, v, proxyPolicy, responseBytes,
        clientReceiveBuffer, limitNanos);
  }

  public OffloadProxyTransfer withPolicy(RstPolicy p) {
    return new OffloadProxyTransfer(seed, clientLink, appLink, version, p, responseBytes,
        clientReceiveBuffer, limitNanos);
  }

  /**
   * client — ssl-server — app: the proxy's first link leads to the client, its second to the
   * application (a route to that host). Attach outputs, then {@link #run(Network)}.
   */
  public Network network() {
    Network net = new Network(seed);
    Host client = net.host(CLIENT, CLIENT_ADDRESS, b -> b.profile(Profile.LINUX));
    Host proxy = net.host(PROXY, PROXY_ADDRESS, b -> b.profile(Profile.LINUX));
    Host app = net.host(APP, APP_ADDRESS, b -> b.profile(Profile.LINUX));
    net.connect(client, proxy, clientLink);
    net.connect(proxy, app, appLink);
    return net;
  }

  public Result run() {
    return run(network());
  }

  /** Runs on a network made by {@link #network()}. */
  public Result run(Network net) {
    KeyLog keyLog = new KeyLog();
    App app = new App(net, net.host(APP));
    Proxy proxy = new Proxy(net, net.host(PROXY), net.host(APP), keyLog);
    TlsClientApp client = new TlsClientApp(net, net.host(CLIENT), net.host(PROXY).address(),
        TLS_PORT, version, seed + 1, clientReceiveBuffer, keyLog);
    boolean finished = net.runUntil(
        () -> client.done() && proxy.done() && app.done() && noConnections(net), limitNanos);
    return new Result(this, net, keyLog, finished, client, proxy, app);
  }

  private static boolean noConnections(Network net) {
    for (Host h : net.hosts()) {
      if (h.stack().connectionCount() > 0) return false;
    }
    return true;
  }

  /** What happened, as the three applications saw it. */
  public record Result(
      OffloadProxyTransfer settings, Network network, KeyLog keyLog, boolean finished,
      TlsClientApp client, Proxy proxy, App app) {

    /** The client read every byte the application wrote, and they are the same bytes. */
    public boolean clientReadEverything() {
      return client.bytesRead() == app.written && app.written == settings.responseBytes
          && client.digest() == app.digest;
    }

    /** One line, for people. */
    public String outcome() {
      String cn = client.tls() != null && client.tls().closeNotifyReceived()
          ? "and the close_notify" : "and no close_notify";
      String got = clientReadEverything()
          ? "client read every byte (" + client.bytesRead() + " of " + app.written + ") " + cn
          : "client read " + client.bytesRead() + " of " + app.written + " bytes " + cn
              + " (truncation: " + (client.tls() == null ? "?" : client.tls().truncation()) + ")";
      return settings.proxyPolicy + " at the proxy: " + got + "; the proxy relayed "
          + proxy.relayed + "; then the client's connection ended " + client.end()
          + ", the proxy's TLS side " + proxy.tlsEnd() + ", its app side " + proxy.appEnd()
          + ", the app's " + app.end();
    }
  }

  /**
   * The application server: reads the request, writes the response as fast as TCP takes it, closes
   * (FIN) once all is written.
   */
  public final class App extends Reactor {
    final Network net;
    final Host host;
    final TcpListener listener;
    final byte[] response;
    final long digest;
    TcpSocket socket;
    int requestBytes;
    int written;
    boolean closed;
    private final byte[] buf = new byte[4096];

    App(Network net, Host host) {
      super(net);
      this.net = net;
      this.host = host;
      this.response = new byte[responseBytes];
      new Random(seed ^ 0xA11L).nextBytes(response);
      CRC32 crc = new CRC32();
      crc.update(response);
      this.digest = crc.getValue();
      listener = host.stack().listen(APP_PORT, 4);
      net.traceApp(host, "listen(" + APP_PORT + ")");
      listener.onAcceptable(() -> net.at(net.now(), () -> {
        TcpSocket s = listener.accept();
        if (s == null || socket != null) return;
        net.traceApp(host, "accept() = " + s.id());
        socket = s;
        s.setListener(this);
        step();
      }));
    }

    @Override
    protected void step() {
      if (socket == null || socket.end() != null) return;
      if (!closed) {
        try {
          int n;
          while ((n = socket.read(buf)) > 0) requestBytes += n;
        } catch (TcpSocketException e) {
          net.traceApp(host, "read: " + e.getMessage());
          return;
        }
      }
      if (requestBytes < TlsClientApp.REQUEST.length) return;
      while (written < response.length) {
        int n = socket.write(response, written, response.length - written);
        if (n == 0) return;
        if (written == 0) net.traceApp(host, "request read; write " + response.length + " bytes");
        written += n;
      }
      if (!closed) {
        closed = true;
        net.traceApp(host, "all " + written + " bytes written: close() (FIN)");
        socket.close();
      }
    }

    // Only readability and writability matter: the socket is accepted, and its end is read in step().
    @Override
    public void connected(TcpSocket s) {}

    @Override
    public void closed(TcpSocket s, ConnectionEnd how) {}

    boolean done() {
      return socket != null && socket.end() != null;
    }

    public ConnectionEnd end() {
      return socket == null ? null : socket.end();
    }

    public int bytesWritten() {
      return written;
    }

    /** Bytes of the request the application read (in clear). */
    public int requestBytes() {
      return requestBytes;
    }
  }

  /**
   * The TLS offload proxy: TLS towards the client, clear TCP towards the application; relays both ways
   * and, at the application's EOF, sends close_notify and aborts the TLS connection at once.
   */
  public final class Proxy extends Reactor {
    final Network net;
    final Host host;
    final Host appHost;
    final TcpListener listener;
    TlsConnection tls;
    TcpSocket app;
    /** Client bytes not yet accepted by the application connection. */
    byte[] toApp = new byte[0];
    long relayed;
    boolean appEof;
    private final byte[] buf = new byte[16_384];

    Proxy(Network net, Host host, Host appHost, KeyLog keyLog) {
      super(net);
      this.net = net;
      this.host = host;
      this.appHost = appHost;
      TlsIdentity identity = TlsIdentity.generate(seed, PROXY);
      listener = host.stack().listen(TLS_PORT, 4);
      net.traceApp(host, "listen(" + TLS_PORT + ")");
      listener.onAcceptable(() -> net.at(net.now(), () -> {
        TcpSocket s = listener.accept();
        if (s == null || tls != null) return;
        net.traceApp(host, "accept() = " + s.id());
        tls = TlsConnection.server(s, version, identity, seed, keyLog, proxyPolicy);
        tls.setListener(new TlsConnection.Listener() {
          @Override
          public void readable(TlsConnection c) {
            fromClient();
          }
        });
      }));
    }

    /** Client data: to the application, which is connected on the first request bytes. */
    private void fromClient() {
      int n;
      while ((n = tls.read(buf)) > 0) {
        toApp = Arrays.copyOf(toApp, toApp.length + n);
        System.arraycopy(buf, 0, toApp, toApp.length - n, n);
      }
      if (toApp.length > 0 && app == null) {
        net.traceApp(host, "request from the client: connect(" + appHost.address().getHostAddress()
            + ":" + APP_PORT + ") in clear");
        app = host.stack().connect(appHost.address(), APP_PORT);
        app.setListener(this);
      }
      step();
    }

    /** The application connection: pass the request on, relay the response into TLS, act on EOF. */
    @Override
    protected void step() {
      if (app == null || appEof) return;
      if (toApp.length > 0 && app.state().canSend()) {
        int n = app.write(toApp);
        toApp = Arrays.copyOfRange(toApp, n, toApp.length);
      }
      int n;
      try {
        while ((n = app.read(buf)) > 0) {
          if (tls.socket().end() == null && !tls.rstDeferred()) tls.write(buf, 0, n);
          relayed += n;
        }
      } catch (TcpSocketException e) {
        n = -1;
        net.traceApp(host, "app read: " + e.getMessage());
      }
      if (n < 0) {
        appEof = true;
        net.traceApp(host, "EOF from the app after " + relayed
            + " bytes: close_notify, then abort() of the TLS connection at once");
        if (tls.socket().end() == null) {
          tls.closeNotify();
          tls.abort();
        }
        app.close();
      }
    }

    boolean done() {
      return tls != null && tls.socket().end() != null && app != null && app.end() != null;
    }

    public TlsConnection tls() {
      return tls;
    }

    public ConnectionEnd tlsEnd() {
      return tls == null ? null : tls.socket().end();
    }

    public ConnectionEnd appEnd() {
      return app == null ? null : app.end();
    }

    /** Bytes relayed from the application into TLS. */
    public long relayed() {
      return relayed;
    }
  }
}
