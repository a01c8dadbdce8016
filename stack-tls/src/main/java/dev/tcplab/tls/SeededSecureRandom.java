package dev.tcplab.tls;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.SecureRandomSpi;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.prng.EntropySource;
import org.bouncycastle.crypto.prng.drbg.HashSP800DRBG;
import org.bouncycastle.util.Pack;

/**
 * A <em>deterministic</em> {@link SecureRandom}: a NIST SP 800-90A Hash_DRBG (SHA-256, Bouncy
 * Castle's {@link HashSP800DRBG}) whose entropy input, nonce and personalisation string are all
 * derived from a 64-bit seed and a purpose label. The same (seed, purpose) always yields the same
 * byte stream, on any JVM and provider configuration.
 *
 * <p>Why this and not {@code SecureRandom.getInstance("SHA1PRNG")} + {@code setSeed}: SHA1PRNG is
 * only repeatable when it is seeded before its first use and it is a provider implementation detail
 * of the JDK (other vendors or {@code securerandom.source} settings may change it). Hash_DRBG here
 * is fully specified, pure Java and built from the Bouncy Castle lightweight API the stack already
 * uses. Every request goes through {@link SecureRandomSpi#engineNextBytes}, including {@code
 * nextInt}/{@code nextLong} and {@link java.math.BigInteger} generation; {@code setSeed} mixes the
 * bytes in deterministically and {@code generateSeed} draws from the same stream.
 *
 * <p>This is for reproducible simulations only: anyone who knows the seed can predict every key.
 * Never use it to protect real traffic.
 */
public final class SeededSecureRandom extends SecureRandom {
  private static final long serialVersionUID = 1L;

  /** Largest single Hash_DRBG request (262,144 bits). */
  private static final int MAX_REQUEST_BYTES = 262_144 / 8;

  private final String description;

  private SeededSecureRandom(Spi spi, String description) {
    super(spi, null);
    this.description = description;
  }

  /**
   * Creates a generator for one purpose. Use distinct purposes for independent streams derived from
   * the same seed (e.g. "client" and "server" sides of one connection).
   */
  public static SeededSecureRandom create(long seed, String purpose) {
    return new SeededSecureRandom(
        new Spi(seed, purpose), "HashDRBG-SHA256(seed=" + seed + ", " + purpose + ")");
  }

  @Override
  public String getAlgorithm() {
    return "TcpLab-HashDRBG-SHA256";
  }

  @Override
  public String toString() {
    return description;
  }

  private static final class Spi extends SecureRandomSpi {
    private static final long serialVersionUID = 1L;

    private final transient HashSP800DRBG drbg;

    Spi(long seed, String purpose) {
      byte[] purposeBytes = purpose.getBytes(StandardCharsets.UTF_8);
      byte[] nonce = digest("tcplab-drbg-nonce", seed, purposeBytes, 0);
      this.drbg =
          new HashSP800DRBG(
              new SHA256Digest(),
              256,
              new SeedEntropySource(seed, purposeBytes),
              purposeBytes,
              nonce);
    }

    @Override
    protected void engineSetSeed(byte[] seed) {
      drbg.reseed(seed.clone());
    }

    @Override
    protected void engineNextBytes(byte[] bytes) {
      int off = 0;
      while (off < bytes.length) {
        int n = Math.min(MAX_REQUEST_BYTES, bytes.length - off);
        byte[] chunk = off == 0 && n == bytes.length ? bytes : new byte[n];
        if (drbg.generate(chunk, null, false) < 0) {
          drbg.reseed(null); // reseed interval reached: the entropy source is deterministic too
          drbg.generate(chunk, null, false);
        }
        if (chunk != bytes) {
          System.arraycopy(chunk, 0, bytes, off, n);
        }
        off += n;
      }
    }

    @Override
    protected byte[] engineGenerateSeed(int numBytes) {
      byte[] out = new byte[numBytes];
      engineNextBytes(out);
      return out;
    }
  }

  /** SHA-256 in counter mode over (domain, seed, purpose): the "entropy" input of the DRBG. */
  private static final class SeedEntropySource implements EntropySource {
    private final long seed;
    private final byte[] purpose;
    private long counter;

    SeedEntropySource(long seed, byte[] purpose) {
      this.seed = seed;
      this.purpose = purpose;
    }

    @Override
    public boolean isPredictionResistant() {
      return false;
    }

    @Override
    public synchronized byte[] getEntropy() {
      return digest("tcplab-drbg-entropy", seed, purpose, counter++);
    }

    @Override
    public int entropySize() {
      return 256;
    }
  }

  private static byte[] digest(String domain, long seed, byte[] purpose, long counter) {
    SHA256Digest d = new SHA256Digest();
    byte[] domainBytes = domain.getBytes(StandardCharsets.US_ASCII);
    d.update(domainBytes, 0, domainBytes.length);
    byte[] longs = new byte[16];
    Pack.longToBigEndian(seed, longs, 0);
    Pack.longToBigEndian(counter, longs, 8);
    d.update(longs, 0, longs.length);
    d.update(purpose, 0, purpose.length);
    byte[] out = new byte[d.getDigestSize()];
    d.doFinal(out, 0);
    return out;
  }
}
