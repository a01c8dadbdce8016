package dev.tcplab.capture.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.bouncycastle.tls.CipherSuite;
import org.junit.jupiter.api.Test;

/**
 * Rough cost of the observer per MB of TLS stream, with keys, fed in 1448-byte pieces as TCP
 * segments arrive. Bulk records are counted, not decrypted, so the cost is the record walk; the
 * worst case is a stream of small records, each of which must be decrypted. Prints the figures;
 * the bounds are loose (a slow CI machine must pass).
 */
class ThroughputTest {
  private static final int PIECE = 1448;

  private static double msPerMb(byte[] c, byte[] s, NssKeyLog keys) {
    double best = Double.MAX_VALUE;
    for (int round = 0; round < 8; round++) {
      long t0 = System.nanoTime();
      TlsStreamObserver o = new TlsStreamObserver(keys);
      o.onData(Direction.CLIENT_TO_SERVER, 0, c);
      for (int at = 0; at < s.length; at += PIECE) {
        o.onData(Direction.SERVER_TO_CLIENT, at, s, at, Math.min(PIECE, s.length - at));
      }
      TlsSummary sum = o.summary();
      long t1 = System.nanoTime();
      assertThat(sum.serverCloseNotify()).isTrue();
      best = Math.min(best, (t1 - t0) / 1e6 / ((c.length + s.length) / 1e6));
    }
    return best;
  }

  @Test
  void bulkAndWorstCase() throws IOException {
    Tls13Forge bulk13 = new Tls13Forge(false).finishHandshake().serverData(32_000_000, 0)
        .serverAlert(1, 0, 0);
    double b13 = msPerMb(bulk13.c2s.toByteArray(), bulk13.s2c.toByteArray(),
        NssKeyLog.parse(bulk13.keyLog(), "f"));

    BcTlsPair bulk12 = new BcTlsPair(false, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)
        .clientWrites(40).serverWrites(16_000_000).serverCloses();
    double b12 = msPerMb(bulk12.c2s.toByteArray(), bulk12.s2c.toByteArray(), bulk12.keys());

    Tls13Forge small = new Tls13Forge(false).finishHandshake();
    for (int i = 0; i < 20_000; i++) {
      small.serverData(200, 0);
    }
    small.serverAlert(1, 0, 0);
    double w13 = msPerMb(small.c2s.toByteArray(), small.s2c.toByteArray(),
        NssKeyLog.parse(small.keyLog(), "f"));

    System.out.printf("TLS observer, with keys, 1448-byte pieces: TLS 1.3 bulk %.3f ms/MB, "
        + "TLS 1.2 bulk %.3f ms/MB, TLS 1.3 all 200-byte records (every one decrypted) %.1f ms/MB%n",
        b13, b12, w13);
    assertThat(b13).isLessThan(50);
    assertThat(b12).isLessThan(50);
    assertThat(w13).isLessThan(2000);
  }
}
