package dev.tcplab.cli;

import static dev.tcplab.cli.TcpLabCliTest.tcplab;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tcplab.cli.TcpLabCliTest.Run;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.tcplab.sim.pcap.PcapReader;

/** {@code tcplab analyze} and {@code tcplab replay} as a user runs them. */
class AnalyzeReplayCliTest {
  @TempDir Path dir;

  @BeforeEach
  void needsLibpcap() {
    assumeTrue(PcapReader.libpcapAvailable(), "libpcap not installed: apt-get install libpcap0.8");
  }

  private static String capture(String name) throws Exception {
    URL url = AnalyzeReplayCliTest.class.getResource("/captures/" + name);
    return Path.of(url.toURI()).toString();
  }

  @Test
  void textTableWithTheVerdict() throws Exception {
    Run r = tcplab("analyze", capture("receiver-abort-mid-stream.pcap"));
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("127.0.0.1:49816", "127.0.0.1:41203", "reset", "32768/16384",
        "reset by client in ESTABLISHED: data lost to RST: 16 384 bytes from server to client",
        "[zero window at close: client (receive buffer full)]", "11 packets, 11 TCP, 1 connection");
    assertThat(r.out().lines()).allMatch(l -> !l.endsWith(" "));
    assertThat(r.err()).isEmpty(); // no progress bar without a terminal
  }

  @Test
  void jsonHasTheDocumentedNames() throws Exception {
    Run r = tcplab("analyze", "--json", "--keylog", capture("keylog.txt"),
        capture("tls13-graceful-large.pcap"));
    assertThat(r.code()).as(r.err()).isZero();
    JsonObject doc = JsonParser.parseString(r.out()).getAsJsonObject();
    JsonArray conns = doc.getAsJsonArray("connections");
    assertThat(conns.size()).isEqualTo(1);
    JsonObject c = conns.get(0).getAsJsonObject();
    assertThat(c.get("client").getAsString()).matches("127\\.0\\.0\\.1:\\d+");
    JsonObject close = c.getAsJsonObject("close");
    assertThat(close.get("kind").getAsString()).isEqualTo("graceful");
    assertThat(close.get("firstBy").getAsString()).isEqualTo("client");
    assertThat(close.get("resetBy").isJsonNull()).isTrue();
    assertThat(close.get("unackedAtReset").isJsonNull()).isTrue();
    JsonObject bytes = c.getAsJsonObject("bytes");
    assertThat(bytes.getAsJsonObject("server").get("sent").getAsLong()).isGreaterThan(150_000);
    assertThat(bytes.getAsJsonObject("server").get("acked").getAsLong())
        .isEqualTo(bytes.getAsJsonObject("server").get("sent").getAsLong());
    JsonObject tls = c.getAsJsonObject("tls");
    assertThat(tls.get("version").getAsString()).isEqualTo("1.3");
    assertThat(tls.getAsJsonObject("closeNotify").get("client").getAsBoolean()).isTrue();
    assertThat(tls.getAsJsonObject("closeNotify").get("server").getAsBoolean()).isTrue();
    assertThat(tls.get("truncated").getAsBoolean()).isFalse();
    assertThat(doc.get("error").isJsonNull()).isTrue();
  }

  @Test
  void jsonWithoutKeysHasNullCloseNotifyAndTheResetNumbers() throws Exception {
    JsonObject tls13 = first(tcplab("analyze", "--json", capture("tls13-graceful-large.pcap")));
    JsonElement server = tls13.getAsJsonObject("tls").getAsJsonObject("closeNotify").get("server");
    assertThat(server.isJsonNull()).isTrue();
    JsonObject reset = first(tcplab("analyze", "--json", capture("receiver-abort-mid-stream.pcap")));
    JsonObject close = reset.getAsJsonObject("close");
    assertThat(close.get("kind").getAsString()).isEqualTo("reset");
    assertThat(close.get("resetBy").getAsString()).isEqualTo("client");
    assertThat(close.getAsJsonObject("unackedAtReset").get("server").getAsLong()).isEqualTo(16384);
    assertThat(close.getAsJsonObject("unackedAtReset").get("client").getAsLong()).isZero();
    assertThat(reset.get("tls").isJsonNull()).isTrue();
  }

  private static JsonObject first(Run r) {
    assertThat(r.code()).as(r.err()).isZero();
    return JsonParser.parseString(r.out()).getAsJsonObject().getAsJsonArray("connections").get(0)
        .getAsJsonObject();
  }

  @Test
  void aCutFileIsAnalysedUpToTheCutAndNamesThePacket() throws Exception {
    byte[] whole = Files.readAllBytes(Path.of(capture("tls12-graceful.pcap")));
    Path cut = dir.resolve("cut.pcap");
    Files.write(cut, Arrays.copyOf(whole, whole.length - 40)); // into the last record
    Run r = tcplab("analyze", cut.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("packet 18").doesNotContain("Exception");
    assertThat(r.out()).contains("17 packets").contains("the capture breaks off");
  }

  @Test
  void badInputGetsOneClearLine() throws Exception {
    Run missing = tcplab("analyze", dir.resolve("nope.pcap").toString());
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).contains("no such file").doesNotContain("\tat ");
    Path junk = dir.resolve("junk.pcap");
    Files.writeString(junk, "this is not a capture\n");
    Run notPcap = tcplab("analyze", junk.toString());
    assertThat(notPcap.code()).isEqualTo(1);
    assertThat(notPcap.err()).contains(junk.toString()).doesNotContain("\tat ");
    Path keys = dir.resolve("keys.txt");
    Files.writeString(keys, "CLIENT_RANDOM zz 00\n");
    Run badKeys = tcplab("analyze", "--keylog", keys.toString(), capture("tls12-graceful.pcap"));
    assertThat(badKeys.code()).isEqualTo(1);
    assertThat(badKeys.err()).contains(keys + ":1").doesNotContain("\tat ");
    assertThat(tcplab("replay", capture("both-shutdown.pcap"), "--side", "middle").code())
        .isEqualTo(2);
  }

  @Test
  void replayReportsSameOrTheFirstDifference() throws Exception {
    Run same = tcplab("replay", capture("both-shutdown.pcap"), "--side", "client");
    assertThat(same.code()).as(same.out() + same.err()).isZero();
    assertThat(same.out()).startsWith("SAME #1 127.0.0.1:40492 -> 127.0.0.1:41204");
    Run diff = tcplab("replay", capture("receiver-abort-mid-stream.pcap"), "--side", "client");
    assertThat(diff.code()).isEqualTo(1);
    assertThat(diff.out()).startsWith("DIFFERENT ").contains("ack 32769 instead of 16385");
  }

  @Test
  void toScriptWritesAScriptThatTcplabRunPasses() throws Exception {
    Path script = dir.resolve("server.pkt");
    Run w = tcplab("replay", capture("active-close-time-wait.pcap"), "--side", "server",
        "--to-script", "-o", script.toString());
    assertThat(w.code()).isZero();
    assertThat(Files.readString(script)).startsWith("// Replay of the server side");
    // Run as a plain script the stack keeps its own MSS: the SYN-ACK differs from the recorded one.
    Run run = tcplab("run", script.toString());
    assertThat(run.out()).contains("mss 65495");
    Run printed = tcplab("replay", capture("active-close-time-wait.pcap"), "--to-script");
    assertThat(printed.out()).isEqualTo(Files.readString(script));
  }
}
