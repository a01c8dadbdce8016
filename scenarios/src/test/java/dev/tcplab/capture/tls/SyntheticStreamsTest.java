package dev.tcplab.capture.tls;

import static dev.tcplab.capture.tls.Direction.CLIENT_TO_SERVER;
import static dev.tcplab.capture.tls.Direction.SERVER_TO_CLIENT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Shapes of TLS that the real captures do not show, written record by record. */
class SyntheticStreamsTest {

  @Test
  void tls13PaddedCloseNotifyWithinTheBoundIsFound() {
    // 2 + 1 + 237 padding + 16 tag = 256 bytes of ciphertext: the largest record decrypted.
    TlsSummary s = new Tls13Forge(false).finishHandshake().serverData(50_000, 0)
        .serverAlert(1, 0, 237).clientAlert(1, 0, 0).observe();
    assertThat(s.serverCloseNotify()).as(s.notes().toString()).isTrue();
    assertThat(s.clientCloseNotify()).isTrue();
    assertThat(s.notes()).isEmpty();
  }

  @Test
  void tls13AlertPaddedBeyondTheBoundIsMissedAsDocumented() {
    TlsSummary s = new Tls13Forge(false).finishHandshake().serverData(1000, 0)
        .serverAlert(1, 0, 238).observe();
    assertThat(s.serverCloseNotify()).isFalse();
    assertThat(TlsStreamObserver.TLS13_ALERT_CANDIDATE_MAX).isEqualTo(256);
  }

  @Test
  void tls13KeyUpdateInARecordTooLargeToDecryptIsRecovered() {
    TlsSummary s = new Tls13Forge(false).finishHandshake().serverData(20_000, 0)
        .serverKeyUpdate(1000).serverData(30_000, 0).serverKeyUpdate(0).serverData(100, 0)
        .serverAlert(1, 0, 0).observe();
    assertThat(s.serverCloseNotify()).as(s.notes().toString()).isTrue();
    assertThat(s.notes()).anyMatch(n -> n.contains("KeyUpdate was in a record too large"));
  }

  @Test
  void tls13HelloRetryRequest() {
    TlsSummary s = new Tls13Forge(true).finishHandshake().serverData(5000, 0)
        .serverAlert(1, 0, 0).clientAlert(2, 90, 0).observe();
    assertThat(s.version()).isEqualTo("1.3");
    assertThat(s.serverCloseNotify()).as(s.notes().toString()).isTrue();
    assertThat(s.clientCloseNotify()).isFalse();
    assertThat(s.alerts(CLIENT_TO_SERVER)).singleElement()
        .satisfies(a -> assertThat(a.description()).isEqualTo("user_canceled"));
    assertThat(s.notes()).containsExactly("HelloRetryRequest: the client sent a second ClientHello");
  }

  @Test
  void tls13InnerPlaintextWithoutContentTypeIsNotedNotThrown() {
    TlsSummary s = new Tls13Forge(false).finishHandshake().serverEmptyInner()
        .serverAlert(1, 0, 0).observe();
    assertThat(s.serverCloseNotify()).isTrue();
    assertThat(s.notes()).anyMatch(n -> n.contains("no content type"));
  }

  @Test
  void tls13CutBeforeEncryptionIsCertainEvenWithoutKeys() {
    TlsSummary s = new Tls13Forge(false).observe(NssKeyLog.empty());
    assertThat(s.version()).isEqualTo("1.3");
    assertThat(s.clientCloseNotify()).isFalse();
    assertThat(s.serverCloseNotify()).isFalse();
  }

  @Test
  void tls13WrongHandshakeSecretsAreNoticed() {
    Tls13Forge f = new Tls13Forge(false).finishHandshake().serverAlert(1, 0, 0);
    String wrong = f.keyLog().replaceAll(" [0-9a-f]{64}\n", " " + "ab".repeat(32) + "\n");
    TlsSummary s = f.observe(NssKeyLog.parse(wrong, "wrong"));
    assertThat(s.decrypted()).isFalse();
    assertThat(s.serverCloseNotify()).isNull();
    assertThat(s.notes()).anyMatch(n -> n.contains("does not decrypt"));
  }

  @Test
  void aPlaintextAlertBeforeEncryptionIsReadDirectly() {
    Tls13Forge f = new Tls13Forge(false);
    TlsStreamObserver o = new TlsStreamObserver(NssKeyLog.empty());
    o.onData(CLIENT_TO_SERVER, 0, f.c2s.toByteArray());
    // The server refuses the ClientHello in clear: fatal handshake_failure; two alerts coalesced.
    byte[] alerts = Tls13Forge.record(21, 0x0303, new byte[] {2, 40, 1, 0});
    o.onData(SERVER_TO_CLIENT, 0, alerts);
    TlsSummary s = o.summary();
    assertThat(s.isTls()).isTrue();
    assertThat(s.version()).isNull();
    assertThat(s.alerts()).extracting(TlsSummary.Alert::description)
        .containsExactly("handshake_failure", "close_notify");
    assertThat(s.alerts()).allSatisfy(a -> {
      assertThat(a.encrypted()).isFalse();
      assertThat(a.offset()).isZero();
      assertThat(a.end()).isEqualTo(9);
    });
    assertThat(s.serverCloseNotify()).isTrue();
    assertThat(s.serverCloseNotifyEnd()).isEqualTo(9);
    assertThat(s.clientCloseNotify()).isFalse();
  }

  @Test
  void notTls() {
    TlsStreamObserver o = new TlsStreamObserver(NssKeyLog.empty());
    o.onData(CLIENT_TO_SERVER, 0, "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    o.onData(SERVER_TO_CLIENT, 0, "HTTP/1.1 200 OK\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    TlsSummary s = o.summary();
    assertThat(s.isTls()).isFalse();
    assertThat(s.version()).isNull();
    assertThat(s.clientCloseNotify()).isNull();
    assertThat(s.notes()).singleElement().asString().startsWith("not TLS");
    // A handshake record that holds no ClientHello is not TLS either.
    TlsStreamObserver o2 = new TlsStreamObserver(NssKeyLog.empty());
    o2.onData(CLIENT_TO_SERVER, 0, Tls13Forge.record(22, 0x0301, Tls13Forge.handshake(2, new byte[40])));
    assertThat(o2.summary().isTls()).isFalse();
    assertThat(new TlsStreamObserver(NssKeyLog.empty()).summary().isTls()).isFalse();
  }

  @Test
  void aGapMakesThatDirectionUnknownButNotTheOther() {
    Tls13Forge f = new Tls13Forge(false).finishHandshake().serverData(3000, 0)
        .clientAlert(1, 0, 0).serverAlert(1, 0, 0);
    byte[] c = f.c2s.toByteArray();
    byte[] s = f.s2c.toByteArray();
    TlsStreamObserver o = new TlsStreamObserver(NssKeyLog.parse(f.keyLog(), "forge"));
    o.onData(CLIENT_TO_SERVER, 0, c);
    o.onData(SERVER_TO_CLIENT, 0, s, 0, 1000);
    o.onGap(SERVER_TO_CLIENT, 1000);
    o.onData(SERVER_TO_CLIENT, 1200, s, 1200, s.length - 1200); // ignored after the gap
    TlsSummary sum = o.summary();
    assertThat(sum.clientCloseNotify()).isTrue();
    assertThat(sum.serverCloseNotify()).isNull();
    assertThat(sum.notes()).anyMatch(n -> n.contains("bytes missing from offset 1000"));
  }

  @Test
  void aJumpForwardIsAGapAndRepeatedBytesAreSkipped() {
    Tls13Forge f = new Tls13Forge(false).finishHandshake().serverAlert(1, 0, 0);
    byte[] c = f.c2s.toByteArray();
    byte[] s = f.s2c.toByteArray();
    TlsStreamObserver o = new TlsStreamObserver(NssKeyLog.parse(f.keyLog(), "forge"));
    o.onData(CLIENT_TO_SERVER, 0, c, 0, 50);
    o.onData(CLIENT_TO_SERVER, 10, c, 10, 60); // overlaps: only 50..70 is new
    o.onData(CLIENT_TO_SERVER, 0, c);
    o.onData(SERVER_TO_CLIENT, 0, s);
    o.onData(SERVER_TO_CLIENT, 0, s); // a retransmission of everything
    TlsSummary sum = o.summary();
    assertThat(sum.serverCloseNotify()).isTrue();
    assertThat(sum.clientCloseNotify()).isFalse();
    o.onData(CLIENT_TO_SERVER, c.length + 5, new byte[] {1, 2, 3});
    assertThat(o.summary().clientCloseNotify()).isNull();
  }

  @Test
  void aStreamEndingInsideARecordSaysWhere() {
    Tls13Forge f = new Tls13Forge(false).finishHandshake().serverData(16_000, 0);
    byte[] s = f.s2c.toByteArray();
    TlsStreamObserver o = new TlsStreamObserver(NssKeyLog.parse(f.keyLog(), "forge"));
    o.onData(CLIENT_TO_SERVER, 0, f.c2s.toByteArray());
    o.onData(SERVER_TO_CLIENT, 0, s, 0, s.length - 100);
    TlsSummary sum = o.summary();
    assertThat(sum.serverCloseNotify()).isFalse();
    assertThat(sum.notes()).anyMatch(n -> n.startsWith("server's stream ends inside a record at"));
  }

  @Test
  void garbageAfterTheHandshakeStopsThatDirectionWithANote() {
    Tls13Forge f = new Tls13Forge(false).finishHandshake();
    TlsStreamObserver o = new TlsStreamObserver(NssKeyLog.parse(f.keyLog(), "forge"));
    o.onData(CLIENT_TO_SERVER, 0, f.c2s.toByteArray());
    byte[] s = f.s2c.toByteArray();
    o.onData(SERVER_TO_CLIENT, 0, s);
    o.onData(SERVER_TO_CLIENT, s.length, "HTTP/1.1 400 Bad Request\r\n".getBytes());
    TlsSummary sum = o.summary();
    assertThat(sum.isTls()).isTrue();
    assertThat(sum.serverCloseNotify()).isNull();
    assertThat(sum.notes()).anyMatch(n -> n.contains("stops looking like TLS at offset " + s.length));
  }
}
