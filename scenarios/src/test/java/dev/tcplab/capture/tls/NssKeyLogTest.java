package dev.tcplab.capture.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NssKeyLogTest {
  @TempDir Path dir;

  private static final String R = "ab".repeat(32);

  @Test
  void readsTheSharedKeyLog() throws IOException {
    NssKeyLog k = NssKeyLog.read(PcapStreams.resource("keylog.txt"));
    assertThat(k.size()).isEqualTo(7); // one comment line, 2 CLIENT_RANDOM, 5 TLS 1.3 secrets
    byte[] random = HexFormat.of()
        .parseHex("5423c71232559b64420a8a7cf7a36316a9f9428b22acb7f184f575d70180570a");
    assertThat(k.has(random)).isTrue();
    assertThat(k.secret(NssKeyLog.SERVER_TRAFFIC_SECRET_0, random)).hasSize(48);
    assertThat(k.secret(NssKeyLog.CLIENT_RANDOM, random)).isNull();
  }

  @Test
  void commentsBlankLinesCrLfAndUnknownLabelsAreFine() {
    NssKeyLog k = NssKeyLog.parse("# a comment\r\n\r\n   \nRSA 0102030405060708 0a0b\n"
        + "SOMETHING_NEW whatever\n" + "CLIENT_RANDOM " + R.toUpperCase() + " "
        + "cd".repeat(48) + "\r\n", "k");
    assertThat(k.size()).isEqualTo(1);
    assertThat(k.secret(NssKeyLog.CLIENT_RANDOM, HexFormat.of().parseHex(R)))
        .isEqualTo(HexFormat.of().parseHex("cd".repeat(48)));
    assertThat(NssKeyLog.empty().isEmpty()).isTrue();
  }

  @Test
  void malformedLinesNameFileAndLine() throws IOException {
    assertMalformed("CLIENT_RANDOM " + R + "\n", ":1: CLIENT_RANDOM needs 2 fields");
    assertMalformed("# ok\nCLIENT_RANDOM " + R + " zz" + "\n", ":2: the secret is not hexadecimal");
    assertMalformed("\nCLIENT_RANDOM abcd " + "cd".repeat(48), ":2: the client random has 2 bytes");
    assertMalformed("CLIENT_RANDOM " + R + " " + "cd".repeat(32), ":1: a CLIENT_RANDOM master secret has 48 bytes");
    assertMalformed("SERVER_TRAFFIC_SECRET_0 " + R + " abc", ":1: the secret has an odd number");
    assertMalformed("SERVER_TRAFFIC_SECRET_0 " + R + " " + "cd".repeat(20), "expected 32 (SHA-256) or 48");
    assertMalformed("EXPORTER_SECRET " + R + " " + "cd".repeat(32) + " extra", "needs 2 fields");
  }

  private void assertMalformed(String text, String message) throws IOException {
    Path f = dir.resolve("keys.log");
    Files.writeString(f, text);
    assertThatThrownBy(() -> NssKeyLog.read(f))
        .isInstanceOf(NssKeyLog.Malformed.class)
        .hasMessageStartingWith(f.toString() + ":")
        .hasMessageContaining(message);
    assertThatThrownBy(() -> NssKeyLog.parse(text, "x")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void missingFile() {
    assertThatThrownBy(() -> NssKeyLog.read(dir.resolve("nope"))).isInstanceOf(IOException.class);
  }
}
