package dev.tcplab.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tcplab.tls.SeededTlsCrypto.Gcm;
import dev.tcplab.tls.TlsEngineTest.Side;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.AEADBlockCipher;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.TlsFatalAlert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The records' AES-GCM through the JDK ({@link JdkAesGcm}) against Bouncy Castle's own GCM: the same
 * bytes for the same key, nonce, AAD and plaintext, each decrypting the other's output, and a
 * tampered record ending in bad_record_mac.
 */
class JdkAesGcmTest {
  private static final int[] SIZES = {0, 1, 15, 16, 17, 255, 1024, 16383, 16384, 16385, 16401};
  private static final int TAG = 16;
  private static final int OFFSET = 5; // in place behind a record header, as TlsAEADCipher does

  @Test
  void theJdkCipherIsSunJce() {
    assertThat(new JdkAesGcm(true).provider()).isEqualTo("SunJCE");
  }

  /**
   * One cipher instance per direction for a run of records (as on a connection), TLS 1.3 nonces
   * (IV XOR sequence number) with a 5-byte AAD and TLS 1.2 nonces (4-byte salt + 8-byte explicit
   * nonce) with a 13-byte AAD, AES-128 and AES-256.
   */
  @ParameterizedTest
  @ValueSource(ints = {16, 32})
  void sameBytesAsBouncyCastleAndEachOpensTheOthers(int keySize) throws Exception {
    Random random = new Random(keySize);
    byte[] keyBlock = bytes(random, keySize + 7);
    byte[] key = Arrays.copyOfRange(keyBlock, 7, 7 + keySize);
    byte[] iv = bytes(random, 12);
    JdkAesGcm jdkSeal = new JdkAesGcm(true);
    JdkAesGcm jdkOpen = new JdkAesGcm(false);
    jdkSeal.setKey(keyBlock, 7, keySize);
    jdkOpen.setKey(keyBlock, 7, keySize);
    jdkSeal.init(bytes(random, 12), TAG); // TlsAEADCipher's dummy init at setup
    jdkOpen.init(bytes(random, 12), TAG);
    long seq = 0;
    for (boolean tls13 : new boolean[] {true, false}) {
      for (int size : SIZES) {
        byte[] nonce = tls13 ? nonce13(iv, seq) : nonce12(iv, seq);
        byte[] aad = tls13 ? bytes(random, 5) : bytes(random, 13);
        byte[] plain = bytes(random, size);
        String what = (tls13 ? "TLS 1.3" : "TLS 1.2") + " record " + seq + " of " + size + " bytes";

        byte[] bcSealed = bc(true, key, nonce, aad, plain);
        assertThat(jdkSeal.getOutputSize(size)).as(what).isEqualTo(size + TAG);
        jdkSeal.init(nonce, TAG);
        byte[] jdkSealed = inPlace(jdkSeal, aad, plain);
        assertThat(jdkSealed).as(what).isEqualTo(bcSealed);

        assertThat(jdkOpen.getOutputSize(bcSealed.length)).as(what).isEqualTo(size);
        jdkOpen.init(nonce, TAG);
        assertThat(inPlace(jdkOpen, aad, bcSealed)).as(what).isEqualTo(plain);
        assertThat(bc(false, key, nonce, aad, jdkSealed)).as(what).isEqualTo(plain);
        seq++;
      }
    }
  }

  @Test
  void aTamperedTagCiphertextOrAadIsBadRecordMac() throws Exception {
    Random random = new Random(3);
    byte[] key = bytes(random, 16);
    byte[] nonce = bytes(random, 12);
    byte[] aad = bytes(random, 13);
    byte[] sealed = bc(true, key, nonce, aad, bytes(random, 1000));
    JdkAesGcm open = new JdkAesGcm(false);
    open.setKey(key, 0, 16);
    for (int flip : new int[] {sealed.length - 1, sealed.length - TAG, 0, -1}) {
      byte[] record = sealed.clone();
      byte[] a = aad.clone();
      if (flip >= 0) {
        record[flip] ^= 1;
      } else {
        a[12] ^= 1; // the length in the AAD
      }
      open.init(nonce, TAG);
      TlsFatalAlert alert =
          catchThrowableOfType(TlsFatalAlert.class, () -> inPlace(open, a, record));
      assertThat(alert).as("flip %d", flip).isNotNull();
      assertThat(alert.getAlertDescription()).isEqualTo(AlertDescription.bad_record_mac);
    }
    // After a failure the same instance opens the intact record (re-initialised per record).
    open.init(nonce, TAG);
    assertThat(inPlace(open, aad, sealed)).hasSize(1000);
  }

  @Test
  void aRepeatedNonceIsRefusedAndARecordNeedsItsOwnInit() throws Exception {
    JdkAesGcm seal = new JdkAesGcm(true);
    seal.setKey(new byte[16], 0, 16);
    byte[] nonce = new byte[12];
    seal.init(nonce, TAG);
    inPlace(seal, new byte[5], new byte[10]);
    // doFinal without a new init: no silent reuse of the previous nonce
    assertThatThrownBy(() -> inPlace(seal, new byte[5], new byte[10]))
        .isInstanceOf(IllegalStateException.class);
    // the same nonce again under the same key: the JDK refuses (internal_error in TlsAEADCipher)
    seal.init(nonce, TAG);
    assertThatThrownBy(() -> inPlace(seal, new byte[5], new byte[10]))
        .isInstanceOf(IllegalStateException.class);
    // a new nonce works on the same instance
    nonce[11] = 1;
    seal.init(nonce, TAG);
    assertThat(inPlace(seal, new byte[5], new byte[10])).hasSize(10 + TAG);
  }

  // ---------------------------------------------------------------------------------------------
  // whole connections: the records on the wire

  /**
   * The same seeds give the same bytes on the wire whichever AES-GCM each side uses, for both
   * versions and both directions, records of many sizes (several full 16 KiB records and partial
   * ones); a JDK side and a Bouncy Castle side understand each other.
   */
  @ParameterizedTest
  @EnumSource(TlsVersion.class)
  void connectionRecordsAreByteIdenticalToBouncyCastles(TlsVersion version) {
    Conversation bc = Conversation.run(version, Gcm.BOUNCY_CASTLE, Gcm.BOUNCY_CASTLE);
    Conversation jdk = Conversation.run(version, Gcm.JDK, Gcm.JDK);
    Conversation jdkClient = Conversation.run(version, Gcm.JDK, Gcm.BOUNCY_CASTLE);
    Conversation jdkServer = Conversation.run(version, Gcm.BOUNCY_CASTLE, Gcm.JDK);
    assertThat(bc.clientWire.length).isGreaterThan(100_000);
    assertThat(bc.serverWire.length).isGreaterThan(100_000);
    for (Conversation c : List.of(jdk, jdkClient, jdkServer)) {
      assertThat(c.clientWire).isEqualTo(bc.clientWire);
      assertThat(c.serverWire).isEqualTo(bc.serverWire);
      assertThat(c.keyLog).isEqualTo(bc.keyLog);
    }
    // whole records, one per write at least
    assertThat(TlsEngineTest.records(jdk.clientWire).size()).isGreaterThan(SIZES.length);
  }

  /** A record altered on the wire ends the JDK-decrypting side with bad_record_mac. */
  @ParameterizedTest
  @EnumSource(TlsVersion.class)
  void aTamperedRecordOnAConnectionIsBadRecordMac(TlsVersion version) {
    // positions from the end of the record body: the tag's last byte, the first tag byte, the
    // first ciphertext byte after the TLS 1.2 explicit nonce (or TLS 1.3's first byte), and in
    // TLS 1.2 the explicit nonce itself
    for (String where : List.of("tag end", "tag start", "ciphertext", "explicit nonce")) {
      if (version == TlsVersion.TLS_1_3 && where.equals("explicit nonce")) {
        continue;
      }
      Side client = new Side(TlsEngine.client(version, 5, null, Gcm.JDK));
      Side server = new Side(TlsEngine.server(version, TlsIdentity.generate(7), 6, null, Gcm.JDK));
      handshake(client, server);
      byte[] msg = new byte[300];
      client.engine.writeApplicationData(msg, 0, msg.length);
      byte[] record = client.engine.drainOutput();
      int body = 5;
      int explicit = version == TlsVersion.TLS_1_2 ? 8 : 0;
      int at = switch (where) {
        case "tag end" -> record.length - 1;
        case "tag start" -> record.length - TAG;
        case "ciphertext" -> body + explicit;
        default -> body;
      };
      record[at] ^= 0x40;
      TlsFailure f = catchThrowableOfType(
          TlsFailure.class, () -> server.engine.offerInput(record, 0, record.length));
      assertThat(f).as(where).isNotNull();
      assertThat(f.alertName()).as(where).isEqualTo("bad_record_mac");
      assertThat(f.origin()).isEqualTo(TlsFailure.Origin.LOCAL);
      byte[] alert = server.engine.drainOutput();
      TlsFailure g = catchThrowableOfType(
          TlsFailure.class, () -> client.engine.offerInput(alert, 0, alert.length));
      assertThat(g.alertName()).as(where).isEqualTo("bad_record_mac");
      assertThat(g.origin()).isEqualTo(TlsFailure.Origin.PEER);
    }
  }

  /** What each side put on the wire in one conversation, with a check of what was received. */
  static final class Conversation {
    byte[] clientWire;
    byte[] serverWire;
    String keyLog;

    static Conversation run(TlsVersion version, Gcm clientGcm, Gcm serverGcm) {
      KeyLog log = new KeyLog();
      Side client = new Side(TlsEngine.client(version, 11, log, clientGcm));
      Side server =
          new Side(TlsEngine.server(version, TlsIdentity.generate(7), 12, log, serverGcm));
      handshake(client, server);
      Random random = new Random(99);
      ByteArrayOutputStream toServer = new ByteArrayOutputStream();
      ByteArrayOutputStream toClient = new ByteArrayOutputStream();
      for (int size : SIZES) {
        if (size == 0) {
          continue;
        }
        byte[] a = bytes(random, size);
        byte[] b = bytes(random, 2 * size + 1);
        client.engine.writeApplicationData(a, 0, a.length);
        server.engine.writeApplicationData(b, 0, b.length);
        toServer.writeBytes(a);
        toClient.writeBytes(b);
        pump(client, server);
      }
      byte[] big = bytes(random, 70_000); // four full records and a partial one in one write
      client.engine.writeApplicationData(big, 0, big.length);
      server.engine.writeApplicationData(big, 0, big.length);
      toServer.writeBytes(big);
      toClient.writeBytes(big);
      pump(client, server);
      client.engine.closeNotify();
      pump(client, server);
      server.engine.closeNotify();
      pump(client, server);
      assertThat(server.received.toByteArray()).isEqualTo(toServer.toByteArray());
      assertThat(client.received.toByteArray()).isEqualTo(toClient.toByteArray());
      assertThat(client.engine.closed()).isTrue();
      assertThat(server.engine.closed()).isTrue();
      Conversation c = new Conversation();
      c.clientWire = client.transcript.toByteArray();
      c.serverWire = server.transcript.toByteArray();
      c.keyLog = log.text();
      return c;
    }
  }

  static void handshake(Side client, Side server) {
    client.engine.start();
    server.engine.start();
    pump(client, server);
    assertThat(client.engine.handshakeComplete()).isTrue();
    assertThat(server.engine.handshakeComplete()).isTrue();
  }

  static void pump(Side client, Side server) {
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

  private static boolean transfer(Side from, Side to) {
    byte[] out = from.engine.drainOutput();
    if (out.length == 0) {
      return false;
    }
    from.transcript.writeBytes(out);
    to.engine.offerInput(out, 0, out.length);
    return true;
  }

  // ---------------------------------------------------------------------------------------------

  /** Bouncy Castle's GCM as BcTlsCrypto builds it for the record layer (BcTlsAEADCipherImpl). */
  static byte[] bc(boolean encrypt, byte[] key, byte[] nonce, byte[] aad, byte[] in)
      throws InvalidCipherTextException {
    AEADBlockCipher gcm = GCMBlockCipher.newInstance(AESEngine.newInstance());
    gcm.init(encrypt, new AEADParameters(new KeyParameter(key), TAG * 8, nonce, null));
    gcm.processAADBytes(aad, 0, aad.length);
    byte[] out = new byte[gcm.getOutputSize(in.length)];
    int n = gcm.processBytes(in, 0, in.length, out, 0);
    n += gcm.doFinal(out, n);
    assertThat(n).isEqualTo(out.length);
    return out;
  }

  /** {@code in} behind a 5-byte header, en- or decrypted in place; the output without header. */
  static byte[] inPlace(JdkAesGcm cipher, byte[] aad, byte[] in) throws Exception {
    byte[] buf = new byte[OFFSET + in.length + TAG];
    System.arraycopy(in, 0, buf, OFFSET, in.length);
    int n = cipher.doFinal(aad, buf, OFFSET, in.length, buf, OFFSET);
    assertThat(n).isEqualTo(cipher.getOutputSize(in.length));
    return Arrays.copyOfRange(buf, OFFSET, OFFSET + n);
  }

  static byte[] nonce13(byte[] iv, long seq) {
    byte[] n = iv.clone();
    for (int i = 0; i < 8; i++) {
      n[4 + i] ^= (byte) (seq >>> (56 - 8 * i));
    }
    return n;
  }

  static byte[] nonce12(byte[] iv, long seq) {
    byte[] n = Arrays.copyOf(iv, 12); // 4-byte salt from the key block, 8-byte explicit nonce
    for (int i = 0; i < 8; i++) {
      n[4 + i] = (byte) (seq >>> (56 - 8 * i));
    }
    return n;
  }

  static byte[] bytes(Random random, int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }
}
