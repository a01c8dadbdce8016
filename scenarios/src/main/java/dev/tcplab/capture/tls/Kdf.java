package dev.tcplab.capture.tls;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** The TLS 1.2 PRF (RFC 5246 §5) and the TLS 1.3 HKDF-Expand-Label (RFC 8446 §7.1), on JDK HMAC. */
final class Kdf {
  private Kdf() {}

  private static Mac mac(String hash, byte[] key) {
    try {
      Mac m = Mac.getInstance("Hmac" + hash);
      m.init(new SecretKeySpec(key, "Hmac" + hash));
      return m;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-" + hash + " is not available", e);
    }
  }

  /** PRF(secret, label, seed) = P_hash(secret, label + seed), {@code length} bytes. */
  static byte[] prf12(String hash, byte[] secret, String label, byte[] seed, int length) {
    Mac m = mac(hash, secret);
    byte[] labelSeed = concat(label.getBytes(StandardCharsets.US_ASCII), seed);
    byte[] out = new byte[length];
    byte[] a = labelSeed; // A(0)
    int done = 0;
    while (done < length) {
      a = m.doFinal(a); // A(i) = HMAC(secret, A(i-1))
      m.update(a);
      byte[] block = m.doFinal(labelSeed);
      int n = Math.min(block.length, length - done);
      System.arraycopy(block, 0, out, done, n);
      done += n;
    }
    return out;
  }

  /** HKDF-Expand-Label(secret, label, context, length) with the "tls13 " prefix. */
  static byte[] expandLabel(String hash, byte[] secret, String label, byte[] context, int length) {
    byte[] full = ("tls13 " + label).getBytes(StandardCharsets.US_ASCII);
    byte[] info = new byte[2 + 1 + full.length + 1 + context.length];
    info[0] = (byte) (length >>> 8);
    info[1] = (byte) length;
    info[2] = (byte) full.length;
    System.arraycopy(full, 0, info, 3, full.length);
    info[3 + full.length] = (byte) context.length;
    System.arraycopy(context, 0, info, 4 + full.length, context.length);
    return expand(hash, secret, info, length);
  }

  /** HKDF-Expand (RFC 5869 §2.3). */
  static byte[] expand(String hash, byte[] prk, byte[] info, int length) {
    Mac m = mac(hash, prk);
    byte[] out = new byte[length];
    byte[] t = new byte[0];
    int done = 0;
    for (int i = 1; done < length; i++) {
      m.update(t);
      m.update(info);
      m.update((byte) i);
      t = m.doFinal();
      int n = Math.min(t.length, length - done);
      System.arraycopy(t, 0, out, done, n);
      done += n;
    }
    return out;
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] r = new byte[a.length + b.length];
    System.arraycopy(a, 0, r, 0, a.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
