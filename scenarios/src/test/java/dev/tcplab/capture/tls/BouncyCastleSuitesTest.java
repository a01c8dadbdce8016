package dev.tcplab.capture.tls;

import static dev.tcplab.capture.tls.Direction.CLIENT_TO_SERVER;
import static dev.tcplab.capture.tls.Direction.SERVER_TO_CLIENT;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.stream.Stream;
import org.bouncycastle.tls.CipherSuite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * TLS written by Bouncy Castle's client and server in memory, each offering exactly one suite:
 * every AEAD family and hash the observer decrypts, both versions, both crypto providers.
 */
class BouncyCastleSuitesTest {

  static Stream<Arguments> suites() {
    Stream<Arguments> s = Stream.of(
        Arguments.of(false, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
        Arguments.of(false, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"),
        Arguments.of(false, CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"),
        Arguments.of(true, CipherSuite.TLS_AES_128_GCM_SHA256, "TLS_AES_128_GCM_SHA256"),
        Arguments.of(true, CipherSuite.TLS_AES_256_GCM_SHA384, "TLS_AES_256_GCM_SHA384"),
        Arguments.of(true, CipherSuite.TLS_CHACHA20_POLY1305_SHA256,
            "TLS_CHACHA20_POLY1305_SHA256"));
    return s.flatMap(a -> Stream.of(RecordDecryptor.Provider.values())
        .map(p -> Arguments.of(a.get()[0], a.get()[1], a.get()[2], p)));
  }

  private static TlsSummary observe(BcTlsPair pair, NssKeyLog keys, RecordDecryptor.Provider p) {
    TlsStreamObserver o = new TlsStreamObserver(keys, p);
    byte[] c = pair.c2s.toByteArray();
    byte[] s = pair.s2c.toByteArray();
    // Interleave roughly as a capture would: the hello first, then alternate 1000-byte pieces.
    int ci = 0;
    int si = 0;
    while (ci < c.length || si < s.length) {
      int n = Math.min(1000, c.length - ci);
      if (n > 0) {
        o.onData(CLIENT_TO_SERVER, ci, c, ci, n);
        ci += n;
      }
      n = Math.min(1000, s.length - si);
      if (n > 0) {
        o.onData(SERVER_TO_CLIENT, si, s, si, n);
        si += n;
      }
    }
    return o.summary();
  }

  @ParameterizedTest(name = "{2} {3}")
  @MethodSource("suites")
  void bothCloseNotifiesWithKeysNoneWithout(boolean tls13, int suite, String name,
      RecordDecryptor.Provider p) throws IOException {
    BcTlsPair pair = new BcTlsPair(tls13, suite).clientWrites(40).serverWrites(100_000)
        .serverCloses();
    TlsSummary s = observe(pair, pair.keys(), p);
    assertThat(s.version()).isEqualTo(tls13 ? "1.3" : "1.2");
    assertThat(s.cipherSuite()).isEqualTo(name);
    assertThat(s.decrypted()).isTrue();
    assertThat(s.serverCloseNotify()).as(s.notes().toString()).isTrue();
    assertThat(s.clientCloseNotify()).as(s.notes().toString()).isTrue();
    assertThat(s.serverCloseNotifyEnd()).isEqualTo(pair.s2c.size());
    assertThat(s.clientCloseNotifyEnd()).isEqualTo(pair.c2s.size());
    assertThat(s.notes()).isEmpty();

    TlsSummary none = observe(pair, NssKeyLog.empty(), p);
    assertThat(none.version()).isEqualTo(s.version());
    assertThat(none.serverCloseNotify()).isNull();
    assertThat(none.clientCloseNotify()).isNull();
    assertThat(none.alerts()).hasSize(tls13 ? 0 : 2);
  }

  @ParameterizedTest(name = "{2} {3}")
  @MethodSource("suites")
  void aCorruptedRecordDrawsADecryptedBadRecordMac(boolean tls13, int suite, String name,
      RecordDecryptor.Provider p) throws IOException {
    BcTlsPair pair = new BcTlsPair(tls13, suite).clientWrites(40).serverWrites(20_000)
        .serverWritesCorrupted(5_000);
    TlsSummary s = observe(pair, pair.keys(), p);
    assertThat(s.alerts(CLIENT_TO_SERVER)).singleElement().satisfies(a -> {
      assertThat(a.level()).isEqualTo("fatal");
      assertThat(a.description()).isEqualTo("bad_record_mac");
      assertThat(a.code()).isEqualTo(BcTlsPair.badRecordMac());
    });
    assertThat(s.clientCloseNotify()).isFalse();
    assertThat(s.serverCloseNotify()).isFalse();
  }

  @Test
  void tls13KeyUpdateMovesToTheNextSecret() throws IOException {
    BcTlsPair pair = new BcTlsPair(true, CipherSuite.TLS_AES_128_GCM_SHA256)
        .clientWrites(40).serverWrites(50_000).serverKeyUpdate().serverWrites(50_000)
        .serverKeyUpdate().serverWrites(10).serverCloses();
    TlsSummary s = observe(pair, pair.keys(), RecordDecryptor.Provider.JDK);
    assertThat(s.serverCloseNotify()).as(s.notes().toString()).isTrue();
    assertThat(s.clientCloseNotify()).isTrue();
    assertThat(s.notes()).isEmpty();
  }
}
