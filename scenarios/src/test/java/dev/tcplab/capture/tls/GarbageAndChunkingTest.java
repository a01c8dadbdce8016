package dev.tcplab.capture.tls;

import static dev.tcplab.capture.tls.Direction.CLIENT_TO_SERVER;
import static dev.tcplab.capture.tls.Direction.SERVER_TO_CLIENT;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.bouncycastle.tls.CipherSuite;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Whatever the bytes and however they are cut, the observer never throws (nor hides an internal
 * error in a note), and cutting a stream differently never changes the answer.
 */
class GarbageAndChunkingTest {
  private static final List<byte[][]> STREAMS = new ArrayList<>();
  private static final List<NssKeyLog> KEYS = new ArrayList<>();

  @BeforeAll
  static void load() throws IOException {
    NssKeyLog shared = NssKeyLog.read(PcapStreams.resource("keylog.txt"));
    for (String c : List.of("tls12-graceful.pcap", "tls13-graceful-large.pcap",
        "tls12-fin-without-close-notify.pcap")) {
      PcapStreams ps = PcapStreams.read(PcapStreams.resource(c));
      STREAMS.add(new byte[][] {ps.stream(CLIENT_TO_SERVER), ps.stream(SERVER_TO_CLIENT)});
      KEYS.add(shared);
    }
    BcTlsPair chacha = new BcTlsPair(false, CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256)
        .clientWrites(10).serverWrites(40_000).serverCloses();
    STREAMS.add(new byte[][] {chacha.c2s.toByteArray(), chacha.s2c.toByteArray()});
    KEYS.add(chacha.keys());
    Tls13Forge f = new Tls13Forge(true).finishHandshake().serverData(30_000, 0)
        .serverKeyUpdate(0).serverData(100, 3).serverAlert(1, 0, 5).clientAlert(1, 0, 0);
    STREAMS.add(new byte[][] {f.c2s.toByteArray(), f.s2c.toByteArray()});
    KEYS.add(NssKeyLog.parse(f.keyLog(), "forge"));
  }

  /** Feeds both streams interleaved in random pieces of 1..maxPiece bytes. */
  private static TlsSummary feedRandomly(TlsStreamObserver o, byte[] c, byte[] s, Random rnd,
      int maxPiece, double gapChance) {
    int ci = 0; // bytes already given are skipped by the observer
    int si = 0;
    while (ci < c.length || si < s.length) {
      boolean client = si >= s.length || (ci < c.length && rnd.nextBoolean());
      byte[] b = client ? c : s;
      int at = client ? ci : si;
      int n = Math.min(b.length - at, 1 + rnd.nextInt(maxPiece));
      Direction d = client ? CLIENT_TO_SERVER : SERVER_TO_CLIENT;
      if (rnd.nextDouble() < gapChance) {
        o.onGap(d, at);
      } else {
        o.onData(d, at, b, at, n);
      }
      if (client) {
        ci += n;
      } else {
        si += n;
      }
    }
    TlsSummary sum = o.summary();
    assertThat(sum.notes()).noneMatch(x -> x.startsWith("internal error"));
    return sum;
  }

  @Test
  void cuttingTheStreamsDifferentlyNeverChangesTheAnswer() {
    Random rnd = new Random(1);
    for (int i = 0; i < STREAMS.size(); i++) {
      byte[][] st = STREAMS.get(i);
      TlsStreamObserver whole = new TlsStreamObserver(KEYS.get(i));
      // The client's hello, then the server's stream, then the client's rest: natural order.
      whole.onData(CLIENT_TO_SERVER, 0, st[0]);
      whole.onData(SERVER_TO_CLIENT, 0, st[1]);
      TlsSummary ref = whole.summary();
      for (int round = 0; round < 30; round++) {
        int max = new int[] {1, 7, 100, 3000, 70_000}[round % 5];
        // The ClientHello record first (a capture shows it before any server byte), then random.
        TlsStreamObserver o = new TlsStreamObserver(KEYS.get(i));
        int hello = 5 + (((st[0][3] & 0xff) << 8) | (st[0][4] & 0xff));
        o.onData(CLIENT_TO_SERVER, 0, st[0], 0, hello);
        TlsSummary s = feedRandomly(o, st[0], st[1], rnd, max, 0);
        String what = "stream " + i + " pieces<=" + max;
        assertThat(s.version()).as(what).isEqualTo(ref.version());
        assertThat(s.clientCloseNotify()).as(what).isEqualTo(ref.clientCloseNotify());
        assertThat(s.serverCloseNotify()).as(what).isEqualTo(ref.serverCloseNotify());
        assertThat(s.clientCloseNotifyEnd()).as(what).isEqualTo(ref.clientCloseNotifyEnd());
        assertThat(s.serverCloseNotifyEnd()).as(what).isEqualTo(ref.serverCloseNotifyEnd());
        assertThat(s.alerts()).as(what).containsExactlyInAnyOrderElementsOf(ref.alerts());
        assertThat(s.clientRecords()).as(what).isEqualTo(ref.clientRecords());
        assertThat(s.serverRecords()).as(what).isEqualTo(ref.serverRecords());
      }
    }
  }

  @Test
  void randomBytesNeverThrow() {
    Random rnd = new Random(2);
    for (int round = 0; round < 2000; round++) {
      byte[] c = new byte[rnd.nextInt(round % 10 == 0 ? 40_000 : 300)];
      byte[] s = new byte[rnd.nextInt(round % 10 == 0 ? 40_000 : 300)];
      rnd.nextBytes(c);
      rnd.nextBytes(s);
      if (round % 2 == 0 && c.length > 10) {
        // A plausible start, so that the garbage reaches the deeper states.
        System.arraycopy(new byte[] {22, 3, 1, 0, (byte) rnd.nextInt(256), 1}, 0, c, 0, 6);
        System.arraycopy(new byte[] {22, 3, 3, 0, (byte) rnd.nextInt(256), 2}, 0, s, 0,
            Math.min(6, s.length));
      }
      feedRandomly(new TlsStreamObserver(KEYS.get(round % KEYS.size())), c, s, rnd, 500, 0.01);
    }
  }

  @Test
  void mutatedRealStreamsNeverThrow() {
    Random rnd = new Random(3);
    for (int round = 0; round < 1500; round++) {
      int i = round % STREAMS.size();
      byte[] c = STREAMS.get(i)[0].clone();
      byte[] s = STREAMS.get(i)[1].clone();
      for (byte[] b : new byte[][] {c, s}) {
        int flips = rnd.nextInt(4);
        for (int k = 0; k < flips && b.length > 0; k++) {
          // Mostly in the first few hundred bytes: headers, hellos, the first encrypted records.
          int at = rnd.nextInt(rnd.nextBoolean() ? Math.min(b.length, 600) : b.length);
          b[at] = (byte) (rnd.nextBoolean() ? rnd.nextInt(256) : b[at] ^ (1 << rnd.nextInt(8)));
        }
      }
      if (rnd.nextInt(4) == 0) {
        c = Arrays.copyOf(c, rnd.nextInt(c.length + 1));
      }
      if (rnd.nextInt(4) == 0) {
        s = Arrays.copyOf(s, rnd.nextInt(s.length + 1));
      }
      NssKeyLog k = rnd.nextInt(3) == 0 ? NssKeyLog.empty() : KEYS.get(i);
      feedRandomly(new TlsStreamObserver(k, RecordDecryptor.Provider.values()[round % 2]), c, s,
          rnd, 1 + rnd.nextInt(5000), rnd.nextInt(5) == 0 ? 0.005 : 0);
    }
  }
}
