package dev.tcplab.sim.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcplab.core.wire.Segment;
import dev.tcplab.core.wire.TcpFlags;
import dev.tcplab.core.wire.TcpOption;
import dev.tcplab.sim.trace.TraceEvent.Kind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceEventTest {
  private static final Segment SYN_ACK = Segment.builder().srcPort(80).dstPort(40000)
      .flags(TcpFlags.SYN | TcpFlags.ACK).seq(0xfffffff0).ack(1001).window(65160)
      .options(new TcpOption.Mss(1460)).build();
  private static final Segment DATA = Segment.builder().srcPort(40000).dstPort(80)
      .flags(TcpFlags.PSH).seq(5).window(100).payload(new byte[10]).build();

  private static TraceEvent sent() {
    return new TraceEvent(10_000_000L, Kind.SENT, "server", 3, "10.0.0.2", "10.0.0.1", SYN_ACK, "");
  }

  // ---------------------------------------------------------------- toLine

  @Test
  void lineOfAPacket() {
    assertThat(sent().toLine()).isEqualTo("   0.010000  server   SENT      #3 10.0.0.2 > 10.0.0.1 "
        + "80 > 40000 S. seq 4294967280:4294967280(0) ack 1001 win 65160 <mss 1460>");
  }

  @Test
  void lineOfAPacketWithText() {
    TraceEvent e = new TraceEvent(1_500_000_000L, Kind.DROPPED, "link", 7, "10.0.0.1", "10.0.0.2", DATA,
        "random loss");
    assertThat(e.toLine()).isEqualTo("   1.500000  link     DROPPED   #7 10.0.0.1 > 10.0.0.2 "
        + "40000 > 80 P seq 5:15(10) win 100  random loss");
  }

  @Test
  void lineOfAStateChange() {
    TraceEvent e = new TraceEvent(123_456_789L, Kind.STATE, "client", 0, null, null, null,
        "ESTABLISHED -> FIN-WAIT-1 (close())");
    assertThat(e.toLine())
        .isEqualTo("   0.123457  client   STATE     ESTABLISHED -> FIN-WAIT-1 (close())");
    assertThat(e.isPacket()).isFalse();
    assertThat(sent().isPacket()).isTrue();
  }

  @Test
  void lineIsTheSameInEveryLocale() {
    Locale saved = Locale.getDefault();
    try {
      Locale.setDefault(Locale.GERMANY);
      assertThat(sent().toLine()).startsWith("   0.010000  server");
      Locale.setDefault(new Locale("ar", "EG"));
      assertThat(sent().toLine()).startsWith("   0.010000  server");
    } finally {
      Locale.setDefault(saved);
    }
  }

  @Test
  void lineWithOnlyOneAddress() {
    TraceEvent e = new TraceEvent(0, Kind.DISCARDED, "server", 4, "10.0.0.1", null, null, "bad");
    assertThat(e.toLine()).isEqualTo("   0.000000  server   DISCARDED #4 10.0.0.1 > ? bad");
    TraceEvent noAddresses = new TraceEvent(0, Kind.DISCARDED, "server", 4, null, null, null, "bad");
    assertThat(noAddresses.toLine()).isEqualTo("   0.000000  server   DISCARDED #4 bad");
  }

  @Test
  void nullKindHostOrTextIsRejected() {
    assertThatThrownBy(() -> new TraceEvent(0, null, "h", 0, null, null, null, ""))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("kind");
    assertThatThrownBy(() -> new TraceEvent(0, Kind.APP, null, 0, null, null, null, ""))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("host");
    assertThatThrownBy(() -> new TraceEvent(0, Kind.APP, "h", 0, null, null, null, null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("text");
  }

  // ---------------------------------------------------------------- toJson

  @Test
  void jsonOfAPacket() {
    String json = sent().toJson();
    assertThat(json).isEqualTo("{\"t\":10000000,\"kind\":\"SENT\",\"host\":\"server\",\"packet\":3,"
        + "\"src\":\"10.0.0.2\",\"dst\":\"10.0.0.1\",\"tcp\":{\"sport\":80,\"dport\":40000,"
        + "\"flags\":\"S.\",\"seq\":4294967280,\"ack\":1001,\"len\":0,\"win\":65160,"
        + "\"summary\":\"80 > 40000 S. seq 4294967280:4294967280(0) ack 1001 win 65160 <mss 1460>\"}}");
    Map<String, Object> o = MiniJson.object(json);
    assertThat(o).containsEntry("t", 10_000_000L).containsEntry("kind", "SENT")
        .containsEntry("packet", 3L).doesNotContainKey("text");
    @SuppressWarnings("unchecked")
    Map<String, Object> tcp = (Map<String, Object>) o.get("tcp");
    assertThat(tcp).containsEntry("seq", 4294967280L).containsEntry("ack", 1001L)
        .containsEntry("flags", "S.").containsEntry("win", 65160L);
  }

  @Test
  void jsonLeavesOutWhatIsAbsent() {
    TraceEvent e = new TraceEvent(5, Kind.SENT, "client", 9, "10.0.0.1", "10.0.0.2", DATA, "");
    Map<String, Object> o = MiniJson.object(e.toJson());
    @SuppressWarnings("unchecked")
    Map<String, Object> tcp = (Map<String, Object>) o.get("tcp");
    assertThat(tcp).doesNotContainKey("ack").containsEntry("len", 10L).containsEntry("flags", "P");

    TraceEvent app = new TraceEvent(0, Kind.APP, "client", 0, null, null, null, "close()");
    assertThat(app.toJson()).isEqualTo("{\"t\":0,\"kind\":\"APP\",\"host\":\"client\",\"text\":\"close()\"}");
    TraceEvent bare = new TraceEvent(-1, Kind.ENDED, "h", 0, null, null, null, "");
    assertThat(MiniJson.object(bare.toJson())).containsOnlyKeys("t", "kind", "host").containsEntry("t", -1L);
  }

  @Test
  void jsonWithOnlyOneAddress() {
    // Used to throw a NullPointerException: src without dst.
    TraceEvent e = new TraceEvent(0, Kind.DISCARDED, "server", 4, "10.0.0.1", null, null, "bad");
    Map<String, Object> o = MiniJson.object(e.toJson());
    assertThat(o).containsEntry("src", "10.0.0.1").doesNotContainKey("dst");
    TraceEvent onlyDst = new TraceEvent(0, Kind.DISCARDED, "server", 4, null, "10.0.0.2", null, "bad");
    assertThat(MiniJson.object(onlyDst.toJson())).containsEntry("dst", "10.0.0.2").doesNotContainKey("src");
  }

  @Test
  void jsonEscapes() {
    String nasty = "q\" b\\ n\n r\r t\t c\u0001\u001f del\u007f e\u00e9 \ud83d\ude00 </script> u\u2028";
    TraceEvent e = new TraceEvent(0, Kind.APP, "h\"ost", 0, null, null, null, nasty);
    String json = e.toJson();
    assertThat(json).contains("\"host\":\"h\\\"ost\"");
    assertThat(json).contains("q\\\" b\\\\ n\\n r\\r t\\t c\\u0001\\u001f del\u007f e\u00e9 \ud83d\ude00");
    for (char c : json.toCharArray()) assertThat((int) c).isGreaterThanOrEqualTo(0x20);
    assertThat(MiniJson.object(json)).containsEntry("text", nasty).containsEntry("host", "h\"ost");
  }

  @Test
  void jsonEscapesUnpairedSurrogates(@TempDir Path dir) throws Exception {
    String text = "a\ud800b\udc00c\ud83d\ude00";
    TraceEvent e = new TraceEvent(0, Kind.APP, "h", 0, null, null, null, text);
    assertThat(e.toJson()).contains("a\\ud800b\\udc00c\ud83d\ude00");
    assertThat(MiniJson.object(e.toJson())).containsEntry("text", text);
    // Raw, the UTF-8 writer could not encode them and writeJsonLines threw.
    Trace t = new Trace();
    t.accept(e);
    Path file = dir.resolve("t.jsonl");
    t.writeJsonLines(file);
    assertThat(Files.readString(file, StandardCharsets.UTF_8)).isEqualTo(e.toJson() + "\n");
  }

  @Test
  void traceWritesLinesAndJson(@TempDir Path dir) throws Exception {
    Trace t = new Trace();
    List<TraceEvent> live = new ArrayList<>();
    t.addListener(live::add);
    t.accept(sent());
    t.accept(new TraceEvent(20_000_000L, Kind.STATE, "client", 0, null, null, null, "A -> B (x)"));
    assertThat(live).hasSize(2);
    assertThat(t.events(Kind.STATE)).hasSize(1);
    t.writeText(dir.resolve("t.txt"));
    t.writeJsonLines(dir.resolve("t.jsonl"));
    assertThat(Files.readAllLines(dir.resolve("t.txt"))).isEqualTo(t.lines());
    List<String> json = Files.readAllLines(dir.resolve("t.jsonl"));
    assertThat(json).hasSize(2);
    for (String line : json) assertThat(MiniJson.object(line)).containsKeys("t", "kind", "host");
  }

  /** Just enough of a strict JSON parser to check the records: objects, strings, integers. */
  static final class MiniJson {
    private final String s;
    private int i;

    private MiniJson(String s) {
      this.s = s;
    }

    static Map<String, Object> object(String json) {
      MiniJson p = new MiniJson(json);
      Map<String, Object> o = p.object();
      if (p.i != json.length()) throw new IllegalArgumentException("trailing text at " + p.i + ": " + json);
      return o;
    }

    private Map<String, Object> object() {
      expect('{');
      Map<String, Object> o = new LinkedHashMap<>();
      if (peek() == '}') {
        i++;
        return o;
      }
      while (true) {
        String key = string();
        if (o.containsKey(key)) throw new IllegalArgumentException("duplicate key " + key);
        expect(':');
        o.put(key, value());
        char c = s.charAt(i++);
        if (c == '}') return o;
        if (c != ',') throw new IllegalArgumentException("expected , or } at " + (i - 1) + ": " + s);
      }
    }

    private Object value() {
      char c = peek();
      if (c == '{') return object();
      if (c == '"') return string();
      int start = i;
      if (c == '-') i++;
      while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
      if (i == start || s.charAt(start) == '0' && i - start > 1) {
        throw new IllegalArgumentException("bad value at " + start + ": " + s);
      }
      return Long.parseLong(s.substring(start, i));
    }

    private String string() {
      expect('"');
      StringBuilder sb = new StringBuilder();
      while (true) {
        char c = s.charAt(i++);
        if (c == '"') return sb.toString();
        if (c < 0x20) throw new IllegalArgumentException("raw control character at " + (i - 1));
        if (c != '\\') {
          sb.append(c);
          continue;
        }
        char e = s.charAt(i++);
        switch (e) {
          case '"', '\\', '/' -> sb.append(e);
          case 'b' -> sb.append('\b');
          case 'f' -> sb.append('\f');
          case 'n' -> sb.append('\n');
          case 'r' -> sb.append('\r');
          case 't' -> sb.append('\t');
          case 'u' -> {
            sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
            i += 4;
          }
          default -> throw new IllegalArgumentException("bad escape \\" + e);
        }
      }
    }

    private char peek() {
      return s.charAt(i);
    }

    private void expect(char c) {
      if (s.charAt(i) != c) throw new IllegalArgumentException("expected " + c + " at " + i + ": " + s);
      i++;
    }
  }
}
