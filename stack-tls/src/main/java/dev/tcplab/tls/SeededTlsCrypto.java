package dev.tcplab.tls;

import java.nio.charset.StandardCharsets;
import org.bouncycastle.tls.crypto.TlsNonceGenerator;
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
 */
final class SeededTlsCrypto extends BcTlsCrypto {
  private static final byte[] NONCE_LABEL = "tcplab-tls-nonce".getBytes(StandardCharsets.US_ASCII);

  SeededTlsCrypto(long seed, String purpose) {
    super(SeededSecureRandom.create(seed, purpose));
  }

  @Override
  public TlsNonceGenerator createNonceGenerator(byte[] additionalSeedMaterial) {
    return super.createNonceGenerator(NONCE_LABEL.clone());
  }
}
