package dev.tcplab.sim.trace;

import static dev.tcplab.sim.trace.LadderSvg.DROP;
import static dev.tcplab.sim.trace.LadderSvg.GREY;
import static dev.tcplab.sim.trace.LadderSvg.INJECTED;
import static dev.tcplab.sim.trace.LadderSvg.LTR;
import static dev.tcplab.sim.trace.LadderSvg.RTL;

import dev.tcplab.sim.trace.LadderModel.Row;

/** The HTML page around the SVG: heading, summary, legend, the diagram and how to read its labels. */
final class LadderHtml {
  private LadderHtml() {}

  private static final String CSS = """
      body { margin: 0; padding: 24px 28px 40px; background: #f8fafc; color: #1f2937;
        font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
      h1 { font-size: 21px; margin: 0 0 4px; font-weight: 650; }
      h2 { font-size: 13px; margin: 0 0 8px; text-transform: uppercase; letter-spacing: .06em; color: #6b7280; }
      .summary { margin: 0; color: #4b5563; }
      .summary b { color: #1f2937; font-weight: 600; }
      .panel { background: #fff; border: 1px solid #e5e7eb; border-radius: 10px;
        box-shadow: 0 1px 2px rgba(0,0,0,.04); }
      .legend { margin: 16px 0; padding: 12px 16px 10px; }
      .legend ul { list-style: none; margin: 0; padding: 0; display: grid;
        grid-template-columns: repeat(auto-fill, minmax(250px, 1fr)); gap: 6px 20px; }
      .legend li { display: flex; align-items: center; gap: 10px; font-size: 13px; min-height: 22px; }
      .legend svg { flex: none; }
      .diagram { display: inline-block; max-width: 100%; box-sizing: border-box; overflow-x: auto;
        padding: 8px; }
      .diagram > svg { display: block; }
      .notes { max-width: 920px; margin-top: 18px; padding: 12px 16px; font-size: 13px; color: #374151; }
      .notes ul { margin: 0; padding-left: 18px; }
      .notes li { margin: 3px 0; }
      code { font-family: "DejaVu Sans Mono", Menlo, Consolas, "Liberation Mono", monospace; font-size: 12px;
        background: #f1f5f9; border-radius: 3px; padding: 1px 4px; }
      """;

  static String render(LadderModel m, String title, String svg) {
    StringBuilder sb = new StringBuilder(svg.length() + 8192);
    sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    sb.append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    sb.append("<title>").append(Xml.escape(title)).append("</title>\n");
    sb.append("<style>\n").append(CSS).append("</style>\n</head>\n<body>\n");
    sb.append("<header>\n<h1>").append(Xml.escape(title)).append("</h1>\n");
    sb.append("<p class=\"summary\">").append(summary(m)).append("</p>\n</header>\n");
    legend(sb);
    sb.append("<figure class=\"panel diagram\" style=\"margin:0\">\n");
    sb.append(svg, svg.indexOf("<svg"), svg.length());
    sb.append("</figure>\n");
    notes(sb);
    sb.append("</body>\n</html>\n");
    return sb.toString();
  }

  private static String summary(LadderModel m) {
    StringBuilder s = new StringBuilder();
    for (int c = 0; c < m.hosts.size(); c++) {
      if (c > 0) s.append(" &middot; ");
      s.append("<b>").append(Xml.escape(m.hosts.get(c))).append("</b>");
      String a = m.addresses.get(c);
      if (a != null) s.append(' ').append(Xml.escape(a));
    }
    int sent = m.packets.size();
    s.append(" &mdash; ").append(sent).append(sent == 1 ? " packet" : " packets");
    s.append(": ").append(m.delivered()).append(" delivered, ").append(m.dropped()).append(" dropped");
    if (!m.rows.isEmpty()) {
      Row first = m.rows.get(0);
      Row last = m.rows.get(m.rows.size() - 1);
      s.append(" &mdash; ").append(LadderModel.time(first.event.timeNanos())).append(" s to ")
          .append(LadderModel.time(last.event.timeNanos())).append(" s");
    }
    return s.toString();
  }

  private static void legend(StringBuilder sb) {
    sb.append("<section class=\"panel legend\" aria-label=\"Legend\">\n<h2>Legend</h2>\n<ul>\n");
    item(sb, arrow(2, 4, 56, 14, LTR, null), "packet, left to right: sent (top) &rarr; received");
    item(sb, arrow(58, 4, 4, 14, RTL, null), "packet, right to left");
    item(sb, "<line x1=\"2\" y1=\"5\" x2=\"30\" y2=\"11\" stroke=\"" + DROP + "\" stroke-width=\"1.6\"/>"
        + "<path d=\"M26 7 L36 17 M26 17 L36 7\" stroke=\"" + DROP + "\" stroke-width=\"3\" "
        + "stroke-linecap=\"round\"/>", "dropped: the cross is where it was lost");
    item(sb, "<circle cx=\"16\" cy=\"6\" r=\"3\" fill=\"" + INJECTED + "\"/>"
        + arrow(16, 6, 56, 14, INJECTED, null), "injected by a middlebox (starts mid-way)");
    item(sb, arrow(2, 4, 56, 14, LTR, "6 4"), "copy a link made (<i>dup</i>)");
    item(sb, line(2, 4, 30, 10, GREY, "6 4") + "<text x=\"38\" y=\"15\" font-size=\"13\" "
        + "font-weight=\"bold\" fill=\"" + GREY + "\">?</text>", "still in flight when the run ended");
    item(sb, box("A -> B", "#fef9c3", "#ca8a04", "#713f12", 3, null, null), "state change (and why)");
    item(sb, box("close()", "#e0f2fe", "#0284c7", "#075985", 9, null, null), "application call");
    item(sb, box("RTO", "#f9fafb", "#9ca3af", "#374151", 3, "3 2", "italic"),
        "stack event: RTO, fast retransmit, challenge ACK&hellip;");
    item(sb, box("ended", "#374151", "#111827", "#ffffff", 3, null, null), "connection ended");
    item(sb, "<rect x=\"2\" y=\"2\" width=\"52\" height=\"14\" rx=\"7\" fill=\"#fff7ed\" stroke=\"#ea580c\"/>"
        + "<text x=\"28\" y=\"12.5\" text-anchor=\"middle\" font-size=\"10\" font-weight=\"bold\" "
        + "fill=\"#9a3412\">dup</text>",
        "marks: dup, corrupted, rewritten, delayed, injected, discarded");
    sb.append("</ul>\n</section>\n");
  }

  private static void item(StringBuilder sb, String svgBody, String html) {
    sb.append("<li><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"60\" height=\"18\" "
        + "viewBox=\"0 0 60 18\" font-family=\"").append(LadderSvg.FONT).append("\" aria-hidden=\"true\">")
        .append(svgBody).append("</svg><span>").append(html).append("</span></li>\n");
  }

  /** A line from (x1, y1) with an arrowhead at (x2, y2), drawn like the diagram's. */
  private static String arrow(double x1, double y1, double x2, double y2, String color, String dash) {
    double dx = x2 - x1;
    double dy = y2 - y1;
    double len = Math.hypot(dx, dy);
    double ux = dx / len;
    double uy = dy / len;
    double bx = x2 - ux * 10;
    double by = y2 - uy * 10;
    return line(x1, y1, x2 - ux * 9, y2 - uy * 9, color, dash)
        + "<polygon points=\"" + LadderSvg.num(x2) + "," + LadderSvg.num(y2) + " "
        + LadderSvg.num(bx - uy * 4.5) + "," + LadderSvg.num(by + ux * 4.5) + " "
        + LadderSvg.num(bx + uy * 4.5) + "," + LadderSvg.num(by - ux * 4.5) + "\" fill=\"" + color
        + "\"/>";
  }

  private static String line(double x1, double y1, double x2, double y2, String color, String dash) {
    return "<line x1=\"" + LadderSvg.num(x1) + "\" y1=\"" + LadderSvg.num(y1) + "\" x2=\""
        + LadderSvg.num(x2) + "\" y2=\"" + LadderSvg.num(y2) + "\" stroke=\"" + color
        + "\" stroke-width=\"1.6\"" + (dash == null ? "" : " stroke-dasharray=\"" + dash + "\"") + "/>";
  }

  private static String box(String text, String fill, String stroke, String ink, int rx, String dash,
      String style) {
    return "<rect x=\"1\" y=\"1\" width=\"58\" height=\"16\" rx=\"" + rx + "\" fill=\"" + fill
        + "\" stroke=\"" + stroke + "\"" + (dash == null ? "" : " stroke-dasharray=\"" + dash + "\"")
        + "/><text x=\"30\" y=\"13\" text-anchor=\"middle\" font-size=\"11\" fill=\"" + ink + "\""
        + (style == null ? "" : " font-style=\"" + style + "\"") + ">" + Xml.escape(text) + "</text>";
  }

  private static void notes(StringBuilder sb) {
    sb.append("<section class=\"panel notes\">\n<h2>Reading the labels</h2>\n<ul>\n");
    sb.append("<li><code>S 0:0(0) win 64240</code>: the flags, then <code>seq:end(len)</code>, then "
        + "<code>ack</code> and <code>win</code>, as tcpdump prints them.</li>\n");
    sb.append("<li>Flags: <code>S</code> SYN, <code>F</code> FIN, <code>R</code> RST, <code>P</code> "
        + "PSH, <code>U</code> URG, <code>E</code> ECE, <code>W</code> CWR, <code>.</code> ACK "
        + "(<code>S.</code> is a SYN-ACK, <code>F.</code> a FIN with an ACK).</li>\n");
    sb.append("<li>Sequence numbers are relative to each direction's initial sequence number (ISN) as "
        + "seen in its SYN, so each side starts at 0 and its first data byte is 1; "
        + "<code>1:1461(1460)</code> carries bytes 1 to 1460. Where no SYN was seen the numbers are "
        + "absolute.</li>\n");
    sb.append("<li><code>ack N</code>: the next byte the sender expects from the other side, on the same "
        + "relative scale; <code>sack a:b</code> blocks too. <code>win</code> is the window field as "
        + "sent, before window scaling.</li>\n");
    sb.append("<li>Rows follow the order of events, not a time scale: the time of each row is on the left "
        + "and simultaneous events get rows of their own. An arrow slants down over the rows that happened "
        + "while the packet was on its way.</li>\n");
    sb.append("<li>Hover an arrow for the full segment with absolute numbers and options, and for when "
        + "it was sent and received.</li>\n");
    sb.append("</ul>\n</section>\n");
  }
}
