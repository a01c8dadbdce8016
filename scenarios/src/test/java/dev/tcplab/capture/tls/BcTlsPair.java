package dev.tcplab.capture.tls;

import dev.tcplab.tls.TlsIdentity;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Vector;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateEntry;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.NamedGroup;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SecurityParameters;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsClientProtocol;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.TlsServerProtocol;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.TlsSecret;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * Test-only: a Bouncy Castle client and server talking in memory, with the suite of our choosing
 * (the stack-tls engine pins one suite per version), recording both byte streams and writing an
 * NSS key log — TLS that our own code did not produce, for ChaCha20-Poly1305 and AES-256-GCM.
 */
final class BcTlsPair {
  final ByteArrayOutputStream c2s = new ByteArrayOutputStream();
  final ByteArrayOutputStream s2c = new ByteArrayOutputStream();
  final StringBuilder keyLog = new StringBuilder();

  private final boolean tls13;
  private final int suite;
  private final BcTlsCrypto clientCrypto = new BcTlsCrypto(new SecureRandom());
  private final BcTlsCrypto serverCrypto = new BcTlsCrypto(new SecureRandom());
  private final TlsClientProtocol client = new TlsClientProtocol();
  private final Server13 server = new Server13();
  private final TlsIdentity identity = TlsIdentity.generate(11);

  /** Exposes BC's protected KeyUpdate. */
  private static final class Server13 extends TlsServerProtocol {
    void keyUpdate() throws IOException {
      send13KeyUpdate(false);
    }
  }

  BcTlsPair(boolean tls13, int suite) throws IOException {
    this.tls13 = tls13;
    this.suite = suite;
    client.connect(new Client());
    server.accept(new Server());
    pump();
  }

  NssKeyLog keys() {
    return NssKeyLog.parse(keyLog.toString(), "bc");
  }

  /** The server writes {@code n} bytes of application data. */
  BcTlsPair serverWrites(int n) throws IOException {
    byte[] data = new byte[n];
    Arrays.fill(data, (byte) 'x');
    server.writeApplicationData(data, 0, n);
    pump();
    return this;
  }

  BcTlsPair clientWrites(int n) throws IOException {
    client.writeApplicationData(new byte[n], 0, n);
    pump();
    return this;
  }

  /** TLS 1.3: the server moves to its next traffic secret. */
  BcTlsPair serverKeyUpdate() throws IOException {
    server.keyUpdate();
    pump();
    return this;
  }

  /** The server sends close_notify; BC's client answers with its own. */
  BcTlsPair serverCloses() throws IOException {
    server.close();
    pump();
    return this;
  }

  /**
   * Flips a byte in the last server record still in flight and delivers it: the client raises
   * bad_record_mac (an encrypted fatal alert).
   */
  BcTlsPair serverWritesCorrupted(int n) throws IOException {
    byte[] data = new byte[n];
    server.writeApplicationData(data, 0, n);
    int avail = server.getAvailableOutputBytes();
    byte[] out = new byte[avail];
    server.readOutput(out, 0, avail);
    out[out.length - 20] ^= 1;
    s2c.write(out, 0, out.length);
    try {
      client.offerInput(out);
    } catch (IOException expected) {
      // bad_record_mac
    }
    pump();
    return this;
  }

  private void pump() throws IOException {
    boolean moved = true;
    while (moved) {
      moved = false;
      int n = client.getAvailableOutputBytes();
      if (n > 0) {
        byte[] b = new byte[n];
        client.readOutput(b, 0, n);
        c2s.write(b, 0, n);
        if (!server.isClosed()) {
          try {
            server.offerInput(b);
          } catch (IOException e) {
            // the server received a fatal alert (a test that corrupts records)
          }
        }
        moved = true;
      }
      n = server.getAvailableOutputBytes();
      if (n > 0) {
        byte[] b = new byte[n];
        server.readOutput(b, 0, n);
        s2c.write(b, 0, n);
        if (!client.isClosed()) {
          try {
            client.offerInput(b);
          } catch (IOException e) {
            // the client failed (a test that corrupts records): its alert is in its output
          }
        }
        moved = true;
      }
      drain(client);
      drain(server);
    }
  }

  private static void drain(org.bouncycastle.tls.TlsProtocol p) {
    byte[] b = new byte[65536];
    while (p.getAvailableInputBytes() > 0) {
      try {
        p.readInput(b, 0, b.length);
      } catch (RuntimeException e) {
        return;
      }
    }
  }

  private ProtocolVersion[] versions() {
    return new ProtocolVersion[] {tls13 ? ProtocolVersion.TLSv13 : ProtocolVersion.TLSv12};
  }

  private void log(String label, byte[] random, TlsSecret secret) throws IOException {
    if (secret == null) {
      return;
    }
    byte[] s = secret.encrypt((b, o, l) -> Arrays.copyOfRange(b, o, o + l));
    keyLog.append(label).append(' ').append(HexFormat.of().formatHex(random)).append(' ')
        .append(HexFormat.of().formatHex(s)).append('\n');
  }

  private final class Client extends DefaultTlsClient {
    Client() {
      super(clientCrypto);
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
      return versions();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
      return new int[] {suite};
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    protected Vector getSupportedGroups(Vector namedGroupRoles) {
      Vector groups = new Vector();
      groups.add(NamedGroup.x25519);
      return groups;
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

    @Override
    public void notifyHandshakeComplete() throws IOException {
      super.notifyHandshakeComplete();
      SecurityParameters sp = context.getSecurityParametersConnection();
      byte[] r = sp.getClientRandom();
      if (tls13) {
        log("CLIENT_HANDSHAKE_TRAFFIC_SECRET", r, sp.getBaseKeyClient());
        log("SERVER_HANDSHAKE_TRAFFIC_SECRET", r, sp.getBaseKeyServer());
        log("CLIENT_TRAFFIC_SECRET_0", r, sp.getTrafficSecretClient());
        log("SERVER_TRAFFIC_SECRET_0", r, sp.getTrafficSecretServer());
      } else {
        log("CLIENT_RANDOM", r, sp.getMasterSecret());
      }
    }
  }

  private final class Server extends DefaultTlsServer {
    Server() {
      super(serverCrypto);
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
      return versions();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
      return new int[] {suite};
    }

    @Override
    public TlsCredentials getCredentials() throws IOException {
      TlsCertificate cert = serverCrypto.createCertificate(identity.certificateDer());
      Certificate chain = TlsUtils.isTLSv13(context)
          ? new Certificate(TlsUtils.EMPTY_BYTES, new CertificateEntry[] {
              new CertificateEntry(cert, null)})
          : new Certificate(new TlsCertificate[] {cert});
      AsymmetricKeyParameter key;
      try (PEMParser p = new PEMParser(new StringReader(identity.privateKeyPem()))) {
        key = PrivateKeyFactory.createKey((PrivateKeyInfo) p.readObject());
      }
      return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), serverCrypto,
          key, chain,
          SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
    }
  }

  static short badRecordMac() {
    return AlertDescription.bad_record_mac;
  }
}
