package dev.tcplab.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.TlsNonceGenerator;
import org.bouncycastle.tls.crypto.impl.TlsAEADCipher;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * {@link BcTlsCrypto} made repeatable. Two things make stock Bouncy Castle TLS output differ from
 * run to run:
 *
 * <ol>
 *   <li>the {@link java.security.SecureRandom} (key shares, ECDSA nonces, the DRBG seed of the
 *       nonce generator) — replaced by a {@link SeededSecureRandom};
 *   <li>{@code AbstractTlsContext} seeds every connection's nonce generator (client/server random,
 *       TLS 1.3 legacy_session_id) with a process-wide counter and {@code System.nanoTime()} passed
 *       as {@code additionalSeedMaterial} — ignored here and replaced by a fixed label, so the
 *       nonce generator depends only on the seeded SecureRandom.
 * </ol>
 *
 * <p>TLS 1.2 {@code gmt_unix_time} is not a concern: BC only writes the clock into the random when
 * the peer's {@code shouldUseGMTUnixTime()} returns true, which defaults to false (our peers pin it
 * to false).
 *
 * <p>Speed: the record layer's AES-GCM (both suites we negotiate) runs on the JDK's {@code
 * AES/GCM/NoPadding} ({@link JdkAesGcm}, AES-NI and CLMUL intrinsics) instead of Bouncy Castle's
 * pure-Java GCM, which took ≈ 92 % of a TLS bulk transfer. The ciphertext is the same bytes (AES-GCM
 * is deterministic given key, nonce and AAD; {@code JdkAesGcmTest} compares both record for record),
 * so determinism and key-log decryption are unaffected. {@link Gcm#BOUNCY_CASTLE} keeps the stock
 * cipher for those comparisons. Everything else (handshake, HKDF/PRF, ECDHE, ECDSA, other AEADs) stays
 * Bouncy Castle's.
 */
final class SeededTlsCrypto extends BcTlsCrypto {
  private static final byte[] NONCE_LABEL = "tcplab-tls-nonce".getBytes(StandardCharsets.US_ASCII);

  /** Whose AES-GCM encrypts and decrypts the records. */
  enum Gcm {
    /** The JDK's intrinsic AES/GCM/NoPadding (the default). */
    JDK,
    /** Bouncy Castle's own GCMBlockCipher (reference for tests). */
    BOUNCY_CASTLE
  }

  private final Gcm gcm;

  SeededTlsCrypto(long seed, String purpose) {
    this(seed, purpose, Gcm.JDK);
  }

  SeededTlsCrypto(long seed, String purpose, Gcm gcm) {
    super(SeededSecureRandom.create(seed, purpose));
    this.gcm = Objects.requireNonNull(gcm, "gcm");
  }

  Gcm gcm() {
    return gcm;
  }

  @Override
  protected TlsAEADCipher createCipher_AES_GCM(TlsCryptoParameters params, int keySize, int macSize)
      throws IOException {
    if (gcm == Gcm.BOUNCY_CASTLE) {
      return super.createCipher_AES_GCM(params, keySize, macSize);
    }
    return new TlsAEADCipher(params, new JdkAesGcm(true), new JdkAesGcm(false), keySize, macSize,
        TlsAEADCipher.AEAD_GCM, null);
  }

  @Override
  public TlsNonceGenerator createNonceGenerator(byte[] additionalSeedMaterial) {
    return super.createNonceGenerator(NONCE_LABEL.clone());
  }
}
