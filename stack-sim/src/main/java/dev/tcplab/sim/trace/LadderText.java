package dev.tcplab.sim.trace;

import dev.tcplab.sim.trace.LadderModel.End;
import dev.tcplab.sim.trace.LadderModel.Flight;
import dev.tcplab.sim.trace.LadderModel.Row;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The terminal rendering: one line per shown event, the columns as vertical bars, each packet as a
 * horizontal arrow on the line of its sending (time on the left), notes written beside their column
 * inside the gap next to it.
 */
final class LadderText {
  private static final int MIN_GAP = 24;
  /** The blank and dashes an arrow needs around its label: "-- label -->" plus a blank at the end. */
  private static final int ARROW_EXTRA = 8;
  /** Extra dashes when there is room. */
  private static final int ARROW_COMFORT = 4;

  private final LadderModel m;
  private final boolean ascii;
  private final int n;
  private int tw;
  private int left;
  private int gap;
  private int right;

  private LadderText(LadderModel m, boolean ascii) {
    this.m = m;
    this.ascii = ascii;
    this.n = m.hosts.size();
  }

  static String render(LadderModel m, int width, boolean ascii) {
    return new LadderText(m, ascii).render(width);
  }

  /** One line to draw: a note or an arrow. */
  private record Line(String time, Row row, Flight flight) {}

  private String render(int width) {
    List<Line> lines = new ArrayList<>();
    String lastTime = null;
    for (Row r : m.rows) {
      if (r.isNote() || !r.textFlights.isEmpty()) {
        String t = LadderModel.time(r.event.timeNanos());
        String shown = t.equals(lastTime) ? "" : t;
        lastTime = t;
        if (r.isNote()) {
          lines.add(new Line(shown, r, null));
        } else {
          for (Flight f : r.textFlights) {
            lines.add(new Line(shown, r, f));
            shown = "";
          }
        }
      }
    }
    layout(lines, width);

    StringBuilder sb = new StringBuilder(4096);
    header(sb);
    sb.append(trim(bars())).append('\n');
    for (Line l : lines) {
      if (l.flight != null) {
        char[] c = bars();
        putRight(c, 0, tw, l.time);
        arrow(c, l.flight);
        sb.append(trim(c)).append('\n');
      } else {
        note(sb, l);
      }
    }
    sb.append(trim(bars())).append('\n');
    names(sb);
    legend(sb, width);
    return sb.toString();
  }

  // ---------------------------------------------------------------- layout

  private void layout(List<Line> lines, int width) {
    tw = "time (s)".length();
    for (Line l : lines) tw = Math.max(tw, l.time.length());
    left = Math.max(1, (headerWidth(0) + 1) / 2);
    right = Math.max(1, (headerWidth(n - 1) + 1) / 2);
    if (n == 1) {
      int notes = 0;
      for (Line l : lines) {
        if (l.flight == null) notes = Math.max(notes, noteText(l.row).length());
      }
      right = Math.max(right, notes + 2);
      int avail = width - (tw + 2 + left + 1);
      if (right > avail) right = Math.max(12, avail);
      gap = 0;
      return;
    }
    int need = 30;
    for (int c = 0; c + 1 < n; c++) {
      need = Math.max(need, (headerWidth(c) + headerWidth(c + 1)) / 2 + 2);
    }
    for (Line l : lines) {
      if (l.flight != null) {
        Flight f = l.flight;
        int span = Math.abs(f.pkt.to - f.pkt.drawFrom);
        int len = f.textLabel().length() + ARROW_EXTRA;
        int comfort = ARROW_COMFORT;
        if (f.end == End.DROPPED) comfort += f.dropNote().length() + 2;
        need = Math.max(need, ceilDiv(len + comfort - (span - 1), span));
      } else {
        need = Math.max(need, noteText(l.row).length() + 3);
      }
    }
    int fixed = tw + 2 + left + n + right;
    int avail = (width - fixed) / (n - 1);
    gap = Math.max(MIN_GAP, Math.min(need, avail));
  }

  private static int ceilDiv(int a, int b) {
    return Math.floorDiv(a + b - 1, b);
  }

  private int headerWidth(int c) {
    String a = m.addresses.get(c);
    return Math.max(m.hosts.get(c).length(), a == null ? 0 : a.length());
  }

  private int bar(int c) {
    return tw + 2 + left + c * (gap + 1);
  }

  private int lineLength() {
    return bar(n - 1) + 1 + right;
  }

  private char[] bars() {
    char[] c = new char[lineLength()];
    Arrays.fill(c, ' ');
    for (int i = 0; i < n; i++) c[bar(i)] = '|';
    return c;
  }

  private static String trim(char[] c) {
    int end = c.length;
    while (end > 0 && c[end - 1] == ' ') end--;
    return new String(c, 0, end);
  }

  private static void put(char[] c, int at, String s) {
    for (int i = 0; i < s.length(); i++) {
      int p = at + i;
      if (p >= 0 && p < c.length) c[p] = s.charAt(i);
    }
  }

  private static void putRight(char[] c, int from, int width, String s) {
    put(c, from + width - s.length(), s);
  }

  // ---------------------------------------------------------------- header, notes, legend

  private void header(StringBuilder sb) {
    char[] c = new char[lineLength() + 40];
    Arrays.fill(c, ' ');
    putRight(c, 0, tw, "time (s)");
    centered(c, m.hosts);
    sb.append(trim(c)).append('\n');
    if (m.addresses.stream().anyMatch(a -> a != null)) {
      Arrays.fill(c, ' ');
      centered(c, m.addresses);
      sb.append(trim(c)).append('\n');
    }
  }

  private void names(StringBuilder sb) {
    char[] c = new char[lineLength() + 40];
    Arrays.fill(c, ' ');
    centered(c, m.hosts);
    sb.append(trim(c)).append('\n');
  }

  /** Writes each text centred on its column, shifted right where it would overlap the previous one. */
  private void centered(char[] c, List<String> texts) {
    int minStart = tw + 1;
    for (int i = 0; i < n; i++) {
      String s = texts.get(i);
      if (s == null) continue;
      int start = Math.max(minStart, bar(i) - s.length() / 2);
      put(c, start, s);
      minStart = start + s.length() + 1;
    }
  }

  private static String noteText(Row r) {
    return switch (r.style) {
      case STATE -> "[" + r.noteText + "]";
      case APP -> "app: " + r.noteText;
      case STACK -> "! " + r.noteText;
      case ENDED -> "== " + r.noteText + " ==";
      case PACKET -> "pkt " + r.noteText;
    };
  }

  /** A note: beside its column, inside the gap (left-aligned after the bar; right-aligned before the
   * last column's bar), wrapped to the gap. */
  private void note(StringBuilder sb, Line l) {
    int col = l.row.noteCol;
    boolean last = n > 1 && col == n - 1;
    int avail = n == 1 ? right - 2 : gap - 2;
    List<String> parts = LadderModel.wrap(noteText(l.row), Math.max(8, avail));
    for (int i = 0; i < parts.size(); i++) {
      char[] c = bars();
      if (i == 0) putRight(c, 0, tw, l.time);
      String s = parts.get(i);
      if (last) {
        put(c, bar(col) - 1 - s.length(), s);
      } else {
        put(c, bar(col) + 2, s);
      }
      for (int k = 0; k < n; k++) c[bar(k)] = '|';
      sb.append(trim(c)).append('\n');
    }
  }

  private void legend(StringBuilder sb, int width) {
    String x = ascii ? "X" : "\u2717";
    String[] items = {
      "--> delivered", "--" + x + " dropped", "*--> injected", "--?  still in flight",
      "[A -> B] state change", "app: application call", "! stack event", "== connection ended ==",
    };
    StringBuilder line = new StringBuilder("legend:");
    for (String it : items) {
      if (line.length() + 3 + it.length() > width && line.length() > 0) {
        sb.append(line).append('\n');
        line.setLength(0);
        line.append("       ");
      }
      line.append("   ").append(it);
    }
    sb.append(line).append('\n');
    for (String s : LadderModel.wrap(
        "seq:end(len), ack and sack are relative to each direction's SYN (its ISN counts as 0), as in "
            + "tcpdump; absolute where no SYN was seen. win is the header's window field.",
        Math.max(20, width - 8))) {
      sb.append("        ").append(s).append('\n');
    }
  }

  // ---------------------------------------------------------------- arrows

  /**
   * Draws a flight between its columns. The layout is worked out in sender-relative positions (0 at
   * the sender's side) and mirrored for right-to-left arrows; text is never mirrored.
   */
  private void arrow(char[] c, Flight f) {
    int a = f.pkt.drawFrom;
    int b = f.pkt.to;
    boolean rtl = b < a;
    int lo = bar(Math.min(a, b)) + 1;
    int span = bar(Math.max(a, b)) - lo;
    String label = f.textLabel();
    char head = rtl ? '<' : '>';
    int start = 0;
    if (f.pkt.midway && !f.copy) {
      // It did not come from the sender's stack: start a quarter of the way, where there is room.
      start = Math.max(0, Math.min(span / 4, span - (label.length() + ARROW_EXTRA)));
    }
    int room = span - start;
    if (f.end == End.DROPPED) {
      int maxLabel = room - ARROW_EXTRA;
      label = fit(label, maxLabel);
      String why = f.dropNote();
      int blockLen = label.length() + 2;
      if (why.length() > span - (start + blockLen + 7) && !f.endEvent.text().isEmpty()) {
        why = f.endEvent.text(); // no room to say who: just why
      }
      int blockStart = start + Math.max(2, (room - blockLen) / 2 - 4);
      int mark = Math.min(span - 2, Math.max(blockStart + blockLen + 2, start + room * 2 / 3));
      if (f.dropCol >= 0) {
        // Dropped at a column between the ends (a router): the cross on that column's bar.
        int at = bar(f.dropCol);
        mark = rtl ? lo + span - 1 - at : at - lo;
        label = fit(label, mark - start - 6);
        blockLen = label.length() + 2;
        blockStart = start + Math.max(2, (mark - start - blockLen) / 2);
      } else if (mark + 2 + why.length() > span - 1) {
        // Move the cross (and the label, if need be) towards the sender to make room for why.
        mark = Math.max(start + 2 + blockLen + 2, span - 3 - why.length());
        blockStart = Math.min(blockStart, mark - 2 - blockLen);
      }
      dashes(c, lo, span, rtl, start, mark);
      text(c, lo, span, rtl, blockStart, " " + label + " ");
      single(c, lo, span, rtl, mark, ascii ? 'X' : '\u2717');
      int whyRoom = span - mark - 3;
      if (whyRoom >= 4 && !why.isEmpty()) text(c, lo, span, rtl, mark + 2, fit(why, whyRoom));
    } else {
      int maxLabel = room - ARROW_EXTRA + 1;
      label = fit(label, maxLabel);
      int blockStart = start + Math.max(2, (room - (label.length() + 2)) / 2);
      if (f.end == End.IN_FLIGHT) {
        // Never arrived: the arrow stops short of the receiver.
        dashes(c, lo, span, rtl, start, span - 4);
        single(c, lo, span, rtl, span - 4, '?');
      } else {
        dashes(c, lo, span, rtl, start, span);
        single(c, lo, span, rtl, span - 1, head);
      }
      text(c, lo, span, rtl, blockStart, " " + label + " ");
    }
    if (f.pkt.midway && !f.copy) single(c, lo, span, rtl, start, '*');
  }

  private static String fit(String s, int max) {
    if (max < 1) return "";
    return s.length() <= max ? s : s.substring(0, Math.max(0, max - 1)) + "~";
  }

  /** Dashes over sender-relative positions [from, to). */
  private static void dashes(char[] c, int lo, int span, boolean rtl, int from, int to) {
    for (int i = from; i < to; i++) single(c, lo, span, rtl, i, '-');
  }

  private static void single(char[] c, int lo, int span, boolean rtl, int pos, char ch) {
    int p = rtl ? lo + span - 1 - pos : lo + pos;
    if (p >= 0 && p < c.length) c[p] = ch;
  }

  /** Text occupying sender-relative positions [pos, pos + length), read left to right either way. */
  private static void text(char[] c, int lo, int span, boolean rtl, int pos, String s) {
    int at = rtl ? lo + span - pos - s.length() : lo + pos;
    put(c, at, s);
  }
}
