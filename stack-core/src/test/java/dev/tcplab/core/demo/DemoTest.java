package dev.tcplab.core.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcplab.core.tcp.Profile;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DemoTest {
  private static String run(Profile p) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Demo.run(p, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void demoShowsTheHandshakeTheDataAndTheCloseSequence() throws Exception {
    String out = run(Profile.LINUX);
    assertThat(out)
        .contains("CLOSED -> SYN-SENT")
        .contains("LISTEN -> SYN-RECEIVED")
        .contains("S. seq")
        .contains("client  app      read 4000 bytes of response")
        .contains("ESTABLISHED -> FIN-WAIT-1")
        .contains("ESTABLISHED -> CLOSE-WAIT")
        .contains("FIN-WAIT-2 -> TIME-WAIT")
        .contains("LAST-ACK -> CLOSED")
        .contains("TIME-WAIT -> CLOSED  (2MSL timeout)")
        .contains("Result: client CLOSED (CLOSED_GRACEFULLY), server CLOSED (CLOSED_GRACEFULLY)");
  }

  @Test
  void demoIsDeterministic() throws Exception {
    assertThat(run(Profile.RFC9293)).isEqualTo(run(Profile.RFC9293));
  }
}
