package dev.tcplab.capture.tls;

import java.security.GeneralSecurityException;
import java.security.spec.AlgorithmParameterSpec;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.AEADCipher;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * Opens the AEAD records of one direction under one key: TLS 1.2 (RFC 5246 §6.2.3.3 with RFC 5288
 * GCM nonces and RFC 7905 ChaCha20 nonces) and TLS 1.3 (RFC 8446 §5.2–5.3). Uses the JDK's
 * providers, or Bouncy Castle's lightweight ciphers when asked (or when the JDK lacks the algorithm).
 */
final class RecordDecryptor {
  static final int TAG = 16;

  /** Which implementation opens the records. */
  enum Provider {
    JDK,
    BOUNCY_CASTLE
  }

  private final CipherSuites.Aead aead;
  private final byte[] key;
  private final byte[] iv;
  private final boolean tls13;
  private final Cipher jdk;
  private final SecretKeySpec keySpec;
  private final AEADCipher bc;
  private final KeyParameter bcKey;

  RecordDecryptor(CipherSuites.Aead aead, byte[] key, byte[] iv, boolean tls13, Provider provider) {
    this.aead = aead;
    this.key = key.clone();
    this.iv = iv.clone();
    this.tls13 = tls13;
    Cipher c = null;
    if (provider == Provider.JDK) {
      try {
        c = Cipher.getInstance(
            aead == CipherSuites.Aead.CHACHA20_POLY1305 ? "ChaCha20-Poly1305" : "AES/GCM/NoPadding");
      } catch (GeneralSecurityException e) {
        c = null; // fall back to Bouncy Castle
      }
    }
    this.jdk = c;
    this.keySpec = c == null ? null : new SecretKeySpec(this.key,
        aead == CipherSuites.Aead.CHACHA20_POLY1305 ? "ChaCha20" : "AES");
    this.bc = c != null ? null
        : aead == CipherSuites.Aead.CHACHA20_POLY1305
            ? new ChaCha20Poly1305()
            : GCMBlockCipher.newInstance(AESEngine.newInstance());
    this.bcKey = c != null ? null : new KeyParameter(this.key);
  }

  /**
   * Opens the record whose 5-byte header and body are {@code header} and {@code rec[off..off+len)}.
   *
   * @return the plaintext (TLS 1.3: the inner plaintext, padding and content type included), or
   *     null when the record does not authenticate under this key and sequence number
   */
  byte[] open(long seq, byte[] header, byte[] rec, int off, int len) {
    byte[] nonce = new byte[12];
    int ctOff = off;
    int ctLen = len;
    if (!tls13 && aead.explicitNonce12 > 0) {
      // RFC 5288 §3: nonce = salt (4) ‖ explicit nonce (8, sent at the start of the record).
      if (len < aead.explicitNonce12 + TAG) {
        return null;
      }
      System.arraycopy(iv, 0, nonce, 0, 4);
      System.arraycopy(rec, off, nonce, 4, 8);
      ctOff += 8;
      ctLen -= 8;
    } else {
      // RFC 8446 §5.3, RFC 7905 §2: nonce = iv XOR (0000 ‖ seq).
      if (len < TAG) {
        return null;
      }
      System.arraycopy(iv, 0, nonce, 0, 12);
      for (int i = 0; i < 8; i++) {
        nonce[11 - i] ^= (byte) (seq >>> (8 * i));
      }
    }
    byte[] aad;
    if (tls13) {
      aad = new byte[] {header[0], header[1], header[2], header[3], header[4]};
    } else {
      int plainLen = ctLen - TAG;
      aad = new byte[13];
      for (int i = 0; i < 8; i++) {
        aad[7 - i] = (byte) (seq >>> (8 * i));
      }
      aad[8] = header[0];
      aad[9] = header[1];
      aad[10] = header[2];
      aad[11] = (byte) (plainLen >>> 8);
      aad[12] = (byte) plainLen;
    }
    return jdk != null ? openJdk(nonce, aad, rec, ctOff, ctLen) : openBc(nonce, aad, rec, ctOff, ctLen);
  }

  private byte[] openJdk(byte[] nonce, byte[] aad, byte[] rec, int off, int len) {
    try {
      AlgorithmParameterSpec spec = aead == CipherSuites.Aead.CHACHA20_POLY1305
          ? new IvParameterSpec(nonce) : new GCMParameterSpec(TAG * 8, nonce);
      jdk.init(Cipher.DECRYPT_MODE, keySpec, spec);
      jdk.updateAAD(aad);
      return jdk.doFinal(rec, off, len);
    } catch (GeneralSecurityException | RuntimeException e) {
      return null;
    }
  }

  private byte[] openBc(byte[] nonce, byte[] aad, byte[] rec, int off, int len) {
    try {
      bc.init(false, new AEADParameters(bcKey, TAG * 8, nonce, aad));
      byte[] out = new byte[bc.getOutputSize(len)];
      int n = bc.processBytes(rec, off, len, out, 0);
      n += bc.doFinal(out, n);
      return n == out.length ? out : Arrays.copyOf(out, n);
    } catch (InvalidCipherTextException | RuntimeException e) {
      return null;
    }
  }
}
