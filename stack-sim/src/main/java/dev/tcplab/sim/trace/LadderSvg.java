package dev.tcplab.sim.trace;

import dev.tcplab.core.wire.Segment;
import dev.tcplab.sim.trace.LadderModel.Badge;
import dev.tcplab.sim.trace.LadderModel.End;
import dev.tcplab.sim.trace.LadderModel.Flight;
import dev.tcplab.sim.trace.LadderModel.NoteStyle;
import dev.tcplab.sim.trace.LadderModel.Pkt;
import dev.tcplab.sim.trace.LadderModel.Row;
import dev.tcplab.sim.trace.TraceEvent.Kind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The SVG rendering: time flows downwards with one row per shown event (so simultaneous events do not
 * overlap), each packet an arrow from the sender's column at its sending row to the receiver's column
 * at its arrival row. Only presentation attributes, no CSS or scripts, so that any SVG viewer shows it
 * the same; the classes ({@code ld-pkt ld-delivered}, {@code ld-drop}, {@code ld-state}...) are hooks.
 */
final class LadderSvg {
  static final String FONT =
      "'DejaVu Sans Mono', Menlo, Consolas, 'Liberation Mono', 'Courier New', monospace";
  static final String LTR = "#1d4ed8";
  static final String RTL = "#047857";
  static final String DROP = "#dc2626";
  static final String INJECTED = "#7c3aed";
  static final String GREY = "#6b7280";

  /** Advance of one character of the 12 px monospace font (0.6 em), and of the 10 px one. */
  private static final double CH = 7.2;
  private static final double CH_SMALL = 6.0;
  private static final double MARGIN = 16;
  private static final double ROW = 26;
  private static final double NOTE_LINE = 15;
  private static final int NOTE_WRAP = 56;
  private static final double HEADER_H = 40;
  private static final double LABEL_H = 16;

  private final LadderModel m;
  private final int n;
  private final StringBuilder sb = new StringBuilder(16384);
  private final double[] colX;
  private final double[] rowY;
  private final Map<Flight, double[]> geometry = new IdentityHashMap<>();
  /** Boxes labels must avoid (labels, notes, marks), bucketed by height for speed on long runs. */
  private final Map<Integer, List<double[]>> occupied = new HashMap<>();
  private double timeRight;
  private double width;
  private double height;
  private double lifeTop;
  private double lifeBottom;

  private LadderSvg(LadderModel m) {
    this.m = m;
    this.n = m.hosts.size();
    this.colX = new double[n];
    this.rowY = new double[m.rows.size()];
  }

  static String render(LadderModel m, String title) {
    return new LadderSvg(m).render(title);
  }

  private String render(String title) {
    layout();
    sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"ld-ladder\" width=\"").append(num(width))
        .append("\" height=\"").append(num(height)).append("\" viewBox=\"0 0 ").append(num(width))
        .append(' ').append(num(height)).append("\" font-family=\"").append(FONT)
        .append("\" font-size=\"12\" role=\"img\">\n");
    sb.append("<title>").append(Xml.escape(title)).append("</title>\n");
    sb.append("<rect class=\"ld-bg\" x=\"0\" y=\"0\" width=\"").append(num(width)).append("\" height=\"")
        .append(num(height)).append("\" fill=\"#ffffff\"/>\n");
    times();
    lifelines();
    headers(MARGIN);
    headers(lifeBottom);
    for (Pkt p : m.packets) {
      for (Flight f : p.flights) flight(f);
    }
    for (Row r : m.rows) {
      if (r.isNote()) note(r);
    }
    // Marks reserve their place before the labels are placed, and are drawn over them.
    StringBuilder drawn = sb;
    int before = sb.length();
    for (Pkt p : m.packets) {
      for (Badge b : p.badges) badge(b);
    }
    String marks = drawn.substring(before);
    drawn.setLength(before);
    labels();
    sb.append(marks);
    sb.append("</svg>\n");
    return sb.toString();
  }

  // ---------------------------------------------------------------- layout

  private void layout() {
    int timeChars = "time (s)".length();
    for (Row r : m.rows) timeChars = Math.max(timeChars, LadderModel.time(r.event.timeNanos()).length());
    timeRight = MARGIN + timeChars * CH;

    double leftNeed = headerWidth(0) / 2;
    double rightNeed = headerWidth(n - 1) / 2;
    double gap = 240;
    for (int c = 0; c + 1 < n; c++) gap = Math.max(gap, (headerWidth(c) + headerWidth(c + 1)) / 2 + 24);
    for (Row r : m.rows) {
      if (!r.isNote()) continue;
      double w = noteBox(r)[0] + 10;
      if (n > 1 && r.noteCol == 0) {
        leftNeed = Math.max(leftNeed, w);
      } else if (r.noteCol == n - 1) {
        rightNeed = Math.max(rightNeed, w);
      } else {
        gap = Math.max(gap, w + 24);
      }
    }
    for (Pkt p : m.packets) {
      if (p.to < 0) continue;
      int span = Math.abs(p.to - p.drawFrom);
      double w = labelWidth(labelText(p.main()));
      double need = Math.min(760, 1.25 * w + 24) / span;
      if (p.midway) need = Math.min(760, w / 0.6 + 24) / span;
      gap = Math.max(gap, need);
    }
    double x0 = timeRight + 24 + leftNeed;
    for (int c = 0; c < n; c++) colX[c] = x0 + c * gap;
    width = Math.ceil(colX[n - 1] + rightNeed + MARGIN);

    lifeTop = MARGIN + HEADER_H;
    double y = lifeTop + 18;
    for (Row r : m.rows) {
      double h = ROW;
      if (r.isNote()) h = Math.max(ROW, noteBox(r)[1] + 6);
      rowY[r.index] = y + h / 2;
      y += h;
    }
    lifeBottom = y + 24;
    height = Math.ceil(lifeBottom + HEADER_H + MARGIN);
  }

  private double headerWidth(int c) {
    String a = m.addresses.get(c);
    return Math.max(m.hosts.get(c).length() * 7.8, a == null ? 0 : a.length() * 6.6) + 24;
  }

  private static List<String> noteLines(Row r) {
    return LadderModel.wrap(r.style == NoteStyle.PACKET ? "pkt " + r.noteText : r.noteText, NOTE_WRAP);
  }

  /** Width and height of a note's box. */
  private static double[] noteBox(Row r) {
    List<String> lines = noteLines(r);
    int chars = 0;
    for (String l : lines) chars = Math.max(chars, l.length());
    return new double[] {chars * CH + 14, lines.size() * NOTE_LINE + 5};
  }

  private static double labelWidth(String s) {
    return s.length() * CH + 10;
  }

  // ---------------------------------------------------------------- background: times, lifelines, hosts

  private void times() {
    sb.append("<g class=\"ld-times\">\n");
    text(timeRight, MARGIN + HEADER_H / 2 + 4, "time (s)", "end", 11, GREY, "bold", null);
    String last = null;
    for (Row r : m.rows) {
      String t = LadderModel.time(r.event.timeNanos());
      if (t.equals(last)) continue;
      last = t;
      double y = rowY[r.index];
      sb.append("<line x1=\"").append(num(timeRight + 6)).append("\" y1=\"").append(num(y))
          .append("\" x2=\"").append(num(width - MARGIN)).append("\" y2=\"").append(num(y))
          .append("\" stroke=\"#e5e7eb\" stroke-width=\"1\" stroke-dasharray=\"2 4\"/>\n");
      text(timeRight, y + 4, t, "end", 11, GREY, null, null);
    }
    sb.append("</g>\n");
  }

  private void lifelines() {
    sb.append("<g class=\"ld-lifelines\">\n");
    for (int c = 0; c < n; c++) {
      sb.append("<line x1=\"").append(num(colX[c])).append("\" y1=\"").append(num(lifeTop))
          .append("\" x2=\"").append(num(colX[c])).append("\" y2=\"").append(num(lifeBottom))
          .append("\" stroke=\"#9ca3af\" stroke-width=\"2\"/>\n");
    }
    sb.append("</g>\n");
  }

  private void headers(double top) {
    sb.append("<g class=\"ld-hosts\">\n");
    for (int c = 0; c < n; c++) {
      double w = headerWidth(c);
      String addr = m.addresses.get(c);
      sb.append("<rect x=\"").append(num(colX[c] - w / 2)).append("\" y=\"").append(num(top))
          .append("\" width=\"").append(num(w)).append("\" height=\"").append(num(HEADER_H))
          .append("\" rx=\"6\" fill=\"#f3f4f6\" stroke=\"#4b5563\" stroke-width=\"1.2\"/>\n");
      double nameY = addr == null ? top + HEADER_H / 2 + 5 : top + 17;
      text(colX[c], nameY, m.hosts.get(c), "middle", 13, "#111827", "bold", null);
      if (addr != null) text(colX[c], top + 32, addr, "middle", 11, "#4b5563", null, null);
    }
    sb.append("</g>\n");
  }

  // ---------------------------------------------------------------- flights

  private String color(Flight f) {
    if (f.end == End.DROPPED) return DROP;
    if (f.end == End.IN_FLIGHT) return GREY;
    if (f.pkt.midway && !f.copy) return INJECTED;
    return f.pkt.rightward() ? LTR : RTL;
  }

  /** x1, y1, x2, y2 of a flight's line. */
  private double[] geometry(Flight f) {
    double[] g = geometry.get(f);
    if (g != null) return g;
    Pkt p = f.pkt;
    double xa = colX[p.drawFrom];
    double xb = colX[p.to];
    double x1;
    double y1 = rowY[f.originRow.index];
    if (f.branchOf != null) {
      x1 = pointAt(geometry(f.branchOf), y1);
    } else if (p.midway) {
      x1 = xa + 0.35 * (xb - xa);
    } else {
      x1 = xa;
    }
    double x2;
    double y2;
    double oneGap = n > 1 ? colX[1] - colX[0] : 0;
    if (f.end == End.IN_FLIGHT) {
      // Never arrived: a short dashed stub towards the receiver, ending between columns.
      double want = Math.max(oneGap * 0.45, (f.copy ? 40 : labelWidth(labelText(f))) + 30);
      x2 = x1 + Math.signum(xb - x1) * Math.min(want, Math.abs(xb - x1) * 0.85);
      x2 = offColumns(p, x1, xb, x2);
      y2 = y1 + ROW * 0.8;
    } else {
      y2 = Math.max(y1, rowY[f.endRow.index]);
      if (f.end == End.DROPPED) {
        if (f.dropCol >= 0) {
          x2 = colX[f.dropCol];
        } else {
          double w = f.copy ? 40 : labelWidth(labelText(f));
          double frac = Math.max(0.55, Math.min(0.85, (w + 40) / Math.abs(xb - x1)));
          x2 = offColumns(p, x1, xb, x1 + frac * (xb - x1));
        }
      } else {
        x2 = xb;
      }
    }
    g = new double[] {x1, y1, x2, y2};
    geometry.put(f, g);
    return g;
  }

  /** Moves an end off the columns the arrow passes: there it would read as something that host did. */
  private double offColumns(Pkt p, double x1, double xb, double x) {
    for (int c = Math.min(p.drawFrom, p.to) + 1; c < Math.max(p.drawFrom, p.to); c++) {
      if (Math.abs(x - colX[c]) < 24) x = colX[c] + Math.signum(xb - x1) * 24;
    }
    return x;
  }

  /** The x where a line crosses height y (clamped to its ends). */
  private static double pointAt(double[] g, double y) {
    if (g[3] == g[1]) return (g[0] + g[2]) / 2;
    double t = Math.max(0, Math.min(1, (y - g[1]) / (g[3] - g[1])));
    return g[0] + t * (g[2] - g[0]);
  }

  private void flight(Flight f) {
    Pkt p = f.pkt;
    double[] g = geometry(f);
    String color = color(f);
    String endClass = switch (f.end) {
      case DELIVERED -> "ld-delivered";
      case DISCARDED -> "ld-discarded";
      case DROPPED -> "ld-dropped";
      case IN_FLIGHT -> "ld-inflight";
    };
    sb.append("<g class=\"ld-pkt ").append(endClass).append(p.rightward() ? " ld-ltr" : " ld-rtl")
        .append(f.copy ? " ld-copy" : "").append("\" data-packet=\"").append(p.number).append("\">\n");
    sb.append("<title>").append(Xml.escape(tooltip(f))).append("</title>\n");
    double dx = g[2] - g[0];
    double dy = g[3] - g[1];
    double len = Math.hypot(dx, dy);
    double ux = len == 0 ? 1 : dx / len;
    double uy = len == 0 ? 0 : dy / len;
    boolean head = f.end == End.DELIVERED || f.end == End.DISCARDED;
    double endX = head ? g[2] - ux * 9 : g[2];
    double endY = head ? g[3] - uy * 9 : g[3];
    sb.append("<line x1=\"").append(num(g[0])).append("\" y1=\"").append(num(g[1])).append("\" x2=\"")
        .append(num(endX)).append("\" y2=\"").append(num(endY)).append("\" stroke=\"").append(color)
        .append("\" stroke-width=\"1.6\"");
    if (f.copy || f.end == End.IN_FLIGHT) sb.append(" stroke-dasharray=\"6 4\"");
    sb.append("/>\n");
    if (p.midway && !f.copy) {
      sb.append("<circle cx=\"").append(num(g[0])).append("\" cy=\"").append(num(g[1]))
          .append("\" r=\"3.5\" fill=\"").append(color).append("\"/>\n");
    }
    if (head) {
      double bx = g[2] - ux * 10;
      double by = g[3] - uy * 10;
      double nx = -uy * 4.5;
      double ny = ux * 4.5;
      sb.append("<polygon class=\"ld-head\" points=\"").append(num(g[2])).append(',').append(num(g[3]))
          .append(' ').append(num(bx + nx)).append(',').append(num(by + ny)).append(' ')
          .append(num(bx - nx)).append(',').append(num(by - ny)).append("\" fill=\"").append(color)
          .append("\"/>\n");
    } else if (f.end == End.DROPPED) {
      double s = 6;
      sb.append("<path class=\"ld-drop\" d=\"M").append(num(g[2] - s)).append(' ').append(num(g[3] - s))
          .append(" L").append(num(g[2] + s)).append(' ').append(num(g[3] + s)).append(" M")
          .append(num(g[2] - s)).append(' ').append(num(g[3] + s)).append(" L").append(num(g[2] + s))
          .append(' ').append(num(g[3] - s)).append("\" stroke=\"").append(DROP)
          .append("\" stroke-width=\"3\" stroke-linecap=\"round\" fill=\"none\"/>\n");
      occupy(g[2] - s - 2, g[3] - s - 2, g[2] + s + 2, g[3] + s + 2);
    } else {
      text(g[2] + (dx >= 0 ? 8 : -8), g[3] + 4, "?", "middle", 13, GREY, "bold", null);
    }
    sb.append("</g>\n");
  }

  private String tooltip(Flight f) {
    Pkt p = f.pkt;
    StringBuilder t = new StringBuilder(160);
    t.append('#').append(p.number).append(' ');
    t.append(p.from >= 0 ? m.hosts.get(p.from) : p.src).append(" -> ").append(m.hosts.get(p.to));
    if (f.copy) t.append(" (copy)");
    t.append('\n').append(p.segment != null ? p.src + " > " + p.dst + "  " + p.segment : p.label);
    t.append('\n').append(p.origin.kind() == Kind.SENT ? "sent " : "appeared ")
        .append(LadderModel.time(p.origin.timeNanos())).append(" s");
    if (f.endEvent != null) {
      t.append(", ").append(f.endEvent.kind().name().toLowerCase(Locale.ROOT)).append(' ')
          .append(LadderModel.time(f.endEvent.timeNanos())).append(" s");
      if (f.end != End.DELIVERED && !f.endEvent.text().isEmpty()) {
        t.append(" by ").append(f.endEvent.host()).append(": ").append(f.endEvent.text());
      }
    } else {
      t.append(", not delivered by the end of the run");
    }
    for (Badge b : p.badges) {
      if (b.event != null && b.event != f.endEvent && !b.event.text().isEmpty()) {
        t.append('\n').append(b.event.kind().name().toLowerCase(Locale.ROOT)).append(" by ")
            .append(b.event.host()).append(": ").append(b.event.text());
      }
    }
    return t.toString();
  }

  private String labelText(Flight f) {
    if (f.copy) return "dup";
    String l = f.pkt.label;
    if (f.pkt.deliveredLabel != null) l += " => " + f.pkt.deliveredLabel;
    return l;
  }

  /** Where along its line a label may go (from its start), best first. */
  private static final double[] FRACTIONS = {0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.12, 0.88};
  /** Steeper lines get horizontal labels: slanted text beyond this is hard to read. */
  private static final double MAX_LABEL_ANGLE = 60;

  /** A label's place: its box's corners and its rotation. */
  private record Placement(double[] quad, double angle) {}

  /**
   * Places every label, those with the least room first (drops, short and steep lines), so that the
   * ones that can go anywhere go around them; then draws them in packet order.
   */
  private void labels() {
    List<Flight> flights = new ArrayList<>();
    for (Pkt p : m.packets) {
      for (Flight f : p.flights) {
        if (f.branchOf == null) flights.add(f); // a copy's "dup" mark says it all
      }
    }
    Map<Flight, Integer> room = new IdentityHashMap<>();
    for (Flight f : flights) room.put(f, candidates(f, true).size());
    List<Flight> order = new ArrayList<>(flights);
    order.sort(java.util.Comparator.comparingInt(room::get)); // stable: packet order among equals
    Map<Flight, Placement> placed = new IdentityHashMap<>();
    for (Flight f : order) {
      Placement best = null;
      int bestHits = Integer.MAX_VALUE;
      for (boolean mustFit : new boolean[] {true, false}) {
        for (Placement c : candidates(f, mustFit)) {
          int hits = hits(c.quad);
          if (hits < bestHits) {
            best = c;
            bestHits = hits;
            if (hits == 0) break;
          }
        }
        if (bestHits == 0) break;
      }
      if (best == null) best = candidates(f, false).get(0);
      occupy(best.quad);
      placed.put(f, best);
    }
    for (Flight f : flights) label(f, placed.get(f));
  }

  /**
   * Where a flight's label may go, best first: along the line (rotated with it) just above it, else
   * just below it, at several distances from its start; horizontal and centred on the line for lines
   * steeper than {@link #MAX_LABEL_ANGLE}, where slanted text is hard to read. With {@code mustFit},
   * only places where the label stays between the line's ends.
   */
  private List<Placement> candidates(Flight f, boolean mustFit) {
    double[] g = geometry(f);
    double w = labelWidth(labelText(f));
    double h = LABEL_H;
    double dx = g[2] - g[0];
    double dy = g[3] - g[1];
    double len = Math.hypot(dx, dy);
    // Unit vector in reading direction (left to right) and the normal pointing up.
    double ux = len == 0 ? 1 : dx / len;
    double uy = len == 0 ? 0 : dy / len;
    if (ux < 0) {
      ux = -ux;
      uy = -uy;
    }
    double angle = Math.toDegrees(Math.atan2(uy, ux));
    boolean along = Math.abs(angle) <= MAX_LABEL_ANGLE;
    if (!along) {
      ux = 1;
      uy = 0;
      angle = 0;
    }
    double nx = uy;
    double ny = -ux;
    List<Placement> out = new ArrayList<>();
    for (double side : along ? new double[] {1, -1} : new double[] {0}) {
      double lift = side * (h / 2 + 1.5);
      for (double t : FRACTIONS) {
        double px = g[0] + t * dx;
        double py = g[1] + t * dy;
        if (mustFit) {
          if (along) {
            double at = t * len;
            if (at - w / 2 < 6 || at + w / 2 > len - 6) continue;
          } else if (px - w / 2 < Math.min(g[0], g[2]) + 4
              || px + w / 2 > Math.max(g[0], g[2]) - 4) {
            continue;
          }
        }
        out.add(new Placement(quad(px + nx * lift, py + ny * lift, ux, uy, w, h), angle));
      }
    }
    return out;
  }

  private void label(Flight f, Placement pl) {
    String s = labelText(f);
    double w = labelWidth(s);
    double h = LABEL_H;
    double[] q = pl.quad;
    double cx = (q[0] + q[4]) / 2;
    double cy = (q[1] + q[5]) / 2;
    sb.append("<g class=\"ld-label\" data-packet=\"").append(f.pkt.number).append('"');
    if (Math.abs(pl.angle) >= 0.05) {
      sb.append(" transform=\"rotate(").append(String.format(Locale.ROOT, "%.2f", pl.angle))
          .append(' ').append(num(cx)).append(' ').append(num(cy)).append(")\"");
    }
    sb.append('>');
    sb.append("<rect x=\"").append(num(cx - w / 2)).append("\" y=\"").append(num(cy - h / 2))
        .append("\" width=\"").append(num(w)).append("\" height=\"").append(num(h))
        .append("\" rx=\"3\" fill=\"#ffffff\" fill-opacity=\"0.85\"/>");
    Segment seg = f.pkt.segment;
    text(cx, cy + 4, s, "middle", 12, color(f),
        seg != null && (seg.isSyn() || seg.isFin() || seg.isRst()) ? "bold" : null, null);
    sb.append("</g>\n");
  }

  /** The corners of a w x h box centred on (cx, cy) with its long side along (ux, uy). */
  private static double[] quad(double cx, double cy, double ux, double uy, double w, double h) {
    double ax = ux * w / 2;
    double ay = uy * w / 2;
    double bx = -uy * h / 2;
    double by = ux * h / 2;
    return new double[] {
      cx - ax - bx, cy - ay - by, cx + ax - bx, cy + ay - by,
      cx + ax + bx, cy + ay + by, cx - ax + bx, cy - ay + by
    };
  }

  private static final double BUCKET = 64;

  /** Adds an axis-parallel box (x1, y1, x2, y2) to the space labels avoid. */
  private void occupy(double x1, double y1, double x2, double y2) {
    occupy(new double[] {x1, y1, x2, y1, x2, y2, x1, y2});
  }

  /** Adds a quadrilateral (four corners, in order) to the space labels avoid. */
  private void occupy(double[] quad) {
    for (int k = bucket(minY(quad)); k <= bucket(maxY(quad)); k++) {
      occupied.computeIfAbsent(k, x -> new ArrayList<>()).add(quad);
    }
  }

  /** How many occupied shapes {@code quad} overlaps. */
  private int hits(double[] quad) {
    int n = 0;
    int from = bucket(minY(quad));
    for (int k = from; k <= bucket(maxY(quad)); k++) {
      for (double[] o : occupied.getOrDefault(k, List.of())) {
        // A shape in several buckets counts once: in the first bucket both share.
        if (Math.max(from, bucket(minY(o))) != k) continue;
        if (intersect(quad, o)) n++;
      }
    }
    return n;
  }

  private static int bucket(double y) {
    return (int) Math.floor(y / BUCKET);
  }

  private static double minY(double[] q) {
    return Math.min(Math.min(q[1], q[3]), Math.min(q[5], q[7]));
  }

  private static double maxY(double[] q) {
    return Math.max(Math.max(q[1], q[3]), Math.max(q[5], q[7]));
  }

  /** Separating-axis test for two convex quadrilaterals, with a pixel of slack. */
  static boolean intersect(double[] a, double[] b) {
    return !separated(a, b) && !separated(b, a);
  }

  private static boolean separated(double[] a, double[] b) {
    for (int i = 0; i < 4; i++) {
      double ex = a[(2 * i + 2) % 8] - a[2 * i];
      double ey = a[(2 * i + 3) % 8] - a[2 * i + 1];
      double axisX = -ey;
      double axisY = ex;
      double norm = Math.hypot(axisX, axisY);
      if (norm == 0) continue;
      axisX /= norm;
      axisY /= norm;
      double aMin = Double.MAX_VALUE;
      double aMax = -Double.MAX_VALUE;
      double bMin = Double.MAX_VALUE;
      double bMax = -Double.MAX_VALUE;
      for (int k = 0; k < 4; k++) {
        double pa = a[2 * k] * axisX + a[2 * k + 1] * axisY;
        double pb = b[2 * k] * axisX + b[2 * k + 1] * axisY;
        aMin = Math.min(aMin, pa);
        aMax = Math.max(aMax, pa);
        bMin = Math.min(bMin, pb);
        bMax = Math.max(bMax, pb);
      }
      if (aMax <= bMin + 1 || bMax <= aMin + 1) return true;
    }
    return false;
  }

  private void badge(Badge b) {
    double[] g = geometry(b.flight);
    double x;
    double y;
    switch (b.text) {
      case "discarded" -> {
        x = g[0] + 0.86 * (g[2] - g[0]);
        y = g[1] + 0.86 * (g[3] - g[1]) + 11;
      }
      case "injected" -> {
        x = g[0];
        y = g[1] - 12;
      }
      default -> {
        y = rowY[b.row.index];
        if (y <= g[1] || y >= g[3]) {
          y = g[1] + 0.5 * (g[3] - g[1]);
        }
        x = pointAt(g, y);
        y += 11; // below the line: labels go above it
      }
    }
    double w = b.text.length() * CH_SMALL + 10;
    double h = 14;
    occupy(x - w / 2, y - h / 2, x + w / 2, y + h / 2);
    sb.append("<g class=\"ld-mark ld-mark-").append(b.text).append("\">");
    sb.append("<rect x=\"").append(num(x - w / 2)).append("\" y=\"").append(num(y - h / 2))
        .append("\" width=\"").append(num(w)).append("\" height=\"").append(num(h))
        .append("\" rx=\"7\" fill=\"#fff7ed\" stroke=\"#ea580c\" stroke-width=\"1\"/>");
    text(x, y + 3.5, b.text, "middle", 10, "#9a3412", "bold", null);
    if (b.event != null && !b.event.text().isEmpty()) {
      sb.append("<title>").append(Xml.escape(b.event.host() + ": " + b.event.text())).append("</title>");
    }
    sb.append("</g>\n");
  }

  // ---------------------------------------------------------------- notes

  private void note(Row r) {
    double[] box = noteBox(r);
    double w = box[0];
    double h = box[1];
    double xc = colX[r.noteCol];
    boolean leftSide = n > 1 && r.noteCol == 0;
    double x = leftSide ? xc - 10 - w : xc + 10;
    double y = rowY[r.index] - h / 2;
    String fill;
    String stroke;
    String ink;
    String cls;
    String dash = null;
    String style = null;
    double rx = 4;
    switch (r.style) {
      case STATE -> {
        fill = "#fef9c3";
        stroke = "#ca8a04";
        ink = "#713f12";
        cls = "ld-state";
      }
      case APP -> {
        fill = "#e0f2fe";
        stroke = "#0284c7";
        ink = "#075985";
        cls = "ld-app";
        rx = Math.min(h / 2, 11);
      }
      case ENDED -> {
        fill = "#374151";
        stroke = "#111827";
        ink = "#ffffff";
        cls = "ld-ended";
      }
      case STACK -> {
        fill = "#f9fafb";
        stroke = "#9ca3af";
        ink = "#374151";
        cls = "ld-stack";
        dash = "3 2";
        style = "italic";
      }
      default -> {
        fill = "#ffffff";
        stroke = "#d1d5db";
        ink = "#4b5563";
        cls = "ld-pktnote";
        dash = "3 2";
      }
    }
    occupy(x, y, x + w, y + h);
    sb.append("<g class=\"ld-note ").append(cls).append("\">");
    sb.append("<title>").append(Xml.escape(r.event.host() + " " + LadderModel.time(r.event.timeNanos())
        + " s: " + r.noteText)).append("</title>");
    double lx1 = leftSide ? x + w : xc;
    double lx2 = leftSide ? xc : x;
    sb.append("<line x1=\"").append(num(lx1)).append("\" y1=\"").append(num(rowY[r.index]))
        .append("\" x2=\"").append(num(lx2)).append("\" y2=\"").append(num(rowY[r.index]))
        .append("\" stroke=\"").append(stroke).append("\" stroke-width=\"1\"/>");
    sb.append("<circle cx=\"").append(num(xc)).append("\" cy=\"").append(num(rowY[r.index]))
        .append("\" r=\"3.5\" fill=\"").append(stroke).append("\"/>");
    sb.append("<rect x=\"").append(num(x)).append("\" y=\"").append(num(y)).append("\" width=\"")
        .append(num(w)).append("\" height=\"").append(num(h)).append("\" rx=\"").append(num(rx))
        .append("\" fill=\"").append(fill).append("\" stroke=\"").append(stroke)
        .append("\" stroke-width=\"1\"");
    if (dash != null) sb.append(" stroke-dasharray=\"").append(dash).append('"');
    sb.append("/>");
    List<String> lines = noteLines(r);
    for (int i = 0; i < lines.size(); i++) {
      text(x + 7, y + 3 + NOTE_LINE * i + 11, lines.get(i), "start", 12, ink, null, style);
    }
    sb.append("</g>\n");
  }

  // ---------------------------------------------------------------- primitives

  private void text(double x, double y, String s, String anchor, int size, String fill, String weight,
      String style) {
    sb.append("<text x=\"").append(num(x)).append("\" y=\"").append(num(y)).append('"');
    if (!"start".equals(anchor)) sb.append(" text-anchor=\"").append(anchor).append('"');
    if (size != 12) sb.append(" font-size=\"").append(size).append('"');
    if (weight != null) sb.append(" font-weight=\"").append(weight).append('"');
    if (style != null) sb.append(" font-style=\"").append(style).append('"');
    sb.append(" fill=\"").append(fill).append("\" xml:space=\"preserve\">").append(Xml.escape(s))
        .append("</text>");
    sb.append('\n');
  }

  /** A coordinate with at most one decimal, locale-independent. */
  static String num(double v) {
    long tenths = Math.round(v * 10);
    if (tenths % 10 == 0) return Long.toString(tenths / 10);
    return (tenths < 0 ? "-" : "") + Math.abs(tenths / 10) + "." + Math.abs(tenths % 10);
  }
}
