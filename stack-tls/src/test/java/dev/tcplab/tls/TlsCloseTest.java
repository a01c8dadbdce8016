package dev.tcplab.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcplab.core.tcp.ConnectionEnd;
import dev.tcplab.core.tcp.Profile;
import dev.tcplab.core.tcp.SocketError;
import dev.tcplab.core.tcp.TcpListener;
import dev.tcplab.core.tcp.TcpSocket;
import dev.tcplab.core.tcp.TcpSocketException;
import dev.tcplab.core.wire.TcpFlags;
import dev.tcplab.sim.Host;
import dev.tcplab.sim.LinkConfig;
import dev.tcplab.sim.Network;
import dev.tcplab.sim.Topology;
import dev.tcplab.sim.trace.TraceEvent;
import dev.tcplab.tls.scenario.ServerEnding;
import dev.tcplab.tls.scenario.TlsTransfer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Date;
import java.util.Random;
import java.util.Vector;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.bc.BcX509v3CertificateBuilder;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.operator.DefaultDigestAlgorithmIdentifierFinder;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;
import org.bouncycastle.operator.bc.BcECContentSignerBuilder;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateEntry;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsClientProtocol;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsProtocol;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.TlsServerProtocol;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Closing a TLS connection over TCP: the graceful close (close_notify both ways, FIN both ways), the
 * two truncations a TLS client must detect (the TCP stream ends before close_notify), and what
 * half-close means here and in Bouncy Castle itself.
 */
@Timeout(60)
class TlsCloseTest {
  private static final long MS = 1_000_000L;
  private static final long S = 1_000 * MS;
  private static final String CLIENT = Topology.CLIENT;
  private static final String SERVER = Topology.SERVER;
  private static final LinkConfig LINK =
      LinkConfig.builder().delay(10 * MS).bandwidth(10_000_000L).build();

  private static TlsTransfer.Result run(TlsVersion v, ServerEnding ending) {
    return new TlsTransfer(1, LINK, v, RstPolicy.DEFER_UNTIL_DELIVERED, ending, 150_000, 540_000,
        600 * S).run();
  }

  // ---------------------------------------------------------------------------------------------
  // graceful

  @ParameterizedTest(name = "{0}")
  @EnumSource(TlsVersion.class)
  void gracefulCloseSendsCloseNotifyBeforeEachFinAndLosesNothing(TlsVersion v) {
    // Rule: each side sends close_notify before closing its write side (RFC 8446 §6.1, RFC 5246 §7.2.1); then TCP closes gracefully.
    TlsTransfer.Result r = run(v, ServerEnding.CLOSE);
    TlsTrace trace = new TlsTrace(r.network());
    String why = r.outcome() + "\n" + trace.summary();
    assertThat(r.finished()).as(why).isTrue();
    assertThat(r.clientReadEverything()).as(why).isTrue();
    TlsConnection client = r.client().tls();
    TlsConnection server = r.server().tls();
    for (TlsConnection c : new TlsConnection[] {client, server}) {
      assertThat(c.closeNotifySent()).isTrue();
      assertThat(c.closeNotifyReceived()).isTrue();
      assertThat(c.truncation()).isNull();
      assertThat(c.failure()).isNull();
    }
    assertThat(r.client().end()).as(why).isEqualTo(ConnectionEnd.CLOSED_GRACEFULLY);
    assertThat(r.server().end()).as(why).isEqualTo(ConnectionEnd.CLOSED_GRACEFULLY);
    assertThat(trace.sent(CLIENT, TcpFlags.RST)).isEmpty();
    assertThat(trace.sent(SERVER, TcpFlags.RST)).isEmpty();

    // The server: close_notify, then FIN after all its data (shutdown: it still reads), then the
    // client's close_notify arrives and the socket is closed.
    TraceEvent serverCn = trace.stack(SERVER, "TLS close_notify queued");
    TraceEvent serverShutdown = trace.stack(SERVER, "TCP shutdown(SHUT_WR) after close_notify");
    TraceEvent serverFin = trace.sent(SERVER, TcpFlags.FIN).get(0);
    assertThat(serverFin.segment().seq() + serverFin.segment().payloadLength())
        .isEqualTo(trace.dataEnd(SERVER));
    // The client: close_notify received, answers with its own, then FIN.
    TraceEvent clientCnIn = trace.stack(CLIENT, "TLS close_notify received");
    TraceEvent clientCn = trace.stack(CLIENT, "TLS close_notify queued");
    TraceEvent clientClose = trace.stack(CLIENT, "TCP close after close_notify");
    TraceEvent clientFin = trace.sent(CLIENT, TcpFlags.FIN).get(0);
    assertThat(clientFin.segment().seq() + clientFin.segment().payloadLength())
        .isEqualTo(trace.dataEnd(CLIENT));
    TraceEvent serverCnIn = trace.stack(SERVER, "TLS close_notify received");
    TraceEvent serverClose = trace.stack(SERVER, "peer's close_notify received: TCP close");
    assertThat(trace.events()).containsSubsequence(serverCn, serverShutdown, serverFin, clientCnIn,
        clientCn, clientClose, clientFin);
    assertThat(trace.events()).containsSubsequence(clientCn, serverCnIn);
    assertThat(trace.events()).containsSubsequence(serverCnIn, serverClose);
  }

  // ---------------------------------------------------------------------------------------------
  // truncation

  @ParameterizedTest(name = "{0}")
  @EnumSource(TlsVersion.class)
  void finWithoutCloseNotifyIsATruncationEvenWhenEveryByteArrived(TlsVersion v) {
    // Rule: a TCP FIN before close_notify is a truncation: the client cannot know the data is complete.
    TlsTransfer.Result r = run(v, ServerEnding.FIN_WITHOUT_CLOSE_NOTIFY);
    String why = r.outcome() + "\n" + new TlsTrace(r.network()).summary();
    assertThat(r.finished()).isTrue();
    assertThat(r.client().bytesRead()).isEqualTo(150_000); // here it happened to be complete
    assertThat(r.client().tls().closeNotifyReceived()).isFalse();
    assertThat(r.client().tls().truncation()).as(why).isEqualTo("FIN before close_notify");
    // The server closed TCP itself: no truncation on its side.
    assertThat(r.server().tls().truncation()).as(why).isNull();
    assertThat(r.server().tls().closeNotifySent()).isFalse();
    assertThat(r.client().end()).isEqualTo(ConnectionEnd.CLOSED_GRACEFULLY);
    assertThat(r.server().end()).isEqualTo(ConnectionEnd.CLOSED_GRACEFULLY);
    assertThat(r.outcome()).contains("and no close_notify");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(TlsVersion.class)
  void rstWithoutCloseNotifyIsATruncation(TlsVersion v) {
    // Rule: a TCP RST before close_notify is a truncation, even after every byte was acknowledged.
    TlsTransfer.Result r = run(v, ServerEnding.RST_WITHOUT_CLOSE_NOTIFY);
    TlsTrace trace = new TlsTrace(r.network());
    String why = r.outcome() + "\n" + trace.summary();
    assertThat(r.finished()).isTrue();
    assertThat(r.client().bytesRead()).isEqualTo(150_000);
    assertThat(r.client().tls().closeNotifyReceived()).isFalse();
    assertThat(r.client().tls().truncation()).as(why).isEqualTo("RST before close_notify");
    assertThat(r.client().end()).isEqualTo(ConnectionEnd.RESET_BY_PEER);
    assertThat(r.server().end()).isEqualTo(ConnectionEnd.ABORTED_LOCALLY);
    TraceEvent rst = trace.firstRst(SERVER).orElseThrow();
    assertThat(rst.segment().seq()).isEqualTo(trace.dataEnd(SERVER));
    // A plain TCP abort: no TLS decision was involved.
    assertThat(trace.find(TraceEvent.Kind.STACK, SERVER, "RST ")).isEmpty();
  }

  // ---------------------------------------------------------------------------------------------
  // half-close

  @ParameterizedTest(name = "{0}")
  @EnumSource(TlsVersion.class)
  void closeNotifyClosesOnlyTheSendingDirection(TlsVersion v) {
    // Rule: TlsConnection.closeNotify() closes our write side only; the peer may go on writing and we go on reading (RFC 8446 §6.1 half-close).
    HalfClose h = new HalfClose(v);
    h.net.runUntil(() -> h.client != null && h.server != null
        && h.client.socket().end() != null && h.server.socket().end() != null
        && h.net.hosts().stream().allMatch(x -> x.stack().connectionCount() == 0), 600 * S);
    String why = new TlsTrace(h.net).summary();

    // The server sent close_notify first, and could not write after it ...
    assertThat(h.serverWriteAfterCloseNotify).as(why).isNotNull();
    assertThat(h.serverWriteAfterCloseNotify.error()).isEqualTo(SocketError.EPIPE);
    // ... but read everything the client sent after receiving that close_notify.
    assertThat(h.clientSawCloseNotifyBeforeWriting).isTrue();
    assertThat(h.serverReceived.toByteArray()).as(why).isEqualTo(h.late);
    assertThat(h.server.closeNotifyReceived()).isTrue();
    assertThat(h.client.closeNotifyReceived()).isTrue();
    assertThat(h.server.truncation()).isNull();
    assertThat(h.client.truncation()).isNull();
    assertThat(h.client.socket().end()).isEqualTo(ConnectionEnd.CLOSED_GRACEFULLY);
    assertThat(h.server.socket().end()).isEqualTo(ConnectionEnd.CLOSED_GRACEFULLY);
  }

  /**
   * The server answers the request and sends close_notify at once, without closing TCP; the client, once
   * it has the close_notify, still sends 20 000 bytes and then closes; the server reads them.
   */
  private static final class HalfClose {
    final Network net;
    final byte[] late = new byte[20_000];
    final ByteArrayOutputStream serverReceived = new ByteArrayOutputStream();
    TlsConnection server;
    TlsConnection client;
    TcpSocketException serverWriteAfterCloseNotify;
    boolean clientSawCloseNotifyBeforeWriting;
    private boolean requestSeen;
    private boolean lateSent;
    private boolean closed;

    HalfClose(TlsVersion v) {
      new Random(5).nextBytes(late);
      net = Topology.twoHosts(5, LINK, b -> b.profile(Profile.LINUX));
      Host c = net.host(CLIENT);
      Host s = net.host(SERVER);
      TlsIdentity identity = TlsIdentity.generate(5, "server");
      TcpListener listener = s.stack().listen(443, 4);
      listener.onAcceptable(() -> net.at(net.now(), () -> {
        TcpSocket sock = listener.accept();
        if (sock == null || server != null) return;
        server = TlsConnection.server(sock, v, identity, 5, null, RstPolicy.DEFER_UNTIL_DELIVERED);
        server.setListener(new TlsConnection.Listener() {
          @Override
          public void readable(TlsConnection t) {
            byte[] buf = new byte[8192];
            int n;
            while ((n = t.read(buf)) > 0) {
              if (requestSeen) serverReceived.write(buf, 0, n);
            }
            if (!requestSeen) {
              requestSeen = true;
              net.traceApp(s, "TLS write 10000 bytes, then closeNotify() without a TCP close");
              t.write(new byte[10_000]);
              t.closeNotify();
              try {
                t.write(new byte[1]);
              } catch (TcpSocketException e) {
                serverWriteAfterCloseNotify = e;
              }
            }
            if (n < 0 && t.closeNotifyReceived() && !closed) {
              closed = true;
              net.traceApp(s, "client's close_notify after " + serverReceived.size()
                  + " late bytes: close()");
              t.close();
            }
          }
        });
      }));
      net.at(0, () -> {
        TcpSocket sock = c.stack().connect(s.address(), 443);
        client = TlsConnection.client(sock, v, 6, null, RstPolicy.DEFER_UNTIL_DELIVERED);
        client.setListener(new TlsConnection.Listener() {
          @Override
          public void handshakeComplete(TlsConnection t) {
            t.write("request".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
          }

          @Override
          public void readable(TlsConnection t) {
            byte[] buf = new byte[8192];
            int n;
            do {
              n = t.read(buf);
            } while (n > 0);
            if (n < 0 && !lateSent) {
              lateSent = true;
              clientSawCloseNotifyBeforeWriting = t.closeNotifyReceived();
              net.traceApp(c, "server's close_notify read; write " + late.length
                  + " more bytes, then close()");
              t.write(late);
              t.close();
            }
          }
        });
      });
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(TlsVersion.class)
  void bouncyCastleOnItsOwnHasNoHalfClose(TlsVersion v) throws IOException {
    // Rule: Bouncy Castle itself answers a close_notify at once and closes both directions; only the engine's interception gives TlsConnection a half-close.
    BcPair bc = new BcPair(v);
    bc.handshake();

    // The client closes (BC's close(): close_notify, then the connection counts as closed).
    bc.client.close();
    assertThat(bc.client.isClosed()).isTrue();
    assertThatThrownBy(() -> bc.client.writeApplicationData(new byte[1], 0, 1))
        .isInstanceOf(IOException.class);
    bc.pump();
    // The server did not get to choose: receiving close_notify, BC sent its own and closed too.
    assertThat(bc.server.isClosed()).isTrue();
    assertThat(bc.serverAlertsSent).contains(AlertDescription.close_notify);
    assertThatThrownBy(() -> bc.server.writeApplicationData(new byte[1], 0, 1))
        .as("no half-close: the receiver of close_notify cannot send any more")
        .isInstanceOf(IOException.class);
  }

  /** Two Bouncy Castle endpoints, stock classes, pumped in memory. */
  private static final class BcPair {
    final BcTlsCrypto crypto = new BcTlsCrypto(new SecureRandom());
    final TlsClientProtocol client = new TlsClientProtocol();
    final TlsServerProtocol server = new TlsServerProtocol();
    final Vector<Short> serverAlertsSent = new Vector<>();
    private final ProtocolVersion version;
    private final AsymmetricCipherKeyPair key;
    private final byte[] certificate;

    BcPair(TlsVersion v) throws IOException {
      version = v == TlsVersion.TLS_1_3 ? ProtocolVersion.TLSv13 : ProtocolVersion.TLSv12;
      X9ECParameters p256 = CustomNamedCurves.getByName("secp256r1");
      ECKeyPairGenerator gen = new ECKeyPairGenerator();
      gen.init(new ECKeyGenerationParameters(new ECDomainParameters(p256), new SecureRandom()));
      key = gen.generateKeyPair();
      X500Name name = new X500Name("CN=bc.test");
      X509v3CertificateBuilder b = new BcX509v3CertificateBuilder(name, BigInteger.ONE,
          new Date(0), new Date(4_000_000_000_000L), name,
          (org.bouncycastle.crypto.params.ECPublicKeyParameters) key.getPublic());
      try {
        var sigAlg = new DefaultSignatureAlgorithmIdentifierFinder().find("SHA256withECDSA");
        var digAlg = new DefaultDigestAlgorithmIdentifierFinder().find(sigAlg);
        certificate = b.build(new BcECContentSignerBuilder(sigAlg, digAlg).build(key.getPrivate()))
            .getEncoded();
      } catch (org.bouncycastle.operator.OperatorCreationException e) {
        throw new IOException(e);
      }
    }

    void handshake() throws IOException {
      client.connect(new DefaultTlsClient(crypto) {
        @Override
        protected ProtocolVersion[] getSupportedVersions() {
          return version.only();
        }

        @Override
        public TlsAuthentication getAuthentication() {
          return new TlsAuthentication() {
            @Override
            public void notifyServerCertificate(TlsServerCertificate c) {}

            @Override
            public TlsCredentials getClientCredentials(CertificateRequest r) {
              return null;
            }
          };
        }
      });
      server.accept(new DefaultTlsServer(crypto) {
        @Override
        protected ProtocolVersion[] getSupportedVersions() {
          return version.only();
        }

        @Override
        protected int[] getSupportedCipherSuites() {
          return new int[] {CipherSuite.TLS_AES_128_GCM_SHA256,
              CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256};
        }

        @Override
        public TlsCredentials getCredentials() throws IOException {
          TlsCertificate cert = crypto.createCertificate(certificate);
          Certificate chain = version == ProtocolVersion.TLSv13
              ? new Certificate(TlsUtils.EMPTY_BYTES,
                  new CertificateEntry[] {new CertificateEntry(cert, null)})
              : new Certificate(new TlsCertificate[] {cert});
          return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto,
              key.getPrivate(), chain,
              new SignatureAndHashAlgorithm(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
        }

        @Override
        public void notifyAlertRaised(short level, short description, String message,
            Throwable cause) {
          serverAlertsSent.add(description);
        }
      });
      pump();
      assertThat(client.isHandshaking()).isFalse();
      assertThat(server.isHandshaking()).isFalse();
    }

    void pump() throws IOException {
      boolean moved = true;
      while (moved) {
        moved = move(client, server) | move(server, client);
      }
    }

    private static boolean move(TlsProtocol from, TlsProtocol to) throws IOException {
      int n = from.getAvailableOutputBytes();
      if (n == 0) return false;
      byte[] b = new byte[n];
      from.readOutput(b, 0, n);
      if (!to.isClosed()) to.offerInput(b);
      return true;
    }
  }

  @Test
  void closeBeforeTheHandshakeCompletesWaitsForTheCloseNotify() {
    // Rule: close() never puts a FIN ahead of its close_notify: during the handshake the TCP close waits until close_notify is out.
    Network net = Topology.twoHosts(9, LINK, b -> b.profile(Profile.LINUX));
    Host c = net.host(CLIENT);
    Host s = net.host(SERVER);
    TlsIdentity identity = TlsIdentity.generate(9, "server");
    TlsConnection[] server = new TlsConnection[1];
    TcpListener listener = s.stack().listen(443, 4);
    listener.onAcceptable(() -> net.at(net.now(), () -> {
      TcpSocket sock = listener.accept();
      if (sock != null) {
        server[0] = TlsConnection.server(sock, TlsVersion.TLS_1_3, identity, 9, null,
            RstPolicy.DEFER_UNTIL_DELIVERED);
        server[0].setListener(new TlsConnection.Listener() {
          @Override
          public void readable(TlsConnection t) {
            if (t.read(new byte[64]) < 0 && t.closeNotifyReceived()) t.close();
          }
        });
      }
    }));
    TlsConnection[] client = new TlsConnection[1];
    net.at(0, () -> {
      client[0] = TlsConnection.client(c.stack().connect(s.address(), 443), TlsVersion.TLS_1_3, 10,
          null, RstPolicy.DEFER_UNTIL_DELIVERED);
      client[0].close(); // before TCP is even up
    });
    net.runUntil(() -> server[0] != null && server[0].socket().end() != null
        && client[0].socket().end() != null, 600 * S);
    TlsTrace trace = new TlsTrace(net);
    String why = trace.summary();
    assertThat(server[0].closeNotifyReceived()).as(why).isTrue();
    assertThat(server[0].truncation()).isNull();
    assertThat(client[0].closeNotifyReceived()).isTrue();
    assertThat(client[0].socket().end()).isEqualTo(ConnectionEnd.CLOSED_GRACEFULLY);
    assertThat(server[0].socket().end()).isEqualTo(ConnectionEnd.CLOSED_GRACEFULLY);
    TraceEvent fin = trace.sent(CLIENT, TcpFlags.FIN).get(0);
    assertThat(trace.before(trace.stack(CLIENT, "TCP shutdown(SHUT_WR) after close_notify"), fin))
        .isTrue();
  }
}
