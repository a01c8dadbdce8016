package dev.tcplab.capture.tls;

import static dev.tcplab.capture.tls.Direction.CLIENT_TO_SERVER;
import static dev.tcplab.capture.tls.Direction.SERVER_TO_CLIENT;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Real Linux captures (OpenSSL through Python, loopback; /work/shared/captures): what tshark shows
 * with the key log, the observer must find — and without the key log, exactly what can be told.
 * Offsets are from tshark: the close_notify record's last byte is at tcp.seq + tcp.len - 1.
 */
class RealCapturesTest {
  private static NssKeyLog keys;

  @BeforeAll
  static void readKeys() throws IOException {
    keys = NssKeyLog.read(PcapStreams.resource("keylog.txt"));
  }

  private static TlsSummary analyze(String capture, NssKeyLog k, RecordDecryptor.Provider p)
      throws IOException {
    return PcapStreams.read(PcapStreams.resource(capture))
        .feed(new TlsStreamObserver(k, p)).summary();
  }

  private static TlsSummary analyze(String capture, NssKeyLog k) throws IOException {
    return analyze(capture, k, RecordDecryptor.Provider.JDK);
  }

  @ParameterizedTest
  @EnumSource(RecordDecryptor.Provider.class)
  void tls12GracefulWithKeysBothCloseNotifies(RecordDecryptor.Provider p) throws IOException {
    TlsSummary s = analyze("tls12-graceful.pcap", keys, p);
    assertThat(s.isTls()).isTrue();
    assertThat(s.version()).isEqualTo("1.2");
    assertThat(s.cipherSuite()).isEqualTo("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
    assertThat(s.decrypted()).isTrue();
    assertThat(s.clientCloseNotify()).isTrue();
    assertThat(s.serverCloseNotify()).isTrue();
    assertThat(s.serverCloseNotifyEnd()).isEqualTo(55718 + 15875 - 1);
    assertThat(s.clientCloseNotifyEnd()).isEqualTo(292 + 31 - 1);
    assertThat(s.alerts()).hasSize(2).allSatisfy(a -> {
      assertThat(a.description()).isEqualTo("close_notify");
      assertThat(a.level()).isEqualTo("warning");
      assertThat(a.encrypted()).isTrue();
      assertThat(a.undecrypted()).isFalse();
    });
    assertThat(s.notes()).isEmpty();
  }

  @Test
  void tls12GracefulWithoutKeysSeesEncryptedAlertsButCannotName() throws IOException {
    TlsSummary s = analyze("tls12-graceful.pcap", NssKeyLog.empty());
    assertThat(s.version()).isEqualTo("1.2");
    assertThat(s.decrypted()).isFalse();
    assertThat(s.clientCloseNotify()).isNull();
    assertThat(s.serverCloseNotify()).isNull();
    assertThat(s.clientCloseNotifyEnd()).isEqualTo(-1);
    assertThat(s.alerts()).hasSize(2).allSatisfy(a -> {
      assertThat(a.undecrypted()).isTrue();
      assertThat(a.description()).isNull();
      assertThat(a.code()).isEqualTo(-1);
    });
    assertThat(s.alerts(SERVER_TO_CLIENT).get(0).end()).isEqualTo(55718 + 15875 - 1);
    assertThat(s.alerts(CLIENT_TO_SERVER).get(0).offset()).isEqualTo(291);
  }

  @ParameterizedTest
  @EnumSource(RecordDecryptor.Provider.class)
  void tls13GracefulLargeWithKeys(RecordDecryptor.Provider p) throws IOException {
    TlsSummary s = analyze("tls13-graceful-large.pcap", keys, p);
    assertThat(s.version()).isEqualTo("1.3");
    assertThat(s.cipherSuite()).isEqualTo("TLS_AES_256_GCM_SHA384");
    assertThat(s.decrypted()).isTrue();
    assertThat(s.clientCloseNotify()).isTrue();
    assertThat(s.serverCloseNotify()).isTrue();
    assertThat(s.serverCloseNotifyEnd()).isEqualTo(95092 + 56994 - 1);
    assertThat(s.clientCloseNotifyEnd()).isEqualTo(335 + 24 - 1);
    assertThat(s.alerts()).extracting(TlsSummary.Alert::description)
        .containsExactly("close_notify", "close_notify");
    assertThat(s.notes()).isEmpty();
    // 150 000 bytes of response in 16 401-byte records, plus the handshake and tickets.
    assertThat(s.serverRecords()).isGreaterThan(10);
  }

  @Test
  void tls13WithoutKeysCannotTell() throws IOException {
    TlsSummary s = analyze("tls13-graceful-large.pcap", NssKeyLog.empty());
    assertThat(s.version()).isEqualTo("1.3");
    assertThat(s.cipherSuite()).isEqualTo("TLS_AES_256_GCM_SHA384");
    assertThat(s.decrypted()).isFalse();
    assertThat(s.clientCloseNotify()).isNull();
    assertThat(s.serverCloseNotify()).isNull();
    assertThat(s.alerts()).isEmpty();
    assertThat(s.notes()).anyMatch(n -> n.contains("no key log"));
  }

  @Test
  void tls12FinWithoutCloseNotify() throws IOException {
    TlsSummary s = analyze("tls12-fin-without-close-notify.pcap", keys);
    assertThat(s.version()).isEqualTo("1.2");
    assertThat(s.serverCloseNotify()).isFalse();
    assertThat(s.serverCloseNotifyEnd()).isEqualTo(-1);
    // The client answered the truncation with a fatal alert — not a close_notify.
    assertThat(s.clientCloseNotify()).isFalse();
    assertThat(s.alerts()).hasSize(1);
    TlsSummary.Alert a = s.alerts().get(0);
    assertThat(a.direction()).isEqualTo(CLIENT_TO_SERVER);
    assertThat(a.level()).isEqualTo("fatal");
    assertThat(a.description()).isEqualTo("decode_error");
    assertThat(a.code()).isEqualTo(50);
    assertThat(a.isFatal()).isTrue();
    assertThat(a.offset()).isEqualTo(291);
  }

  @Test
  void tls12FinWithoutCloseNotifyWithoutKeys() throws IOException {
    TlsSummary s = analyze("tls12-fin-without-close-notify.pcap", NssKeyLog.empty());
    // TLS 1.2 shows record types in clear: the server sent no alert at all — certain even so.
    assertThat(s.serverCloseNotify()).isFalse();
    assertThat(s.clientCloseNotify()).isNull();
    assertThat(s.alerts()).singleElement().satisfies(a -> {
      assertThat(a.direction()).isEqualTo(CLIENT_TO_SERVER);
      assertThat(a.undecrypted()).isTrue();
    });
  }

  @Test
  void keysOfAnotherConnectionDecryptNothing() throws IOException {
    NssKeyLog other = NssKeyLog.parse(
        "CLIENT_RANDOM " + "00".repeat(32) + " " + "11".repeat(48) + "\n", "other");
    TlsSummary s = analyze("tls12-graceful.pcap", other);
    assertThat(s.decrypted()).isFalse();
    assertThat(s.serverCloseNotify()).isNull();
    assertThat(s.notes()).anyMatch(n -> n.contains("no secrets for client random"));
  }

  @Test
  void wrongSecretsAreNoticedNotBelieved() throws IOException {
    // The right client random with a wrong master secret: the Finished does not open.
    NssKeyLog wrong = NssKeyLog.parse(
        "CLIENT_RANDOM " + keyLine("CLIENT_RANDOM", 0) + " " + "22".repeat(48) + "\n"
            + "CLIENT_RANDOM " + keyLine("CLIENT_RANDOM", 1) + " " + "22".repeat(48) + "\n",
        "wrong");
    for (String capture : List.of("tls12-graceful.pcap", "tls12-fin-without-close-notify.pcap")) {
      TlsSummary s = analyze(capture, wrong);
      assertThat(s.decrypted()).isFalse();
      assertThat(s.notes()).anyMatch(n -> n.contains("does not decrypt"));
    }
  }

  /** The client random of the {@code n}th line with {@code label} in the shared key log. */
  private static String keyLine(String label, int n) throws IOException {
    return java.nio.file.Files.readAllLines(PcapStreams.resource("keylog.txt")).stream()
        .filter(l -> l.startsWith(label + " ")).skip(n).findFirst().orElseThrow()
        .split(" ")[1];
  }

  @Test
  void eachDirectionFedWholeGivesTheSameAnswerInEitherOrder() throws IOException {
    // The analyzer may feed directions in any interleaving; a side that needs the other's hello
    // waits (up to one record's worth of bytes).
    for (String capture : List.of("tls12-graceful.pcap", "tls13-graceful-large.pcap",
        "tls12-fin-without-close-notify.pcap")) {
      PcapStreams ps = PcapStreams.read(PcapStreams.resource(capture));
      TlsSummary reference = ps.feed(new TlsStreamObserver(keys)).summary();
      byte[] c = ps.stream(CLIENT_TO_SERVER);
      byte[] sv = ps.stream(SERVER_TO_CLIENT);
      int hello = 5 + (((c[3] & 0xff) << 8) | (c[4] & 0xff));
      // the ClientHello, then the whole server stream, then the rest of the client's
      TlsStreamObserver serverFirst = new TlsStreamObserver(keys);
      serverFirst.onData(CLIENT_TO_SERVER, 0, c, 0, hello);
      serverFirst.onData(SERVER_TO_CLIENT, 0, sv);
      serverFirst.onData(CLIENT_TO_SERVER, hello, java.util.Arrays.copyOfRange(c, hello, c.length));
      // the whole client stream (its encrypted part waits for the ServerHello), then the server's
      TlsStreamObserver clientFirst = new TlsStreamObserver(keys);
      clientFirst.onData(CLIENT_TO_SERVER, 0, c);
      clientFirst.onData(SERVER_TO_CLIENT, 0, sv);
      for (TlsSummary s : List.of(serverFirst.summary(), clientFirst.summary())) {
        assertThat(s.version()).isEqualTo(reference.version());
        assertThat(s.clientCloseNotify()).isEqualTo(reference.clientCloseNotify());
        assertThat(s.serverCloseNotify()).isEqualTo(reference.serverCloseNotify());
        assertThat(s.clientCloseNotifyEnd()).isEqualTo(reference.clientCloseNotifyEnd());
        assertThat(s.serverCloseNotifyEnd()).isEqualTo(reference.serverCloseNotifyEnd());
        assertThat(s.alerts()).containsExactlyInAnyOrderElementsOf(reference.alerts());
        assertThat(s.clientRecords()).isEqualTo(reference.clientRecords());
        assertThat(s.serverRecords()).isEqualTo(reference.serverRecords());
        assertThat(s.notes()).isEqualTo(reference.notes());
      }
    }
  }

  @Test
  void aServerStreamFarAheadOfTheClientHelloBecomesUnknown() throws IOException {
    PcapStreams ps = PcapStreams.read(PcapStreams.resource("tls12-graceful.pcap"));
    TlsStreamObserver o = new TlsStreamObserver(keys);
    o.onData(SERVER_TO_CLIENT, 0, ps.stream(SERVER_TO_CLIENT));
    o.onData(CLIENT_TO_SERVER, 0, ps.stream(CLIENT_TO_SERVER));
    TlsSummary s = o.summary();
    assertThat(s.isTls()).isTrue();
    assertThat(s.version()).isNull(); // the ServerHello was in the bytes that could not wait
    assertThat(s.serverCloseNotify()).isNull();
    assertThat(s.clientCloseNotify()).isNull();
    assertThat(s.notes()).anyMatch(n -> n.contains("ran more than"));
  }
}
