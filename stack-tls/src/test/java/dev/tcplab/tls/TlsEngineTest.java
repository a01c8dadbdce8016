package dev.tcplab.tls;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.generators.RSAKeyPairGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.bouncycastle.crypto.params.RSAKeyGenerationParameters;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.AlertLevel;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TlsEngineTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final TlsIdentity IDENTITY = TlsIdentity.generate(7);

  // ------------------------------------------------------------------------------------------
  // handshake

  @ParameterizedTest
  @EnumSource(TlsVersion.class)
  void handshakeNegotiatesExactlyTheRequestedVersionAndCipher(TlsVersion version) {
    Link link = new Link(version, 1, 2);
    assertThat(link.client.engine.handshakeComplete()).isFalse();
    link.handshake();

    String suite =
        version == TlsVersion.TLS_1_3
            ? "TLS_AES_128_GCM_SHA256"
            : "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
    for (Side side : link.sides()) {
      assertThat(side.engine.handshakeComplete()).isTrue();
      assertThat(side.engine.version()).isEqualTo(version);
      assertThat(side.engine.cipherSuite()).contains(suite);
      assertThat(side.events).containsExactly("handshake " + version.display() + " " + suite);
      assertThat(side.engine.failed()).isFalse();
      assertThat(side.engine.closed()).isFalse();
    }
    // Record layer version on the wire: TLS 1.2 everywhere after the hellos (1.3 hides behind
    // 0x0303).
    byte[] clientHello = link.client.transcript.toByteArray();
    assertThat(clientHello[0]).isEqualTo((byte) 22);
    assertThat(link.client.engine.peerCertificate())
        .hasValueSatisfying(c -> assertThat(c).isEqualTo(IDENTITY.certificate()));
  }

  @Test
  void tlsVersionDisplayAndParse() {
    assertThat(TlsVersion.TLS_1_2.display()).isEqualTo("1.2");
    assertThat(TlsVersion.TLS_1_3.display()).isEqualTo("1.3");
    assertThat(TlsVersion.parse("1.3")).isEqualTo(TlsVersion.TLS_1_3);
    assertThat(TlsVersion.parse("TLSv1.2")).isEqualTo(TlsVersion.TLS_1_2);
    assertThat(TlsVersion.parse("tls_1_3")).isEqualTo(TlsVersion.TLS_1_3);
    assertThatThrownBy(() -> TlsVersion.parse("1.1")).hasMessageContaining("1.1");
  }

  @ParameterizedTest
  @EnumSource(TlsVersion.class)
  void inputSplitAnywhereIsReassembled(TlsVersion version) {
    Link link = new Link(version, 3, 4);
    link.chunk = 1; // every byte is a separate offerInput
    link.handshake();
    byte[] data = randomBytes(40_000, 5);
    link.chunk = 1_337;
    link.client.engine.writeApplicationData(data, 0, data.length);
    link.pump();
    assertThat(link.server.received.toByteArray()).isEqualTo(data);
    assertThat(link.server.engine.partialRecordBytes()).isZero();
  }

  @Test
  void clientMustBeStartedButServerStartsItself() {
    TlsEngine client = TlsEngine.client(TlsVersion.TLS_1_3, 1, null);
    assertThatThrownBy(() -> client.offerInput(new byte[1], 0, 1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("start()");
    TlsEngine server = TlsEngine.server(TlsVersion.TLS_1_3, IDENTITY, 2, null);
    client.start();
    byte[] hello = client.drainOutput();
    server.offerInput(hello, 0, hello.length);
    assertThat(server.started()).isTrue();
    assertThat(server.pendingOutput()).isPositive();
  }

  // -------------------------------------------------------------------------------- application
  // data

  @ParameterizedTest
  @EnumSource(TlsVersion.class)
  void applicationDataFlowsBothWaysIncluding200KB(TlsVersion version) {
    Link link = new Link(version, 10, 20);
    link.handshake();

    byte[] ping = "ping".getBytes(US_ASCII);
    link.client.engine.writeApplicationData(ping, 0, ping.length);
    link.pump();
    assertThat(link.server.received.toByteArray()).isEqualTo(ping);
    byte[] pong = "pong".getBytes(US_ASCII);
    link.server.engine.writeApplicationData(pong, 0, pong.length);
    link.pump();
    assertThat(link.client.received.toByteArray()).isEqualTo(pong);

    byte[] up = randomBytes(200 * 1024, 1);
    byte[] down = randomBytes(200 * 1024 + 17, 2);
    link.client.received.reset();
    link.server.received.reset();
    // Both directions at once, in uneven slices.
    for (int off = 0; off < down.length; off += 10_000) {
      link.client.engine.writeApplicationData(
          up, Math.min(off, up.length), Math.min(10_000, Math.max(0, up.length - off)));
      link.server.engine.writeApplicationData(down, off, Math.min(10_000, down.length - off));
    }
    link.pump();
    assertThat(link.server.received.toByteArray()).isEqualTo(up);
    assertThat(link.client.received.toByteArray()).isEqualTo(down);
    // 200 KiB needs at least 13 records of at most 16 KiB.
    assertThat(
            records(link.client.transcript.toByteArray()).stream()
                .filter(r -> r.type == 23)
                .count())
        .isGreaterThanOrEqualTo(13);
  }

  @ParameterizedTest
  @EnumSource(TlsVersion.class)
  void dataAndCloseRequestedDuringTheHandshakeAreSentRightAfterIt(TlsVersion version) {
    Link link = new Link(version, 11, 12);
    byte[] early = "GET / HTTP/1.0\r\n\r\n".getBytes(US_ASCII);
    link.client.engine.writeApplicationData(early, 0, early.length);
    link.client.engine.closeNotify();
    assertThat(link.client.engine.closeNotifyRequested()).isTrue();
    assertThat(link.client.engine.closeNotifySent()).isFalse();
    link.handshake();
    assertThat(link.client.engine.closeNotifySent()).isTrue();
    assertThat(link.server.received.toByteArray()).isEqualTo(early);
    assertThat(link.server.engine.closeNotifyReceived()).isTrue();
    assertThat(link.server.eof).isTrue();
  }

  // --------------------------------------------------------------------------------------
  // close_notify

  @ParameterizedTest
  @EnumSource(TlsVersion.class)
  void closeNotifyOneWayThenTheOther(TlsVersion version) {
    Link link = new Link(version, 30, 40);
    link.handshake();
    link.clearEvents();

    // 1. The client closes its direction.
    link.client.engine.closeNotify();
    assertThat(link.client.engine.closeNotifySent()).isTrue();
    assertThat(link.client.events).containsExactly("alertSent warning close_notify");
    link.pump();
    assertThat(link.server.engine.closeNotifyReceived()).isTrue();
    assertThat(link.server.events)
        .containsExactly("alertReceived warning close_notify", "closeNotifyReceived");
    assertThat(link.server.eof).isTrue();
    byte[] buf = new byte[16];
    assertThat(link.server.engine.readApplicationData(buf, 0, buf.length)).isEqualTo(-1);
    // Not answered automatically: nothing went back, both ends are half-closed.
    assertThat(link.server.engine.closeNotifySent()).isFalse();
    assertThat(link.server.engine.pendingOutput()).isZero();
    assertThat(link.client.engine.closeNotifyReceived()).isFalse();
    assertThat(link.client.engine.closed()).isFalse();
    assertThatThrownBy(() -> link.client.engine.writeApplicationData(buf, 0, 1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("close_notify");

    // 2. The server may still send (half-close), then closes its direction.
    byte[] last = "last words".getBytes(US_ASCII);
    link.server.engine.writeApplicationData(last, 0, last.length);
    link.server.engine.closeNotify();
    link.server.engine.closeNotify(); // idempotent
    link.pump();
    assertThat(link.client.received.toByteArray()).isEqualTo(last);
    assertThat(link.client.engine.closeNotifyReceived()).isTrue();
    assertThat(link.client.events)
        .containsExactly(
            "alertSent warning close_notify",
            "alertReceived warning close_notify",
            "closeNotifyReceived");
    assertThat(link.server.events)
        .containsExactly(
            "alertReceived warning close_notify",
            "closeNotifyReceived",
            "alertSent warning close_notify");
    for (Side side : link.sides()) {
      assertThat(side.engine.closed()).isTrue();
      assertThat(side.engine.failed()).isFalse();
      assertThat(side.engine.pendingOutput()).isZero();
    }

    // 3. Anything after the peer's close_notify is ignored.
    link.client.engine.offerInput(new byte[] {23, 3, 3, 0, 1, 0}, 0, 6);
    assertThat(link.client.engine.ignoredInputBytes()).isEqualTo(6);
    assertThat(link.client.engine.availableInput()).isZero();
  }

  // ----------------------------------------------------------------------------------------
  // failures

  @Test
  void tls13OnlyServerRejectsTls12OnlyClientWithProtocolVersion() {
    TlsEngine client = TlsEngine.client(TlsVersion.TLS_1_2, 1, null);
    TlsEngine server = TlsEngine.server(TlsVersion.TLS_1_3, IDENTITY, 2, null);
    assertMismatchFails(client, server);
  }

  @Test
  void tls12OnlyServerRejectsTls13OnlyClientWithProtocolVersion() {
    TlsEngine client = TlsEngine.client(TlsVersion.TLS_1_3, 1, null);
    TlsEngine server = TlsEngine.server(TlsVersion.TLS_1_2, IDENTITY, 2, null);
    assertMismatchFails(client, server);
  }

  private static void assertMismatchFails(TlsEngine client, TlsEngine server) {
    List<String> clientEvents = new ArrayList<>();
    List<String> serverEvents = new ArrayList<>();
    client.addListener(new Recorder(clientEvents));
    server.addListener(new Recorder(serverEvents));
    client.start();
    byte[] hello = client.drainOutput();

    TlsFailure local =
        catchThrowableOfType(TlsFailure.class, () -> server.offerInput(hello, 0, hello.length));
    assertThat(local.origin()).isEqualTo(TlsFailure.Origin.LOCAL);
    assertThat(local.alertDescription()).isEqualTo(AlertDescription.protocol_version);
    assertThat(local.alertName()).isEqualTo("protocol_version");
    assertThat(local).hasMessageContaining("protocol_version").hasMessageContaining("sent");
    assertThat(server.failed()).isTrue();
    assertThat(server.closed()).isTrue();
    assertThat(server.failure()).containsSame(local);
    assertThat(serverEvents).containsExactly("alertSent fatal protocol_version");
    // Later calls rethrow the same failure.
    assertThatThrownBy(() -> server.writeApplicationData(new byte[1], 0, 1)).isSameAs(local);

    // The fatal alert is still in the output: a plaintext alert record, fatal(2)
    // protocol_version(70).
    // (BC's record version here echoes the client's: 0x0303, or 0x0304 for a 1.3-only client.)
    byte[] alert = server.drainOutput();
    assertThat(alert).hasSize(7);
    assertThat(alert[0]).isEqualTo((byte) 21);
    assertThat(Arrays.copyOfRange(alert, 3, 7)).containsExactly(0, 2, 2, 70);
    TlsFailure remote =
        catchThrowableOfType(TlsFailure.class, () -> client.offerInput(alert, 0, alert.length));
    assertThat(remote.origin()).isEqualTo(TlsFailure.Origin.PEER);
    assertThat(remote.alertName()).isEqualTo("protocol_version");
    assertThat(remote).hasMessageContaining("protocol_version").hasMessageContaining("received");
    assertThat(clientEvents).containsExactly("alertReceived fatal protocol_version");
    assertThat(client.handshakeComplete()).isFalse();
  }

  @ParameterizedTest
  @EnumSource(TlsVersion.class)
  void tamperedRecordFailsWithBadRecordMac(TlsVersion version) {
    Link link = new Link(version, 50, 60);
    link.handshake();
    byte[] msg = "integrity".getBytes(US_ASCII);
    link.client.engine.writeApplicationData(msg, 0, msg.length);
    byte[] record = link.client.engine.drainOutput();
    record[record.length - 1] ^= 1;
    TlsFailure f =
        catchThrowableOfType(
            TlsFailure.class, () -> link.server.engine.offerInput(record, 0, record.length));
    assertThat(f.alertName()).isEqualTo("bad_record_mac");
    assertThat(f.origin()).isEqualTo(TlsFailure.Origin.LOCAL);
    byte[] alert = link.server.engine.drainOutput();
    TlsFailure g =
        catchThrowableOfType(
            TlsFailure.class, () -> link.client.engine.offerInput(alert, 0, alert.length));
    assertThat(g.alertName()).isEqualTo("bad_record_mac");
    assertThat(g.origin()).isEqualTo(TlsFailure.Origin.PEER);
  }

  // -------------------------------------------------------------------------------------
  // determinism

  @ParameterizedTest
  @EnumSource(TlsVersion.class)
  void sameSeedsGiveByteIdenticalTranscripts(TlsVersion version) {
    Transcript a = Transcript.run(version, 100, 200, 7);
    Transcript b = Transcript.run(version, 100, 200, 7);
    assertThat(a.client).isEqualTo(b.client);
    assertThat(a.server).isEqualTo(b.server);
    assertThat(a.keyLog).isEqualTo(b.keyLog);
    assertThat(a.client.length).isGreaterThan(200 * 1024);

    Transcript otherClientSeed = Transcript.run(version, 101, 200, 7);
    assertThat(otherClientSeed.client).isNotEqualTo(a.client);
    assertThat(otherClientSeed.server).isNotEqualTo(a.server);
    assertThat(otherClientSeed.keyLog).isNotEqualTo(a.keyLog);
    Transcript otherServerSeed = Transcript.run(version, 100, 201, 7);
    assertThat(otherServerSeed.client).isNotEqualTo(a.client);
    assertThat(otherServerSeed.server).isNotEqualTo(a.server);
    assertThat(otherServerSeed.keyLog).isNotEqualTo(a.keyLog);
    // The ClientHello depends on the client seed only.
    assertThat(records(otherServerSeed.client).get(0).body)
        .isEqualTo(records(a.client).get(0).body);
  }

  @Test
  void seededSecureRandomIsRepeatableAndPurposeSeparated() {
    byte[] a = new byte[100_000]; // larger than one DRBG request
    byte[] b = new byte[100_000];
    SeededSecureRandom.create(9, "x").nextBytes(a);
    SeededSecureRandom.create(9, "x").nextBytes(b);
    assertThat(a).isEqualTo(b);
    SeededSecureRandom.create(9, "y").nextBytes(b);
    assertThat(a).isNotEqualTo(b);
    SeededSecureRandom.create(10, "x").nextBytes(b);
    assertThat(a).isNotEqualTo(b);
    SeededSecureRandom r1 = SeededSecureRandom.create(9, "x");
    SeededSecureRandom r2 = SeededSecureRandom.create(9, "x");
    r1.setSeed(42L);
    r2.setSeed(42L);
    assertThat(r1.nextLong()).isEqualTo(r2.nextLong());
    assertThat(new BigInteger(256, r1)).isEqualTo(new BigInteger(256, r2));
    assertThat(r1.generateSeed(8)).isEqualTo(r2.generateSeed(8));
  }

  // ------------------------------------------------------------------------------------------ key
  // log

  @ParameterizedTest
  @EnumSource(TlsVersion.class)
  void keyLogHasTheExpectedLabelsAndHexLengths(TlsVersion version, @TempDir Path dir)
      throws IOException {
    KeyLog clientLog = new KeyLog();
    KeyLog serverLog = new KeyLog();
    Link link = new Link(version, 70, 80, IDENTITY, clientLog, serverLog);
    link.handshake();

    List<String> labels = new ArrayList<>();
    byte[] clientHello = records(link.client.transcript.toByteArray()).get(0).body;
    String clientRandom = HEX.formatHex(Arrays.copyOfRange(clientHello, 6, 38));
    for (String line : clientLog.lines()) {
      String[] f = line.split(" ");
      assertThat(f).hasSize(3);
      labels.add(f[0]);
      assertThat(f[1]).isEqualTo(clientRandom).hasSize(64);
      assertThat(f[2]).matches("[0-9a-f]+").hasSize(version == TlsVersion.TLS_1_3 ? 64 : 96);
    }
    if (version == TlsVersion.TLS_1_3) {
      assertThat(labels)
          .containsExactly(
              "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
              "SERVER_HANDSHAKE_TRAFFIC_SECRET",
              "CLIENT_TRAFFIC_SECRET_0",
              "SERVER_TRAFFIC_SECRET_0",
              "EXPORTER_SECRET");
      assertThat(clientLog.lines().stream().map(l -> l.split(" ")[2]).distinct()).hasSize(5);
    } else {
      assertThat(labels).containsExactly("CLIENT_RANDOM");
    }
    // Both ends derive the same secrets; a shared log holds each line once.
    assertThat(serverLog.lines()).isEqualTo(clientLog.lines());
    KeyLog shared = new KeyLog();
    Link twice = new Link(version, 70, 80, IDENTITY, shared, shared);
    twice.handshake();
    assertThat(shared.lines()).isEqualTo(clientLog.lines());

    Path file = dir.resolve("keys.log");
    clientLog.write(file);
    assertThat(Files.readAllLines(file, US_ASCII)).isEqualTo(clientLog.lines());
    assertThat(Files.readString(file, US_ASCII)).endsWith("\n").doesNotContain("\r");
  }

  /** Decrypts both transcripts with nothing but the key log, the way tshark does. */
  @Test
  void keyLogDecryptsTls13Records() throws Exception {
    KeyLog log = new KeyLog();
    Link link = new Link(TlsVersion.TLS_1_3, 90, 91, IDENTITY, log, null);
    link.handshake();
    link.exchangeAndClose("hello from client", "hello from server");

    List<Plain> fromServer =
        decrypt13(
            link.server.transcript.toByteArray(),
            secret(log, "SERVER_HANDSHAKE_TRAFFIC_SECRET"),
            secret(log, "SERVER_TRAFFIC_SECRET_0"));
    List<Plain> fromClient =
        decrypt13(
            link.client.transcript.toByteArray(),
            secret(log, "CLIENT_HANDSHAKE_TRAFFIC_SECRET"),
            secret(log, "CLIENT_TRAFFIC_SECRET_0"));

    assertThat(fromServer.get(0).type).isEqualTo(22);
    assertThat(fromServer.get(0).data[0]).isEqualTo((byte) 8); // EncryptedExtensions
    assertThat(appData(fromServer)).isEqualTo("hello from server");
    assertThat(fromServer.get(fromServer.size() - 1)).isEqualTo(new Plain(21, new byte[] {1, 0}));
    assertThat(fromClient.get(0).type).isEqualTo(22);
    assertThat(fromClient.get(0).data[0]).isEqualTo((byte) 20); // Finished
    assertThat(appData(fromClient)).isEqualTo("hello from client");
    assertThat(fromClient.get(fromClient.size() - 1)).isEqualTo(new Plain(21, new byte[] {1, 0}));
  }

  @Test
  void keyLogDecryptsTls12Records() throws Exception {
    KeyLog log = new KeyLog();
    Link link = new Link(TlsVersion.TLS_1_2, 92, 93, IDENTITY, null, log);
    link.handshake();
    link.exchangeAndClose("hello from client", "hello from server");

    String[] line = log.lines().get(0).split(" ");
    byte[] clientRandom = HEX.parseHex(line[1]);
    byte[] master = HEX.parseHex(line[2]);
    byte[] serverHello = records(link.server.transcript.toByteArray()).get(0).body;
    assertThat(serverHello[0]).isEqualTo((byte) 2);
    byte[] serverRandom = Arrays.copyOfRange(serverHello, 6, 38);
    byte[] keyBlock = prf12(master, "key expansion", concat(serverRandom, clientRandom), 40);
    byte[] clientKey = Arrays.copyOfRange(keyBlock, 0, 16);
    byte[] serverKey = Arrays.copyOfRange(keyBlock, 16, 32);
    byte[] clientIv = Arrays.copyOfRange(keyBlock, 32, 36);
    byte[] serverIv = Arrays.copyOfRange(keyBlock, 36, 40);

    List<Plain> fromClient = decrypt12(link.client.transcript.toByteArray(), clientKey, clientIv);
    List<Plain> fromServer = decrypt12(link.server.transcript.toByteArray(), serverKey, serverIv);
    for (List<Plain> side : List.of(fromClient, fromServer)) {
      assertThat(side.get(0).type).isEqualTo(22);
      assertThat(Arrays.copyOf(side.get(0).data, 4)).containsExactly(20, 0, 0, 12); // Finished
      assertThat(side.get(side.size() - 1)).isEqualTo(new Plain(21, new byte[] {1, 0}));
    }
    assertThat(appData(fromClient)).isEqualTo("hello from client");
    assertThat(appData(fromServer)).isEqualTo("hello from server");
  }

  // -----------------------------------------------------------------------------------------
  // identity

  @Test
  void generatedIdentityIsDeterministicSelfSignedP256WithFixedValidity() throws Exception {
    TlsIdentity a = TlsIdentity.generate(7);
    assertThat(a.certificateDer()).isEqualTo(IDENTITY.certificateDer());
    assertThat(a.privateKeyPem()).isEqualTo(IDENTITY.privateKeyPem());
    assertThat(a.sha256Fingerprint()).isEqualTo(IDENTITY.sha256Fingerprint()).hasSize(64);
    assertThat(TlsIdentity.generate(8).certificateDer()).isNotEqualTo(a.certificateDer());

    X509CertificateHolder cert = a.certificate();
    assertThat(cert.getNotBefore().toInstant()).isEqualTo(TlsIdentity.NOT_BEFORE);
    assertThat(cert.getNotAfter().toInstant()).isEqualTo(TlsIdentity.NOT_AFTER);
    assertThat(cert.getSubject()).isEqualTo(cert.getIssuer());
    assertThat(a.subject()).isEqualTo("CN=tcplab.test,O=TcpLab");
    assertThat(
            cert.getSubjectPublicKeyInfo()
                .getAlgorithm()
                .getParameters()
                .toASN1Primitive()
                .toString())
        .isEqualTo("1.2.840.10045.3.1.7"); // prime256v1
    assertThat(cert.getExtension(Extension.subjectAlternativeName)).isNotNull();
    assertThat(
            cert.isSignatureValid(
                new org.bouncycastle.operator.bc.BcECContentVerifierProviderBuilder(
                        new org.bouncycastle.operator.DefaultDigestAlgorithmIdentifierFinder())
                    .build(cert)))
        .isTrue();
    assertThat(TlsIdentity.generate(7, "example.org").subject())
        .isEqualTo("CN=example.org,O=TcpLab");
  }

  @Test
  void pemRoundTripLoadsTheSameIdentityAndServesHandshakes(@TempDir Path dir) throws IOException {
    Path key = dir.resolve("server.key");
    Path cert = dir.resolve("server.crt");
    IDENTITY.writePem(key, cert);
    assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----\n");
    assertThat(Files.readString(cert)).startsWith("-----BEGIN CERTIFICATE-----\n");

    TlsIdentity loaded = TlsIdentity.fromPem(key, cert);
    assertThat(loaded.certificateDer()).isEqualTo(IDENTITY.certificateDer());
    assertThat(loaded.privateKeyPem()).isEqualTo(IDENTITY.privateKeyPem());
    assertThat(loaded.chain()).hasSize(1);

    for (TlsVersion version : TlsVersion.values()) {
      Link link = new Link(version, 1, 2, loaded, null, null);
      link.handshake();
      assertThat(link.client.engine.peerCertificate()).contains(IDENTITY.certificate());
    }

    // A SEC1 "EC PRIVATE KEY" (openssl ecparam -genkey style) with an EC PARAMETERS block loads
    // too.
    org.bouncycastle.asn1.pkcs.PrivateKeyInfo info =
        PrivateKeyInfoFactory.createPrivateKeyInfo(IDENTITY.privateKey());
    Path sec1 = dir.resolve("sec1.key");
    writePem(
        sec1,
        new PemObject(
            "EC PARAMETERS",
            info.getPrivateKeyAlgorithm().getParameters().toASN1Primitive().getEncoded()),
        new PemObject("EC PRIVATE KEY", info.parsePrivateKey().toASN1Primitive().getEncoded()));
    assertThat(TlsIdentity.fromPem(sec1, cert).privateKeyPem()).isEqualTo(IDENTITY.privateKeyPem());
  }

  @Test
  void pemErrorsNameTheFile(@TempDir Path dir) throws IOException {
    Path key = dir.resolve("server.key");
    Path cert = dir.resolve("server.crt");
    IDENTITY.writePem(key, cert);
    Path missing = dir.resolve("nope.pem");
    Path garbage = dir.resolve("garbage.pem");
    Files.write(garbage, randomBytes(300, 3));
    Path broken = dir.resolve("broken.pem");
    Files.writeString(
        broken, "-----BEGIN PRIVATE KEY-----\n!!!notbase64!!!\n-----END PRIVATE KEY-----\n");

    assertThatThrownBy(() -> TlsIdentity.fromPem(missing, cert))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("private key")
        .hasMessageContaining("not found");
    assertThatThrownBy(() -> TlsIdentity.fromPem(key, missing))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("certificate")
        .hasMessageContaining("not found");
    assertThatThrownBy(() -> TlsIdentity.fromPem(garbage, cert))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(garbage.toString())
        .hasMessageContaining("not a PEM file");
    assertThatThrownBy(() -> TlsIdentity.fromPem(key, garbage))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(garbage.toString())
        .hasMessageContaining("certificate");
    assertThatThrownBy(() -> TlsIdentity.fromPem(broken, cert))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(broken.toString())
        .hasMessageContaining("malformed PEM");
    // Key and certificate swapped.
    assertThatThrownBy(() -> TlsIdentity.fromPem(cert, key))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(cert.toString())
        .hasMessageContaining("no private key found");
    // Key from another identity.
    Path otherKey = dir.resolve("other.key");
    TlsIdentity.generate(99).writePem(otherKey, dir.resolve("other.crt"));
    assertThatThrownBy(() -> TlsIdentity.fromPem(otherKey, cert))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(otherKey.toString())
        .hasMessageContaining(cert.toString())
        .hasMessageContaining("does not match");
    // An RSA key.
    RSAKeyPairGenerator rsa = new RSAKeyPairGenerator();
    rsa.init(
        new RSAKeyGenerationParameters(
            BigInteger.valueOf(65537), SeededSecureRandom.create(1, "rsa"), 1024, 80));
    AsymmetricCipherKeyPair rsaPair = rsa.generateKeyPair();
    Path rsaKey = dir.resolve("rsa.key");
    writePem(
        rsaKey,
        new PemObject(
            "PRIVATE KEY",
            PrivateKeyInfoFactory.createPrivateKeyInfo(rsaPair.getPrivate()).getEncoded()));
    assertThatThrownBy(() -> TlsIdentity.fromPem(rsaKey, cert))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(rsaKey.toString())
        .hasMessageContaining("unsupported key type");
  }

  // ==========================================================================================
  // helpers

  private static byte[] randomBytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static void writePem(Path file, PemObject... objects) throws IOException {
    try (PemWriter w = new PemWriter(Files.newBufferedWriter(file, US_ASCII))) {
      for (PemObject o : objects) {
        w.writeObject(o);
      }
    }
  }

  /** Records every listener event as a short string. */
  static final class Recorder implements TlsEngine.Listener {
    private final List<String> events;

    Recorder(List<String> events) {
      this.events = events;
    }

    @Override
    public void handshakeComplete(TlsVersion version, String cipherSuite) {
      events.add("handshake " + version.display() + " " + cipherSuite);
    }

    @Override
    public void closeNotifyReceived() {
      events.add("closeNotifyReceived");
    }

    @Override
    public void alertReceived(short level, short description) {
      events.add("alertReceived " + level(level) + " " + TlsEngine.alertName(description));
    }

    @Override
    public void alertSent(short level, short description) {
      events.add("alertSent " + level(level) + " " + TlsEngine.alertName(description));
    }

    private static String level(short level) {
      return level == AlertLevel.fatal
          ? "fatal"
          : level == AlertLevel.warning ? "warning" : "level" + level;
    }
  }

  /** One engine plus what it emitted (its transcript) and what it received. */
  static final class Side {
    final TlsEngine engine;
    final ByteArrayOutputStream transcript = new ByteArrayOutputStream();
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    final List<String> events = new ArrayList<>();
    boolean eof;

    Side(TlsEngine engine) {
      this.engine = engine;
      engine.addListener(new Recorder(events));
    }

    void readAll() {
      byte[] buf = new byte[4096];
      int n;
      while ((n = engine.readApplicationData(buf, 0, buf.length)) > 0) {
        received.write(buf, 0, n);
      }
      if (n < 0) {
        eof = true;
      }
    }
  }

  /** A client and a server engine wired back to back in memory. */
  static final class Link {
    final Side client;
    final Side server;
    int chunk = Integer.MAX_VALUE;

    Link(TlsVersion version, long clientSeed, long serverSeed) {
      this(version, clientSeed, serverSeed, IDENTITY, null, null);
    }

    Link(
        TlsVersion version,
        long clientSeed,
        long serverSeed,
        TlsIdentity identity,
        KeyLog clientLog,
        KeyLog serverLog) {
      client = new Side(TlsEngine.client(version, clientSeed, clientLog));
      server = new Side(TlsEngine.server(version, identity, serverSeed, serverLog));
    }

    List<Side> sides() {
      return List.of(client, server);
    }

    void handshake() {
      client.engine.start();
      server.engine.start();
      pump();
      assertThat(client.engine.handshakeComplete()).isTrue();
      assertThat(server.engine.handshakeComplete()).isTrue();
    }

    /** Moves bytes both ways until neither side has anything to send. */
    void pump() {
      for (int rounds = 0; rounds < 1000; rounds++) {
        boolean moved = transfer(client, server) | transfer(server, client);
        client.readAll();
        server.readAll();
        if (!moved) {
          return;
        }
      }
      throw new AssertionError("pump did not settle");
    }

    private boolean transfer(Side from, Side to) {
      byte[] out = from.engine.drainOutput();
      if (out.length == 0) {
        return false;
      }
      from.transcript.writeBytes(out);
      for (int off = 0; off < out.length; off += chunk) {
        to.engine.offerInput(out, off, Math.min(chunk, out.length - off));
      }
      return true;
    }

    void exchangeAndClose(String fromClient, String fromServer) {
      byte[] c = fromClient.getBytes(US_ASCII);
      byte[] s = fromServer.getBytes(US_ASCII);
      client.engine.writeApplicationData(c, 0, c.length);
      server.engine.writeApplicationData(s, 0, s.length);
      pump();
      client.engine.closeNotify();
      pump();
      server.engine.closeNotify();
      pump();
      assertThat(client.engine.closed()).isTrue();
      assertThat(server.engine.closed()).isTrue();
    }

    void clearEvents() {
      client.events.clear();
      server.events.clear();
    }
  }

  /**
   * Everything each side emitted in a full scenario: handshake, 200 KiB each way, close both ways.
   */
  static final class Transcript {
    byte[] client;
    byte[] server;
    String keyLog;

    static Transcript run(TlsVersion version, long clientSeed, long serverSeed, long identitySeed) {
      KeyLog log = new KeyLog();
      Link link =
          new Link(version, clientSeed, serverSeed, TlsIdentity.generate(identitySeed), log, log);
      link.handshake();
      byte[] data = randomBytes(200 * 1024, 77);
      link.client.engine.writeApplicationData(data, 0, data.length);
      link.server.engine.writeApplicationData(data, 0, data.length);
      link.pump();
      link.exchangeAndClose("bye", "bye");
      Transcript t = new Transcript();
      t.client = link.client.transcript.toByteArray();
      t.server = link.server.transcript.toByteArray();
      t.keyLog = log.text();
      return t;
    }
  }

  static final class Record {
    final int type;
    final byte[] header;
    final byte[] body;

    Record(byte[] header, byte[] body) {
      this.type = header[0] & 0xff;
      this.header = header;
      this.body = body;
    }
  }

  static List<Record> records(byte[] stream) {
    List<Record> out = new ArrayList<>();
    int off = 0;
    while (off + 5 <= stream.length) {
      int len = ((stream[off + 3] & 0xff) << 8) | (stream[off + 4] & 0xff);
      out.add(
          new Record(
              Arrays.copyOfRange(stream, off, off + 5),
              Arrays.copyOfRange(stream, off + 5, off + 5 + len)));
      off += 5 + len;
    }
    assertThat(off).isEqualTo(stream.length);
    return out;
  }

  /** A decrypted record: its (inner) content type and plaintext. */
  record Plain(int type, byte[] data) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Plain
          && ((Plain) o).type == type
          && Arrays.equals(((Plain) o).data, data);
    }

    @Override
    public int hashCode() {
      return type * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
      return "Plain[" + type + ", " + HEX.formatHex(data) + "]";
    }
  }

  private static String appData(List<Plain> plains) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    plains.stream().filter(p -> p.type == 23).forEach(p -> out.writeBytes(p.data));
    return out.toString(US_ASCII);
  }

  private static byte[] secret(KeyLog log, String label) {
    return log.lines().stream()
        .filter(l -> l.startsWith(label + " "))
        .map(l -> HEX.parseHex(l.split(" ")[2]))
        .findFirst()
        .orElseThrow();
  }

  /**
   * TLS 1.3: the encrypted records of one direction. Handshake records use the handshake traffic
   * secret until the Finished message, then the application traffic secret; the sequence number
   * restarts with each key.
   */
  static List<Plain> decrypt13(byte[] stream, byte[] handshakeSecret, byte[] appSecret)
      throws GeneralSecurityException {
    List<Plain> out = new ArrayList<>();
    byte[] secret = handshakeSecret;
    long seq = 0;
    ByteArrayOutputStream handshake = new ByteArrayOutputStream();
    for (Record r : records(stream)) {
      if (r.type != 23) {
        continue; // ClientHello/ServerHello, middlebox-compatibility ChangeCipherSpec
      }
      byte[] key = hkdfExpandLabel(secret, "key", 16);
      byte[] iv = hkdfExpandLabel(secret, "iv", 12);
      for (int i = 0; i < 8; i++) {
        iv[4 + i] ^= (byte) (seq >>> (56 - 8 * i));
      }
      seq++;
      byte[] inner = gcmOpen(key, iv, r.header, r.body);
      int end = inner.length - 1;
      while (inner[end] == 0) {
        end--;
      }
      Plain p = new Plain(inner[end] & 0xff, Arrays.copyOf(inner, end));
      out.add(p);
      if (p.type == 22 && secret == handshakeSecret) {
        handshake.writeBytes(p.data);
        byte[] h = handshake.toByteArray();
        int off = 0;
        while (off + 4 <= h.length) {
          int type = h[off] & 0xff;
          int len = ((h[off + 1] & 0xff) << 16) | ((h[off + 2] & 0xff) << 8) | (h[off + 3] & 0xff);
          off += 4 + len;
          if (type == 20) { // Finished: switch to the application traffic secret
            secret = appSecret;
            seq = 0;
          }
        }
      }
    }
    return out;
  }

  static byte[] hkdfExpandLabel(byte[] secret, String label, int length) {
    byte[] full = ("tls13 " + label).getBytes(US_ASCII);
    byte[] info = new byte[2 + 1 + full.length + 1];
    info[0] = (byte) (length >>> 8);
    info[1] = (byte) length;
    info[2] = (byte) full.length;
    System.arraycopy(full, 0, info, 3, full.length);
    HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
    hkdf.init(HKDFParameters.skipExtractParameters(secret, info));
    byte[] out = new byte[length];
    hkdf.generateBytes(out, 0, length);
    return out;
  }

  /** TLS 1.2 AES-GCM: everything after the ChangeCipherSpec, explicit 8-byte nonce per record. */
  static List<Plain> decrypt12(byte[] stream, byte[] key, byte[] salt)
      throws GeneralSecurityException {
    List<Plain> out = new ArrayList<>();
    boolean encrypted = false;
    long seq = 0;
    for (Record r : records(stream)) {
      if (!encrypted) {
        encrypted = r.type == 20;
        continue;
      }
      byte[] nonce = concat(salt, Arrays.copyOf(r.body, 8));
      int plainLen = r.body.length - 8 - 16;
      byte[] aad = new byte[13];
      for (int i = 0; i < 8; i++) {
        aad[i] = (byte) (seq >>> (56 - 8 * i));
      }
      aad[8] = (byte) r.type;
      aad[9] = 3;
      aad[10] = 3;
      aad[11] = (byte) (plainLen >>> 8);
      aad[12] = (byte) plainLen;
      seq++;
      out.add(
          new Plain(
              r.type, gcmOpen(key, nonce, aad, Arrays.copyOfRange(r.body, 8, r.body.length))));
    }
    assertThat(encrypted).isTrue();
    return out;
  }

  static byte[] prf12(byte[] secret, String label, byte[] seed, int length)
      throws GeneralSecurityException {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret, "HmacSHA256"));
    byte[] labelSeed = concat(label.getBytes(US_ASCII), seed);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] a = labelSeed;
    while (out.size() < length) {
      a = mac.doFinal(a);
      out.writeBytes(mac.doFinal(concat(a, labelSeed)));
    }
    return Arrays.copyOf(out.toByteArray(), length);
  }

  static byte[] gcmOpen(byte[] key, byte[] nonce, byte[] aad, byte[] ciphertext)
      throws GeneralSecurityException {
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
    c.updateAAD(aad);
    return c.doFinal(ciphertext);
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
