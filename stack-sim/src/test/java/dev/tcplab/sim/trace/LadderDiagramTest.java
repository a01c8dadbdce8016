package dev.tcplab.sim.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcplab.core.wire.Segment;
import dev.tcplab.core.wire.TcpFlags;
import dev.tcplab.core.wire.TcpOption;
import dev.tcplab.sim.trace.TraceEvent.Kind;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class LadderDiagramTest {
  private static final String C = "10.0.0.1";
  private static final String S = "10.0.0.2";
  private static final int CPORT = 40000;
  private static final int SPORT = 80;
  /** The client's ISN, and the server's just below 2^32 so its relative numbers wrap. */
  private static final int CISN = 1_000_000;
  private static final int SISN = 0xfffffff0;
  private static final List<String> HOSTS = List.of("client", "server");
  private static final Map<String, String> ADDRESSES = Map.of("client", C, "server", S);

  /** Builds events in time order; packets are numbered from 1. */
  private static final class Run {
    final List<TraceEvent> events = new ArrayList<>();
    long packet;
    long now;

    Run at(double millis) {
      now = Math.round(millis * 1_000_000);
      return this;
    }

    long send(String host, Segment seg) {
      boolean fromClient = host.equals("client");
      events.add(new TraceEvent(now, Kind.SENT, host, ++packet, fromClient ? C : S, fromClient ? S : C,
          seg, ""));
      return packet;
    }

    void packetEvent(Kind kind, String host, long number, Segment seg, String text) {
      boolean toServer = seg == null || seg.dstPort() == SPORT;
      events.add(new TraceEvent(now, kind, host, number, toServer ? C : S, toServer ? S : C, seg, text));
    }

    void receive(String host, long number, Segment seg) {
      packetEvent(Kind.RECEIVED, host, number, seg, "");
    }

    void note(Kind kind, String host, String text) {
      events.add(new TraceEvent(now, kind, host, 0, null, null, null, text));
    }
  }

  private static Segment fromClient(int flags, long seqRel, long ackRel, int len, int win) {
    return seg(CPORT, SPORT, flags, CISN + (int) seqRel, SISN + (int) ackRel, len, win);
  }

  private static Segment fromServer(int flags, long seqRel, long ackRel, int len, int win) {
    return seg(SPORT, CPORT, flags, SISN + (int) seqRel, CISN + (int) ackRel, len, win);
  }

  private static Segment seg(int sport, int dport, int flags, int seq, int ack, int len, int win) {
    Segment.Builder b = Segment.builder().srcPort(sport).dstPort(dport).flags(flags).seq(seq)
        .window(win).payload(new byte[len]);
    if ((flags & TcpFlags.ACK) != 0) b.ack(ack);
    if ((flags & TcpFlags.SYN) != 0) b.options(new TcpOption.Mss(1460));
    return b.build();
  }

  private static final int SYN = TcpFlags.SYN;
  private static final int ACK = TcpFlags.ACK;
  private static final int FIN = TcpFlags.FIN | TcpFlags.ACK;
  private static final int PSH = TcpFlags.PSH | TcpFlags.ACK;

  /** Handshake, two data segments of which the first is dropped and resent after an RTO, close. */
  static List<TraceEvent> handshakeDataDropClose() {
    Run r = new Run();
    r.at(0).note(Kind.APP, "client", "connect(10.0.0.2:80)");
    r.note(Kind.STATE, "client", "CLOSED -> SYN-SENT (connect())");
    Segment syn = fromClient(SYN, 0, 0, 0, 64240);
    long p1 = r.send("client", syn);
    r.at(10).receive("server", p1, syn);
    r.note(Kind.STATE, "server", "LISTEN -> SYN-RECEIVED (SYN)");
    Segment synAck = fromServer(SYN | ACK, 0, 1, 0, 65160);
    long p2 = r.send("server", synAck);
    r.at(20).receive("client", p2, synAck);
    r.note(Kind.STATE, "client", "SYN-SENT -> ESTABLISHED (SYN-ACK)");
    Segment ack = fromClient(ACK, 1, 1, 0, 502);
    long p3 = r.send("client", ack);
    r.note(Kind.APP, "client", "write(2920) = 2920");
    Segment d1 = fromClient(ACK, 1, 1, 1460, 502);
    long p4 = r.send("client", d1);
    Segment d2 = fromClient(PSH, 1461, 1, 1460, 502);
    long p5 = r.send("client", d2);
    r.at(25).packetEvent(Kind.DROPPED, "link", p4, d1, "random loss");
    r.at(30).receive("server", p3, ack);
    r.note(Kind.STATE, "server", "SYN-RECEIVED -> ESTABLISHED (ACK)");
    r.receive("server", p5, d2);
    Segment dupAck = fromServer(ACK, 1, 1, 0, 2109);
    long p6 = r.send("server", dupAck);
    r.at(40).receive("client", p6, dupAck);
    r.at(230).note(Kind.STACK, "client", "RTO: retransmitting 1:1461");
    long p7 = r.send("client", d1);
    r.at(240).receive("server", p7, d1);
    Segment ack2921 = fromServer(ACK, 1, 2921, 0, 2109);
    long p8 = r.send("server", ack2921);
    r.at(250).receive("client", p8, ack2921);
    r.at(300).note(Kind.APP, "client", "close()");
    r.note(Kind.STATE, "client", "ESTABLISHED -> FIN-WAIT-1 (close())");
    Segment fin1 = fromClient(FIN, 2921, 1, 0, 502);
    long p9 = r.send("client", fin1);
    r.at(310).receive("server", p9, fin1);
    r.note(Kind.STATE, "server", "ESTABLISHED -> CLOSE-WAIT (FIN)");
    Segment ackFin = fromServer(ACK, 1, 2922, 0, 2109);
    long p10 = r.send("server", ackFin);
    r.note(Kind.APP, "server", "close()");
    r.note(Kind.STATE, "server", "CLOSE-WAIT -> LAST-ACK (close())");
    Segment fin2 = fromServer(FIN, 1, 2922, 0, 2109);
    long p11 = r.send("server", fin2);
    r.at(320).receive("client", p10, ackFin);
    r.note(Kind.STATE, "client", "FIN-WAIT-1 -> FIN-WAIT-2 (ACK of FIN)");
    r.receive("client", p11, fin2);
    r.note(Kind.STATE, "client", "FIN-WAIT-2 -> TIME-WAIT (FIN)");
    Segment lastAck = fromClient(ACK, 2922, 2, 0, 502);
    long p12 = r.send("client", lastAck);
    r.at(330).receive("server", p12, lastAck);
    r.note(Kind.STATE, "server", "LAST-ACK -> CLOSED (ACK of FIN)");
    r.note(Kind.ENDED, "server", "closed");
    return r.events;
  }

  private static LadderDiagram diagram() {
    return new LadderDiagram(handshakeDataDropClose(), HOSTS, ADDRESSES);
  }

  /** The index of the first line at or after {@code from} containing {@code s}; fails if none. */
  private static int lineWith(List<String> lines, int from, String s) {
    for (int i = from; i < lines.size(); i++) {
      if (lines.get(i).contains(s)) return i;
    }
    throw new AssertionError("No line after " + from + " contains '" + s + "' in:\n"
        + String.join("\n", lines));
  }

  @Test
  void textShowsArrowsInOrderWithRelativeNumbers() {
    String text = diagram().toText(120);
    List<String> lines = Arrays.asList(text.split("\n"));
    int syn = lineWith(lines, 0, " S 0:0(0) win 64240 ");
    int synAck = lineWith(lines, syn + 1, " S. 0:0(0) ack 1 win 65160 ");
    int ack = lineWith(lines, synAck + 1, " . 1:1(0) ack 1 win 502 ");
    int lost = lineWith(lines, ack + 1, " . 1:1461(1460) ack 1 win 502 ");
    int second = lineWith(lines, lost + 1, " P. 1461:2921(1460) ack 1 win 502 ");
    int dupAck = lineWith(lines, second + 1, " . 1:1(0) ack 1 win 2109 ");
    int resent = lineWith(lines, dupAck + 1, " . 1:1461(1460) ack 1 win 502 ");
    int acked = lineWith(lines, resent + 1, " . 1:1(0) ack 2921 win 2109 ");
    int fin1 = lineWith(lines, acked + 1, " F. 2921:2921(0) ack 1 win 502 ");
    int ackFin = lineWith(lines, fin1 + 1, " . 1:1(0) ack 2922 win 2109 ");
    int fin2 = lineWith(lines, ackFin + 1, " F. 1:1(0) ack 2922 win 2109 ");
    int last = lineWith(lines, fin2 + 1, " . 2922:2922(0) ack 2 win 502 ");

    // Directions: client is the left column.
    for (int i : new int[] {syn, ack, second, resent, fin1, last}) {
      assertThat(lines.get(i)).as(lines.get(i)).containsPattern("\\|-+ .* -+>\\|");
    }
    for (int i : new int[] {synAck, dupAck, acked, ackFin, fin2}) {
      assertThat(lines.get(i)).as(lines.get(i)).containsPattern("\\|<-+ .* -+\\|");
    }
    // The drop: an arrow that stops short with a cross, and says who dropped it.
    assertThat(lines.get(lost)).contains("--\u2717").contains("link: random loss").doesNotContain(">");
    assertThat(text.chars().filter(ch -> ch == '\u2717').count()).isEqualTo(2); // the line and the legend
    assertThat(lines.get(resent)).doesNotContain("\u2717");

    // Times on the left, on the first line of each instant.
    assertThat(lines.get(syn - 2)).startsWith("0.000000").contains("app: connect(10.0.0.2:80)");
    assertThat(lines.get(syn - 1)).startsWith(" ").contains("[CLOSED -> SYN-SENT (connect())]");
    assertThat(lines.get(resent - 1)).startsWith("0.230000").contains("! RTO: retransmitting 1:1461");
    assertThat(lines.get(resent)).startsWith(" ");

    // States and application calls beside their column, in order.
    int s1 = lineWith(lines, 0, "app: connect(10.0.0.2:80)");
    int s2 = lineWith(lines, s1, "[LISTEN -> SYN-RECEIVED (SYN)]");
    int s3 = lineWith(lines, s2, "[ESTABLISHED -> FIN-WAIT-1 (close())]");
    int s4 = lineWith(lines, s3, "[ESTABLISHED -> CLOSE-WAIT (FIN)]");
    int s5 = lineWith(lines, s4, "[FIN-WAIT-1 -> FIN-WAIT-2 (ACK of FIN)]");
    int s6 = lineWith(lines, s5, "[FIN-WAIT-2 -> TIME-WAIT (FIN)]");
    int s7 = lineWith(lines, s6, "[LAST-ACK -> CLOSED (ACK of FIN)]");
    lineWith(lines, s7, "== ended: closed ==");
    assertThat(s2).isGreaterThan(syn).isLessThan(synAck);
    assertThat(s3).isLessThan(fin1);
    // The client's notes follow its bar, the server's end at its bar.
    String clientNote = lines.get(s3);
    assertThat(clientNote.indexOf('[')).isEqualTo(clientNote.indexOf('|') + 2);
    String serverNote = lines.get(s4);
    assertThat(serverNote).endsWith("(FIN)] |");
  }

  @Test
  void textFitsTerminalWidths() {
    for (int width : new int[] {80, 100, 120, 160}) {
      String text = diagram().toText(width);
      for (String line : text.split("\n")) {
        assertThat(line.codePointCount(0, line.length())).as("width %s: %s", width, line)
            .isLessThanOrEqualTo(width);
      }
      assertThat(text).contains("F. 2921:2921(0) ack 1 win 502").contains("\u2717");
    }
    String ascii = diagram().toText(100, true);
    assertThat(ascii.chars().allMatch(ch -> ch < 128)).isTrue();
    assertThat(ascii).contains("--X link");
  }

  @Test
  void headerNamesColumnsAndAddresses() {
    String text = diagram().toText(120);
    String[] lines = text.split("\n");
    assertThat(lines[0]).contains("time (s)").contains("client").contains("server");
    assertThat(lines[1]).contains(C).contains(S);
    // Bars line up under the host names.
    int bar = lines[2].indexOf('|');
    assertThat(lines[0].indexOf("client")).isLessThanOrEqualTo(bar);
    assertThat(lines[0].indexOf("client") + "client".length()).isGreaterThan(bar);
  }

  @Test
  void absoluteNumbersWithoutSyn() {
    Run r = new Run();
    Segment d = seg(CPORT, SPORT, PSH, 5000, 9000, 100, 1000);
    long p = r.send("client", d);
    r.at(1).receive("server", p, d);
    String text = new LadderDiagram(r.events, HOSTS, ADDRESSES).toText(100);
    assertThat(text).contains(" P. 5000:5100(100) ack 9000 win 1000 ");
  }

  @Test
  void newSynRenumbersItsDirection() {
    Run r = new Run();
    Segment syn1 = seg(CPORT, SPORT, SYN, 100, 0, 0, 1000);
    long p1 = r.send("client", syn1);
    r.at(1).receive("server", p1, syn1);
    Segment syn2 = seg(CPORT, SPORT, SYN, 7000, 0, 0, 1000);
    long p2 = r.send("client", syn2);
    r.at(2).receive("server", p2, syn2);
    Segment data = seg(CPORT, SPORT, PSH, 7001, 0, 10, 1000);
    long p3 = r.send("client", data);
    r.at(3).receive("server", p3, data);
    String text = new LadderDiagram(r.events, HOSTS, ADDRESSES).toText(100);
    assertThat(text).contains(" P. 1:11(10) ack 0 win 1000 ");
  }

  @Test
  void svgParsesWithOneArrowPerDeliveredPacketAndOneDropMarker() throws Exception {
    String svg = diagram().toSvg();
    Document doc = parse(svg);
    Element root = doc.getDocumentElement();
    assertThat(root.getTagName()).isEqualTo("svg");
    assertThat(root.getAttribute("xmlns")).isEqualTo("http://www.w3.org/2000/svg");
    assertThat(root.getAttribute("viewBox")).matches("0 0 \\d+ \\d+");
    assertThat(root.getAttribute("font-family")).contains("monospace");
    String[] vb = root.getAttribute("viewBox").split(" ");
    assertThat(root.getAttribute("width")).isEqualTo(vb[2]);
    assertThat(root.getAttribute("height")).isEqualTo(vb[3]);

    assertThat(elementsWithClass(doc, "g", "ld-pkt")).hasSize(12);
    List<Element> delivered = elementsWithClass(doc, "g", "ld-delivered");
    assertThat(delivered).hasSize(11);
    for (Element g : delivered) {
      assertThat(g.getElementsByTagName("line").getLength()).isEqualTo(1);
      assertThat(g.getElementsByTagName("polygon").getLength()).isEqualTo(1); // the arrowhead
    }
    assertThat(elementsWithClass(doc, "g", "ld-ltr")).hasSize(7);
    List<Element> dropped = elementsWithClass(doc, "g", "ld-dropped");
    assertThat(dropped).hasSize(1);
    assertThat(dropped.get(0).getAttribute("data-packet")).isEqualTo("4");
    assertThat(elementsWithClass(doc, "path", "ld-drop")).hasSize(1);
    assertThat(elementsWithClass(doc, "path", "ld-drop").get(0).getAttribute("stroke"))
        .isEqualTo("#dc2626");

    List<String> texts = texts(doc);
    assertThat(texts).contains("client", "server", C, S, "time (s)", "0.000000", "0.330000",
        "S 0:0(0) win 64240", "S. 0:0(0) ack 1 win 65160", ". 1:1461(1460) ack 1 win 502",
        "F. 2921:2921(0) ack 1 win 502", "F. 1:1(0) ack 2922 win 2109",
        "ESTABLISHED -> FIN-WAIT-1 (close())", "close()", "RTO: retransmitting 1:1461", "ended: closed");
    assertThat(elementsWithClass(doc, "g", "ld-state")).hasSize(10);
    assertThat(elementsWithClass(doc, "g", "ld-app")).hasSize(4);
    assertThat(elementsWithClass(doc, "g", "ld-stack")).hasSize(1);
    assertThat(elementsWithClass(doc, "g", "ld-ended")).hasSize(1);

    // Time flows downwards: each delivered arrow ends lower than it starts; the SYN starts above the
    // SYN-ACK, which starts where the SYN arrives.
    Element synLine = (Element) packet(doc, "1").getElementsByTagName("line").item(0);
    Element synAckLine = (Element) packet(doc, "2").getElementsByTagName("line").item(0);
    assertThat(d(synLine, "y2")).isGreaterThan(d(synLine, "y1"));
    assertThat(d(synAckLine, "y1")).isGreaterThan(d(synLine, "y1"));
    assertThat(d(synLine, "x1")).isLessThan(d(synLine, "x2"));
    assertThat(d(synAckLine, "x1")).isGreaterThan(d(synAckLine, "x2"));
  }

  @Test
  void svgLabelsDoNotOverlap() throws Exception {
    Document doc = parse(diagram().toSvg());
    List<double[]> quads = new ArrayList<>();
    Pattern rotate = Pattern.compile("rotate\\((-?[\\d.]+) (-?[\\d.]+) (-?[\\d.]+)\\)");
    for (Element g : elementsWithClass(doc, "g", "ld-label")) {
      Element rect = (Element) g.getElementsByTagName("rect").item(0);
      double x = d(rect, "x");
      double y = d(rect, "y");
      double w = d(rect, "width");
      double h = d(rect, "height");
      double[] q = {x, y, x + w, y, x + w, y + h, x, y + h};
      Matcher m = rotate.matcher(g.getAttribute("transform"));
      if (m.matches()) {
        double a = Math.toRadians(Double.parseDouble(m.group(1)));
        assertThat(Math.abs(Double.parseDouble(m.group(1)))).isLessThanOrEqualTo(60);
        double cx = Double.parseDouble(m.group(2));
        double cy = Double.parseDouble(m.group(3));
        for (int k = 0; k < 8; k += 2) {
          double px = q[k] - cx;
          double py = q[k + 1] - cy;
          q[k] = cx + px * Math.cos(a) - py * Math.sin(a);
          q[k + 1] = cy + px * Math.sin(a) + py * Math.cos(a);
        }
      } else {
        assertThat(g.getAttribute("transform")).isEmpty();
      }
      quads.add(q);
    }
    assertThat(quads).hasSize(12);
    for (int i = 0; i < quads.size(); i++) {
      for (int j = i + 1; j < quads.size(); j++) {
        assertThat(LadderSvg.intersect(quads.get(i), quads.get(j))).as("labels %s and %s", i, j).isFalse();
      }
    }
  }

  @Test
  void quadrilateralIntersection() {
    double[] square = {0, 0, 10, 0, 10, 10, 0, 10};
    double[] right = {20, 0, 30, 0, 30, 10, 20, 10};
    double[] overlapping = {5, 5, 15, 5, 15, 15, 5, 15};
    double[] diamond = {16, 5, 21, 0, 26, 5, 21, 10}; // between the two, touching neither
    double[] crossing = {8, 5, 13, 0, 18, 5, 13, 10};
    assertThat(LadderSvg.intersect(square, right)).isFalse();
    assertThat(LadderSvg.intersect(square, overlapping)).isTrue();
    assertThat(LadderSvg.intersect(overlapping, square)).isTrue();
    assertThat(LadderSvg.intersect(diamond, square)).isFalse();
    assertThat(LadderSvg.intersect(diamond, right)).isTrue();
    assertThat(LadderSvg.intersect(crossing, square)).isTrue();
  }

  @Test
  void htmlEmbedsTheSvgAndALegend() {
    LadderDiagram d = diagram().withTitle("Close after a loss");
    String html = d.toHtml();
    String svg = d.toSvg();
    assertThat(html).startsWith("<!DOCTYPE html>");
    assertThat(html).contains("<meta charset=\"utf-8\">");
    assertThat(html).contains(svg.substring(svg.indexOf("<svg")));
    assertThat(html).contains("<h1>Close after a loss</h1>").contains("<title>Close after a loss</title>");
    assertThat(html).contains("Legend").contains("dropped").contains("state change")
        .contains("application call").contains("Reading the labels");
    assertThat(html).contains("12 packets: 11 delivered, 1 dropped");
    // Standalone: nothing loaded from elsewhere, no scripts.
    assertThat(html).doesNotContain("<script").doesNotContain("src=").doesNotContain("href=")
        .doesNotContain("@import").doesNotContain("url(");
  }

  @Test
  void specialCharactersAreEscaped() throws Exception {
    List<TraceEvent> events = new ArrayList<>(handshakeDataDropClose());
    events.add(new TraceEvent(400_000_000L, Kind.APP, "a<b>&\"c'", 0, null, null, null,
        "write(\"<x>&amp;\") \u0001 \ud83d\ude00 \ud800"));
    events.add(new TraceEvent(400_000_000L, Kind.APP, "client", 0, null, null, null,
        "send(\"<script>&'\")"));
    List<String> hosts = List.of("client", "server", "a<b>&\"c'");
    LadderDiagram d = new LadderDiagram(events, hosts, ADDRESSES).withTitle("T <&> \"q\"");
    String svg = d.toSvg();
    Document doc = parse(svg);
    List<String> texts = texts(doc);
    assertThat(texts).contains("a<b>&\"c'", "send(\"<script>&'\")");
    assertThat(texts).anyMatch(t -> t.startsWith("write(\"<x>&amp;\") \ufffd \ud83d\ude00 \ufffd"));
    assertThat(svg).doesNotContain("<script").doesNotContain("<x>").contains("&lt;x&gt;&amp;amp;");
    assertThat(doc.getElementsByTagName("title").item(0).getTextContent()).isEqualTo("T <&> \"q\"");
    String html = d.toHtml();
    assertThat(html).contains("<h1>T &lt;&amp;&gt; &quot;q&quot;</h1>").doesNotContain("<script");
    assertThat(d.toText(160)).contains("app: send(\"<script>&'\")");
  }

  @Test
  void sameInputSameOutput() {
    LadderDiagram a = diagram();
    LadderDiagram b = diagram();
    assertThat(a.toText(120)).isEqualTo(b.toText(120));
    assertThat(a.toSvg()).isEqualTo(b.toSvg());
    assertThat(a.toHtml()).isEqualTo(b.toHtml());
    assertThat(a.toSvg()).isEqualTo(a.toSvg());
  }

  @Test
  void linkEventsAreMarked() throws Exception {
    Run r = new Run();
    Segment syn = fromClient(SYN, 0, 0, 0, 64240);
    long p1 = r.send("client", syn);
    r.at(1).packetEvent(Kind.CORRUPTED, "link", p1, syn, "bit 100 flipped");
    r.at(5).packetEvent(Kind.DISCARDED, "server", p1, null, "bad checksum");
    Segment syn2 = fromClient(SYN, 0, 0, 0, 64240);
    long p2 = r.send("client", syn2);
    r.packetEvent(Kind.DUPLICATED, "link", ++r.packet, syn2, "copy of #" + p2);
    long copy = r.packet;
    r.at(10).receive("server", p2, syn2);
    r.receive("server", copy, syn2);
    Segment synAck = fromServer(SYN | ACK, 0, 1, 0, 65160);
    long p4 = r.send("server", synAck);
    Segment rewritten = synAck.toBuilder().window(1024).build();
    r.at(14).packetEvent(Kind.REWRITTEN, "mbox", p4, rewritten, "middlebox: clamp");
    r.at(20).receive("client", p4, rewritten);
    Segment rst = fromServer(TcpFlags.RST, 1, 0, 0, 0);
    r.at(22).packetEvent(Kind.INJECTED, "mbox", ++r.packet, rst, "forged");
    long injected = r.packet;
    r.at(23).receive("client", injected, rst);
    LadderDiagram d = new LadderDiagram(r.events, HOSTS, ADDRESSES);

    String text = d.toText(140);
    assertThat(text).contains("S 0:0(0) win 64240 [corrupted, discarded]");
    assertThat(text).contains("S 0:0(0) win 64240 [duplicated]").contains("S 0:0(0) win 64240 [dup]");
    assertThat(text).containsPattern("\\|<-+ R 1:1\\(0\\) win 0 \\[injected\\] -+\\*");
    assertThat(text).contains("S. 0:0(0) ack 1 win 65160 => S. 0:0(0) ack 1 win 1024");

    Document doc = parse(d.toSvg());
    assertThat(elementsWithClass(doc, "g", "ld-discarded")).hasSize(1);
    assertThat(elementsWithClass(doc, "g", "ld-copy")).hasSize(1);
    assertThat(elementsWithClass(doc, "g", "ld-delivered")).hasSize(4);
    for (String badge : new String[] {"corrupted", "discarded", "dup", "injected", "rewritten"}) {
      assertThat(elementsWithClass(doc, "g", "ld-mark-" + badge)).as(badge).hasSize(1);
    }
  }

  @Test
  void packetsOfOtherHostsAndUnknownAddresses() {
    Run r = new Run();
    Segment syn = seg(CPORT, SPORT, SYN, 1, 0, 0, 100);
    r.events.add(new TraceEvent(0, Kind.SENT, "client", 1, C, "192.0.2.9", syn, ""));
    r.events.add(new TraceEvent(0, Kind.SENT, "other", 2, "192.0.2.9", "192.0.2.10", syn, ""));
    r.events.add(new TraceEvent(0, Kind.STATE, "other", 0, null, null, null, "CLOSED -> SYN-SENT"));
    r.events.add(new TraceEvent(1, Kind.SENT, "stranger", 3, "/192.0.2.7", S + ":80", syn, ""));
    r.events.add(new TraceEvent(2, Kind.RECEIVED, "server", 3, "192.0.2.7", S, syn, ""));
    LadderDiagram d = new LadderDiagram(r.events, HOSTS, ADDRESSES);
    String text = d.toText(120);
    assertThat(text).contains("pkt sent to 192.0.2.9: S 0:0(0) win 100");
    assertThat(text).doesNotContain("192.0.2.10").doesNotContain("CLOSED -> SYN-SENT");
    assertThat(text).containsPattern("\\*-+ S 0:0\\(0\\) win 100 \\[from /192.0.2.7\\] -+>\\|");
    assertThat(d.toSvg()).contains("ld-delivered");
  }

  @Test
  void oneColumnAndEmptyRuns() throws Exception {
    LadderDiagram one = new LadderDiagram(handshakeDataDropClose(), List.of("client"), ADDRESSES);
    assertThat(one.toText(100)).contains("pkt sent to 10.0.0.2: S 0:0(0) win 64240")
        .contains("[CLOSED -> SYN-SENT (connect())]");
    parse(one.toSvg());
    LadderDiagram empty = new LadderDiagram(List.of(), HOSTS, Map.of());
    assertThat(empty.toText(80)).contains("client").contains("server");
    parse(empty.toSvg());
    assertThat(empty.toHtml()).contains("0 packets");
    assertThatThrownBy(() -> new LadderDiagram(List.of(), List.of(), Map.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new LadderDiagram(List.of(), List.of("a", "a"), Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a");
  }

  @Test
  void writeChoosesTheFormatByExtension(@TempDir Path dir) throws Exception {
    List<TraceEvent> events = handshakeDataDropClose();
    LadderDiagram d = new LadderDiagram(events, HOSTS, ADDRESSES);
    LadderDiagram.write(dir.resolve("a.svg"), events, HOSTS, ADDRESSES);
    assertThat(Files.readString(dir.resolve("a.svg"))).isEqualTo(d.toSvg());
    LadderDiagram.write(dir.resolve("b.HTML"), events, HOSTS, ADDRESSES);
    assertThat(Files.readString(dir.resolve("b.HTML"))).isEqualTo(d.toHtml());
    d.write(dir.resolve("c.htm"));
    assertThat(Files.readString(dir.resolve("c.htm"))).isEqualTo(d.toHtml());
    d.write(dir.resolve("d.txt"));
    assertThat(Files.readString(dir.resolve("d.txt"), StandardCharsets.UTF_8))
        .isEqualTo(d.toText(LadderDiagram.DEFAULT_TEXT_WIDTH));

    assertThatThrownBy(() -> LadderDiagram.write(dir.resolve("e.png"), events, HOSTS, ADDRESSES))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'.png'")
        .hasMessageContaining(".svg");
    assertThat(dir.resolve("e.png")).doesNotExist();
    assertThatThrownBy(() -> d.write(dir.resolve("noext")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no extension");
    assertThatThrownBy(() -> LadderDiagram.checkFormat(Path.of("x.svgz")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'.svgz'");
    LadderDiagram.checkFormat(Path.of("x.Txt"));
  }

  // ---------------------------------------------------------------- XML helpers

  static Document parse(String xml) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(false);
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
  }

  static List<Element> elementsWithClass(Document doc, String tag, String cls) {
    List<Element> out = new ArrayList<>();
    NodeList nl = doc.getElementsByTagName(tag);
    for (int i = 0; i < nl.getLength(); i++) {
      Element e = (Element) nl.item(i);
      if (Arrays.asList(e.getAttribute("class").split(" ")).contains(cls)) out.add(e);
    }
    return out;
  }

  private static Element packet(Document doc, String number) {
    for (Element g : elementsWithClass(doc, "g", "ld-pkt")) {
      if (g.getAttribute("data-packet").equals(number)) return g;
    }
    throw new AssertionError("no packet " + number);
  }

  private static List<String> texts(Document doc) {
    List<String> out = new ArrayList<>();
    NodeList nl = doc.getElementsByTagName("text");
    for (int i = 0; i < nl.getLength(); i++) out.add(nl.item(i).getTextContent());
    return out;
  }

  private static double d(Element e, String attr) {
    return Double.parseDouble(e.getAttribute(attr));
  }
}
