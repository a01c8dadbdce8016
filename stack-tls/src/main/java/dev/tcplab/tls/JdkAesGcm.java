package dev.tcplab.tls;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.NoSuchProviderException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.crypto.impl.TlsAEADCipherImpl;

/**
 * One direction of the record layer's AES-GCM through the JDK's {@code AES/GCM/NoPadding} (SunJCE:
 * AES-NI and carry-less-multiply intrinsics), plugged into Bouncy Castle's {@code TlsAEADCipher} in
 * place of its pure-Java {@code GCMBlockCipher}. AES-GCM is a function of key, nonce, AAD and
 * plaintext, so the records are byte for byte those Bouncy Castle writes ({@code JdkAesGcmTest}).
 *
 * <p>{@code TlsAEADCipher} calls {@link #setKey} when the traffic keys change, {@link #init} with the
 * nonce before each record (and once with a dummy nonce at setup), then {@link #doFinal} with the
 * record's additional data. The {@link Cipher} is made once per direction and re-initialised per
 * record with that record's nonce in {@link #doFinal} (where the AAD is known); creating it is what
 * costs, the per-record init does not. The JDK refuses an ENCRYPT init with the key and IV of the
 * previous one; TLS never repeats a nonce under one key (the sequence number is part of it), and if
 * it ever did, the refusal surfaces as an exception (internal_error), never as a reused nonce.
 *
 * <p>Errors follow {@code BcTlsAEADCipherImpl}: a tag that does not verify is a {@link TlsFatalAlert}
 * bad_record_mac; anything else is a runtime exception, which {@code TlsAEADCipher} turns into
 * internal_error when encrypting and bad_record_mac when decrypting.
 */
final class JdkAesGcm implements TlsAEADCipherImpl {
  private final boolean encrypt;
  private final Cipher cipher;
  private SecretKeySpec key;
  private byte[] nonce;
  private int macBits;

  JdkAesGcm(boolean encrypt) {
    this.encrypt = encrypt;
    this.cipher = newCipher();
  }

  /**
   * SunJCE's implementation by name, so that a Bouncy Castle JCE provider installed ahead of it (by
   * an application embedding the simulator) cannot put the pure-Java GCM back; any provider if a JDK
   * has no SunJCE.
   */
  private static Cipher newCipher() {
    try {
      try {
        return Cipher.getInstance("AES/GCM/NoPadding", "SunJCE");
      } catch (NoSuchProviderException | NoSuchAlgorithmException e) {
        return Cipher.getInstance("AES/GCM/NoPadding");
      }
    } catch (NoSuchAlgorithmException | NoSuchPaddingException e) {
      throw new IllegalStateException("AES/GCM/NoPadding unavailable", e);
    }
  }

  /** The JCE provider in use (for tests and diagnostics). */
  String provider() {
    return cipher.getProvider().getName();
  }

  @Override
  public void setKey(byte[] k, int off, int len) {
    if (len != 16 && len != 24 && len != 32) {
      throw new IllegalStateException("AES key of " + len + " bytes");
    }
    key = new SecretKeySpec(k, off, len, "AES");
  }

  @Override
  public void init(byte[] nonce, int macSize) {
    this.nonce = nonce.clone();
    this.macBits = macSize * 8;
  }

  @Override
  public int getOutputSize(int inputLength) {
    int mac = macBits / 8;
    return encrypt ? inputLength + mac : Math.max(0, inputLength - mac);
  }

  @Override
  public int doFinal(byte[] aad, byte[] in, int inOff, int inLen, byte[] out, int outOff)
      throws IOException {
    if (key == null || nonce == null) {
      throw new IllegalStateException("AES-GCM used before setKey/init");
    }
    try {
      cipher.init(encrypt ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE, key,
          new GCMParameterSpec(macBits, nonce));
      if (aad != null && aad.length > 0) {
        cipher.updateAAD(aad);
      }
      return cipher.doFinal(in, inOff, inLen, out, outOff);
    } catch (AEADBadTagException e) {
      throw new TlsFatalAlert(AlertDescription.bad_record_mac, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM " + (encrypt ? "encryption" : "decryption") + ": "
          + e.getMessage(), e);
    } finally {
      nonce = null; // one init, one record
    }
  }
}
