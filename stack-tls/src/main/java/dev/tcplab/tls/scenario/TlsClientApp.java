package dev.tcplab.tls.scenario;

import dev.tcplab.core.tcp.ConnectionEnd;
import dev.tcplab.core.tcp.TcpSocket;
import dev.tcplab.sim.Host;
import dev.tcplab.sim.Network;
import dev.tcplab.tls.KeyLog;
import dev.tcplab.tls.RstPolicy;
import dev.tcplab.tls.TlsConnection;
import dev.tcplab.tls.TlsVersion;
import java.net.InetAddress;
import java.util.zip.CRC32;

/**
 * The TLS client application of the experiments: connects at time 0, sends the request once the
 * handshake is done, reads to the end, and answers the server's close_notify with its own (or closes
 * TCP when the stream was truncated).
 */
public final class TlsClientApp {
  static final byte[] REQUEST = "GET /large HTTP/1.1\r\nHost: server\r\n\r\n".getBytes();

  private final Network net;
  private final Host host;
  private TlsConnection tls;
  private long bytesRead;
  private final CRC32 digest = new CRC32();
  private boolean eof;

  TlsClientApp(Network net, Host host, InetAddress server, int port, TlsVersion version, long seed,
      int receiveBuffer, KeyLog keyLog) {
    this.net = net;
    this.host = host;
    net.at(0, () -> {
      net.traceApp(host, "connect(" + server.getHostAddress() + ":" + port + ")");
      TcpSocket s = host.stack().connect(server, port, 0,
          sock -> sock.setReceiveBufferSize(receiveBuffer));
      tls = TlsConnection.client(s, version, seed, keyLog, RstPolicy.DEFER_UNTIL_DELIVERED);
      tls.setListener(new TlsConnection.Listener() {
        @Override
        public void handshakeComplete(TlsConnection c) {
          net.traceApp(host, "TLS handshake done; write request");
          c.write(REQUEST);
        }

        @Override
        public void readable(TlsConnection c) {
          onReadable();
        }
      });
    });
  }

  private void onReadable() {
    byte[] buf = new byte[16384];
    int n;
    while ((n = tls.read(buf)) > 0) {
      bytesRead += n;
      digest.update(buf, 0, n);
    }
    if (n < 0 && !eof) {
      eof = true;
      if (tls.closeNotifyReceived()) {
        net.traceApp(host, "TLS read = EOF (close_notify) after " + bytesRead
            + " bytes; close(): close_notify, then FIN");
        if (tls.socket().end() == null) tls.close();
      } else {
        net.traceApp(host, "TLS read = EOF without close_notify after " + bytesRead
            + " bytes: " + tls.truncation());
        if (tls.socket().end() == null) tls.socket().close();
      }
    }
  }

  boolean done() {
    return tls != null && tls.socket().end() != null;
  }

  public ConnectionEnd end() {
    return tls == null ? null : tls.socket().end();
  }

  public long bytesRead() {
    return bytesRead;
  }

  /** CRC-32 of the bytes read, in order. */
  public long digest() {
    return digest.getValue();
  }

  public TlsConnection tls() {
    return tls;
  }
}
