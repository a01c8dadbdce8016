package dev.tcplab.capture.tls;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Test-only: writes TLS 1.3 byte streams record by record (TLS_AES_128_GCM_SHA256, made-up
 * secrets), for the shapes real stacks rarely produce: padding, KeyUpdate inside a large record,
 * HelloRetryRequest, content types of our choosing. Records are really encrypted.
 */
final class Tls13Forge {
  static final byte[] HRR_RANDOM = HexFormat.of()
      .parseHex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c");

  final byte[] clientRandom = filled(32, 0x11);
  final ByteArrayOutputStream c2s = new ByteArrayOutputStream();
  final ByteArrayOutputStream s2c = new ByteArrayOutputStream();
  private final Sender client = new Sender(filled(32, 0x21), filled(32, 0x31));
  private final Sender server = new Sender(filled(32, 0x22), filled(32, 0x32));

  /** ClientHello and ServerHello; with {@code hrr} a HelloRetryRequest and a second ClientHello. */
  Tls13Forge(boolean hrr) {
    write(c2s, record(22, 0x0301, handshake(1, clientHello())));
    if (hrr) {
      write(s2c, record(22, 0x0303, handshake(2, serverHello(HRR_RANDOM))));
      write(s2c, record(20, 0x0303, new byte[] {1}));
      write(c2s, record(20, 0x0303, new byte[] {1}));
      write(c2s, record(22, 0x0303, handshake(1, clientHello())));
    }
    write(s2c, record(22, 0x0303, handshake(2, serverHello(filled(32, 0x44)))));
  }

  String keyLog() {
    HexFormat h = HexFormat.of();
    String r = h.formatHex(clientRandom);
    return "CLIENT_HANDSHAKE_TRAFFIC_SECRET " + r + " " + h.formatHex(client.hsSecret) + "\n"
        + "SERVER_HANDSHAKE_TRAFFIC_SECRET " + r + " " + h.formatHex(server.hsSecret) + "\n"
        + "CLIENT_TRAFFIC_SECRET_0 " + r + " " + h.formatHex(client.appSecret0) + "\n"
        + "SERVER_TRAFFIC_SECRET_0 " + r + " " + h.formatHex(server.appSecret0) + "\n";
  }

  /** Both sides' encrypted Finished; application keys from here. */
  Tls13Forge finishHandshake() {
    server.send(s2c, 22, handshake(20, new byte[32]), 0);
    server.toApplication();
    client.send(c2s, 22, handshake(20, new byte[32]), 0);
    client.toApplication();
    return this;
  }

  /** {@code n} bytes of application data in records of at most 2^14 bytes. */
  Tls13Forge serverData(int n, int padding) {
    for (int left = n; left > 0; left -= 16384) {
      server.send(s2c, 23, new byte[Math.min(left, 16384)], padding);
    }
    return this;
  }

  Tls13Forge serverAlert(int level, int desc, int padding) {
    server.send(s2c, 21, new byte[] {(byte) level, (byte) desc}, padding);
    return this;
  }

  Tls13Forge clientAlert(int level, int desc, int padding) {
    client.send(c2s, 21, new byte[] {(byte) level, (byte) desc}, padding);
    return this;
  }

  /** The server's KeyUpdate (update_not_requested) in a record with {@code padding} zeros. */
  Tls13Forge serverKeyUpdate(int padding) {
    server.send(s2c, 22, handshake(24, new byte[] {0}), padding);
    server.keyUpdate();
    return this;
  }

  /** A server record whose inner plaintext is all zeros (no content type). */
  Tls13Forge serverEmptyInner() {
    server.sendRaw(s2c, new byte[10]);
    return this;
  }

  /** One direction's keys and sequence number. */
  private static final class Sender {
    final byte[] hsSecret;
    final byte[] appSecret0;
    byte[] secret;
    long seq;

    Sender(byte[] hs, byte[] app) {
      this.hsSecret = hs;
      this.appSecret0 = app;
      this.secret = hs;
    }

    void toApplication() {
      secret = appSecret0;
      seq = 0;
    }

    void keyUpdate() {
      secret = Kdf.expandLabel("SHA256", secret, "traffic upd", new byte[0], 32);
      seq = 0;
    }

    void send(ByteArrayOutputStream out, int type, byte[] content, int padding) {
      byte[] inner = new byte[content.length + 1 + padding];
      System.arraycopy(content, 0, inner, 0, content.length);
      inner[content.length] = (byte) type;
      sendRaw(out, inner);
    }

    void sendRaw(ByteArrayOutputStream out, byte[] inner) {
      try {
        byte[] key = Kdf.expandLabel("SHA256", secret, "key", new byte[0], 16);
        byte[] iv = Kdf.expandLabel("SHA256", secret, "iv", new byte[0], 12);
        for (int i = 0; i < 8; i++) {
          iv[11 - i] ^= (byte) (seq >>> (8 * i));
        }
        seq++;
        int len = inner.length + 16;
        byte[] header = {23, 3, 3, (byte) (len >>> 8), (byte) len};
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
        c.updateAAD(header);
        write(out, header);
        write(out, c.doFinal(inner));
      } catch (java.security.GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private byte[] clientHello() {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    write(b, new byte[] {3, 3});
    write(b, clientRandom);
    write(b, new byte[] {0, 0, 2, 0x13, 0x01, 1, 0, 0, 0});
    return b.toByteArray();
  }

  private static byte[] serverHello(byte[] random) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    write(b, new byte[] {3, 3});
    write(b, random);
    write(b, new byte[] {0, 0x13, 0x01, 0, 0, 6, 0, 43, 0, 2, 3, 4});
    return b.toByteArray();
  }

  static byte[] handshake(int type, byte[] body) {
    byte[] m = new byte[4 + body.length];
    m[0] = (byte) type;
    m[1] = (byte) (body.length >>> 16);
    m[2] = (byte) (body.length >>> 8);
    m[3] = (byte) body.length;
    System.arraycopy(body, 0, m, 4, body.length);
    return m;
  }

  static byte[] record(int type, int version, byte[] body) {
    byte[] r = new byte[5 + body.length];
    r[0] = (byte) type;
    r[1] = (byte) (version >>> 8);
    r[2] = (byte) version;
    r[3] = (byte) (body.length >>> 8);
    r[4] = (byte) body.length;
    System.arraycopy(body, 0, r, 5, body.length);
    return r;
  }

  static void write(ByteArrayOutputStream out, byte[] b) {
    out.write(b, 0, b.length);
  }

  static byte[] filled(int n, int v) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) v);
    return b;
  }

  TlsSummary observe(NssKeyLog keys) {
    TlsStreamObserver o = new TlsStreamObserver(keys);
    o.onData(Direction.CLIENT_TO_SERVER, 0, c2s.toByteArray());
    o.onData(Direction.SERVER_TO_CLIENT, 0, s2c.toByteArray());
    return o.summary();
  }

  TlsSummary observe() {
    return observe(NssKeyLog.parse(keyLog(), "forge"));
  }
}
