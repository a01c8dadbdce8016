package dev.tcplab.capture.tls;

import java.util.HashMap;
import java.util.Map;

/** The cipher suites the observer can name, and those it can decrypt (AEAD: AES-GCM, ChaCha20). */
final class CipherSuites {
  /** The record protections the observer decrypts. */
  enum Aead {
    AES_128_GCM(16, 4, 8),
    AES_256_GCM(32, 4, 8),
    CHACHA20_POLY1305(32, 12, 0);

    final int keyLength;
    /** TLS 1.2: the implicit part of the nonce from the key block (RFC 5288 salt, RFC 7905 iv). */
    final int fixedIvLength12;
    /** TLS 1.2: the explicit nonce at the start of each record body. */
    final int explicitNonce12;

    Aead(int keyLength, int fixedIvLength12, int explicitNonce12) {
      this.keyLength = keyLength;
      this.fixedIvLength12 = fixedIvLength12;
      this.explicitNonce12 = explicitNonce12;
    }
  }

  /**
   * One suite.
   *
   * @param aead null when the observer cannot decrypt it (CBC, CCM, stream ciphers)
   * @param hash "SHA256" or "SHA384": the TLS 1.2 PRF or the TLS 1.3 HKDF hash; null if unknown
   */
  record Suite(int code, String name, Aead aead, String hash) {
    int hashLength() {
      return "SHA384".equals(hash) ? 48 : 32;
    }
  }

  private static final Map<Integer, Suite> SUITES = new HashMap<>();

  private static void add(int code, String name, Aead aead, String hash) {
    SUITES.put(code, new Suite(code, name, aead, hash));
  }

  static {
    Aead g128 = Aead.AES_128_GCM;
    Aead g256 = Aead.AES_256_GCM;
    Aead cc = Aead.CHACHA20_POLY1305;
    // TLS 1.3 (RFC 8446 B.4)
    add(0x1301, "TLS_AES_128_GCM_SHA256", g128, "SHA256");
    add(0x1302, "TLS_AES_256_GCM_SHA384", g256, "SHA384");
    add(0x1303, "TLS_CHACHA20_POLY1305_SHA256", cc, "SHA256");
    add(0x1304, "TLS_AES_128_CCM_SHA256", null, "SHA256");
    add(0x1305, "TLS_AES_128_CCM_8_SHA256", null, "SHA256");
    // TLS 1.2 AES-GCM (RFC 5288, 5289, 5487, 8442)
    add(0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256", g128, "SHA256");
    add(0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384", g256, "SHA384");
    add(0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", g128, "SHA256");
    add(0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", g256, "SHA384");
    add(0x00A2, "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256", g128, "SHA256");
    add(0x00A3, "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384", g256, "SHA384");
    add(0x00A8, "TLS_PSK_WITH_AES_128_GCM_SHA256", g128, "SHA256");
    add(0x00A9, "TLS_PSK_WITH_AES_256_GCM_SHA384", g256, "SHA384");
    add(0x00AA, "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256", g128, "SHA256");
    add(0x00AB, "TLS_DHE_PSK_WITH_AES_256_GCM_SHA384", g256, "SHA384");
    add(0x00AC, "TLS_RSA_PSK_WITH_AES_128_GCM_SHA256", g128, "SHA256");
    add(0x00AD, "TLS_RSA_PSK_WITH_AES_256_GCM_SHA384", g256, "SHA384");
    add(0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", g128, "SHA256");
    add(0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", g256, "SHA384");
    add(0xC02D, "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256", g128, "SHA256");
    add(0xC02E, "TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384", g256, "SHA384");
    add(0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", g128, "SHA256");
    add(0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", g256, "SHA384");
    add(0xC031, "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256", g128, "SHA256");
    add(0xC032, "TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384", g256, "SHA384");
    add(0xD001, "TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256", g128, "SHA256");
    add(0xD002, "TLS_ECDHE_PSK_WITH_AES_256_GCM_SHA384", g256, "SHA384");
    // TLS 1.2 ChaCha20-Poly1305 (RFC 7905)
    add(0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", cc, "SHA256");
    add(0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", cc, "SHA256");
    add(0xCCAA, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", cc, "SHA256");
    add(0xCCAB, "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256", cc, "SHA256");
    add(0xCCAC, "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256", cc, "SHA256");
    add(0xCCAD, "TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256", cc, "SHA256");
    add(0xCCAE, "TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256", cc, "SHA256");
    // Common suites named but not decrypted.
    add(0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", null, null);
    add(0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA", null, null);
    add(0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", null, null);
    add(0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256", null, "SHA256");
    add(0x003D, "TLS_RSA_WITH_AES_256_CBC_SHA256", null, "SHA256");
    add(0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", null, null);
    add(0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", null, null);
    add(0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", null, "SHA256");
    add(0x006B, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", null, "SHA256");
    add(0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", null, null);
    add(0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", null, null);
    add(0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", null, null);
    add(0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", null, null);
    add(0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", null, "SHA256");
    add(0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", null, "SHA384");
    add(0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", null, "SHA256");
    add(0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", null, "SHA384");
    add(0xC09C, "TLS_RSA_WITH_AES_128_CCM", null, "SHA256");
    add(0xC09D, "TLS_RSA_WITH_AES_256_CCM", null, "SHA256");
    add(0xC0AC, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM", null, "SHA256");
    add(0xC0AD, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM", null, "SHA256");
  }

  private CipherSuites() {}

  /** Never null: an unknown code is named {@code 0xHHHH} and cannot be decrypted. */
  static Suite lookup(int code) {
    Suite s = SUITES.get(code);
    return s != null ? s : new Suite(code, String.format("0x%04X", code), null, null);
  }
}
