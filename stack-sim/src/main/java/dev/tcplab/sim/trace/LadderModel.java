package dev.tcplab.sim.trace;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.tcplab.core.wire.Segment;
import dev.tcplab.sim.trace.TraceEvent.Kind;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a ladder diagram shows, independent of the output format: the rows (one per shown event, in time
 * order), the packets with their labels, and the flights (arrows) of each packet.
 *
 * <p>Events of hosts that are not columns are left out, except the link and middlebox events
 * (drops, duplicates, rewrites, injections...) of packets to or from a column.
 */
final class LadderModel {
  /** How a note beside a column is drawn. */
  enum NoteStyle {
    STATE,
    APP,
    STACK,
    ENDED,
    /** A packet that cannot be drawn as an arrow between two columns. */
    PACKET
  }

  /** How a flight ends. */
  enum End {
    DELIVERED,
    DISCARDED,
    DROPPED,
    IN_FLIGHT
  }

  /** One shown event. */
  static final class Row {
    final int index;
    final TraceEvent event;
    /** For notes: the column, style and text; column -1 for packet rows. */
    int noteCol = -1;
    NoteStyle style;
    String noteText;
    /** For packet rows: the packet. */
    Pkt pkt;
    /** The flights the text rendering draws on this row's line. */
    final List<Flight> textFlights = new ArrayList<>(1);

    Row(int index, TraceEvent event) {
      this.index = index;
      this.event = event;
    }

    boolean isNote() {
      return noteCol >= 0;
    }
  }

  /** One packet (and the copies a link made of it). */
  static final class Pkt {
    final long number;
    TraceEvent origin;
    /** The row of the origin; for a packet drawn as a note, the row of the note. */
    Row originRow;
    /** Sender column, or -1 when it is not a column. */
    int from = -1;
    /** The column the arrow starts from (the neighbour of {@link #to} when the sender is unknown). */
    int drawFrom = -1;
    int to = -1;
    /** True when the packet did not come from its sender's stack: injected, or of unknown origin. */
    boolean midway;
    boolean injected;
    /** For packets drawn as a note: true when the note is at the receiver (the sender is unknown). */
    boolean receivedNote;
    /** For packets drawn as a note: the event shown (its sending, or its arrival at the column). */
    TraceEvent noteEvent;
    String src;
    String dst;
    Segment segment;
    String label;
    /** The label of the segment as delivered, when a middlebox changed it; else null. */
    String deliveredLabel;
    final List<Flight> flights = new ArrayList<>(1);
    final List<Badge> badges = new ArrayList<>(2);
    final List<TraceEvent> events = new ArrayList<>(3);

    Pkt(long number) {
      this.number = number;
    }

    Flight main() {
      return flights.get(0);
    }

    /** Left to right? */
    boolean rightward() {
      return to > drawFrom;
    }

    boolean hasBadge(String text) {
      for (Badge b : badges) {
        if (b.text.equals(text)) return true;
      }
      return false;
    }
  }

  /** One arrow: a packet or one of its copies from where it started to where it ended. */
  static final class Flight {
    final Pkt pkt;
    final boolean copy;
    final Row originRow;
    /** For a copy made on the way: the flight it branches off (at {@link #originRow}); else null. */
    final Flight branchOf;
    Row endRow;
    End end;
    TraceEvent endEvent;
    /** For drops at a column between the ends (a router): that column; else -1. */
    int dropCol = -1;

    Flight(Pkt pkt, boolean copy, Row originRow, Flight branchOf) {
      this.pkt = pkt;
      this.copy = copy;
      this.originRow = originRow;
      this.branchOf = branchOf;
    }

    /** The label the text rendering writes on the arrow: the segment and bracketed remarks. */
    String textLabel() {
      List<String> tags = new ArrayList<>(3);
      String base = pkt.label;
      if (copy) {
        tags.add("dup");
      } else {
        if (pkt.midway) tags.add(pkt.injected ? "injected" : "from " + pkt.src);
        if (pkt.hasBadge("corrupted")) tags.add("corrupted");
        if (pkt.deliveredLabel != null) {
          base = base + " => " + pkt.deliveredLabel;
        } else if (pkt.hasBadge("rewritten")) {
          tags.add("rewritten");
        }
        if (pkt.hasBadge("delayed")) tags.add("delayed");
        if (pkt.hasBadge("dup")) tags.add("duplicated");
      }
      if (end == End.DISCARDED) tags.add("discarded");
      if (end == End.IN_FLIGHT) tags.add("in flight");
      return tags.isEmpty() ? base : base + " [" + String.join(", ", tags) + "]";
    }

    /** Who dropped it and why, for drops; else "". */
    String dropNote() {
      if (end != End.DROPPED || endEvent == null) return "";
      return endEvent.text().isEmpty() ? endEvent.host() : endEvent.host() + ": " + endEvent.text();
    }
  }

  /** A remark on a flight at one row: "dup", "corrupted", "rewritten", "delayed", "injected"... */
  static final class Badge {
    final Flight flight;
    final Row row;
    final String text;
    final TraceEvent event;

    Badge(Flight flight, Row row, String text, TraceEvent event) {
      this.flight = flight;
      this.row = row;
      this.text = text;
      this.event = event;
    }
  }

  private static final Pattern COPY_OF = Pattern.compile("copy of #(\\d+)");

  final List<String> hosts;
  /** The address of each column, or null. */
  final List<String> addresses;
  final List<Row> rows = new ArrayList<>();
  final List<Pkt> packets = new ArrayList<>();
  private final Map<String, Integer> colByHost = new HashMap<>();
  private final Map<String, Integer> colByAddress = new HashMap<>();

  LadderModel(List<TraceEvent> input, List<String> hostList, Map<String, String> addressMap) {
    checkNotNull(input, "events");
    checkNotNull(hostList, "hosts");
    checkNotNull(addressMap, "addresses");
    checkArgument(!hostList.isEmpty(), "A ladder diagram needs at least one host column");
    this.hosts = List.copyOf(hostList);
    List<String> addrs = new ArrayList<>(hosts.size());
    for (int c = 0; c < hosts.size(); c++) {
      String h = hosts.get(c);
      checkArgument(colByHost.putIfAbsent(h, c) == null, "Host %s is listed twice", h);
      String a = addressMap.get(h);
      addrs.add(a);
      if (a != null) colByAddress.putIfAbsent(normalize(a), c);
    }
    this.addresses = Collections.unmodifiableList(addrs);

    List<TraceEvent> events = new ArrayList<>(input);
    for (TraceEvent e : events) checkNotNull(e, "null event");
    events.sort(Comparator.comparingLong(TraceEvent::timeNanos)); // stable: same-time order kept

    Map<Long, Pkt> byNumber = new LinkedHashMap<>();
    Map<Long, List<TraceEvent>> groups = new LinkedHashMap<>();
    for (TraceEvent e : events) {
      if (isPacketKind(e.kind()) && e.packet() != 0) {
        groups.computeIfAbsent(e.packet(), k -> new ArrayList<>()).add(e);
      }
    }
    // Copies a link made (DUPLICATED "copy of #n" under a new number) join their original packet.
    Map<Long, Pkt> copyOwner = new LinkedHashMap<>();
    for (Map.Entry<Long, List<TraceEvent>> g : groups.entrySet()) {
      List<TraceEvent> evs = g.getValue();
      TraceEvent first = evs.get(0);
      if (first.kind() == Kind.DUPLICATED && find(evs, Kind.SENT) == null) {
        Matcher m = COPY_OF.matcher(first.text());
        if (m.find()) {
          Pkt owner = byNumber.get(Long.parseLong(m.group(1)));
          if (owner != null) {
            copyOwner.put(g.getKey(), owner);
            continue;
          }
        }
      }
      Pkt p = newPacket(g.getKey(), evs);
      if (p != null) byNumber.put(g.getKey(), p);
    }

    // Rows, in time order.
    for (TraceEvent e : events) {
      if (isPacketKind(e.kind()) && e.packet() != 0) {
        Pkt p = byNumber.get(e.packet());
        if (p == null) p = copyOwner.get(e.packet());
        if (p == null) continue;
        if (p.to < 0 && p.noteEvent != e) continue; // packets drawn as a note show one event
        Row r = new Row(rows.size(), e);
        r.pkt = p;
        if (p.to < 0) {
          r.noteCol = p.from;
          r.style = NoteStyle.PACKET;
        }
        if (e == (p.to < 0 ? p.noteEvent : p.origin)) p.originRow = r;
        p.events.add(e);
        rows.add(r);
      } else if (!isPacketKind(e.kind())) {
        Integer col = colByHost.get(e.host());
        if (col == null) continue;
        Row r = new Row(rows.size(), e);
        r.noteCol = col;
        r.style = switch (e.kind()) {
          case APP -> NoteStyle.APP;
          case STACK -> NoteStyle.STACK;
          case ENDED -> NoteStyle.ENDED;
          default -> NoteStyle.STATE;
        };
        r.noteText = e.kind() == Kind.ENDED
            ? (e.text().isEmpty() ? "ended" : "ended: " + e.text())
            : e.text();
        rows.add(r);
      }
    }

    // Labels, in time order, so that each SYN renumbers its direction from then on.
    SeqLabeler labeler = new SeqLabeler();
    for (Row r : rows) {
      Pkt p = r.pkt;
      if (p == null || r != p.originRow) continue;
      packets.add(p);
      if (p.segment == null) {
        p.label = p.origin.text().isEmpty() ? "packet #" + p.number : p.origin.text();
      } else {
        String src = endpoint(p.src, p.from);
        String dst = endpoint(p.dst, p.to);
        labeler.observe(src, dst, p.segment, p.origin.kind() == Kind.SENT);
        p.label = labeler.label(src, dst, p.segment);
        for (TraceEvent e : groups.get(p.number)) {
          if (e.kind() == Kind.RECEIVED && e.segment() != null && !e.segment().equals(p.segment)) {
            String l = labeler.label(src, dst, e.segment());
            if (!l.equals(p.label)) p.deliveredLabel = l;
            break;
          }
        }
      }
      if (p.to < 0) {
        String how = !p.receivedNote ? "sent to " + p.dst
            : (p.noteEvent.kind() == Kind.DISCARDED ? "discarded from " : "received from ") + p.src;
        r.noteText = how + ": " + p.label;
      }
    }

    // Flights and badges.
    Map<TraceEvent, Row> rowOf = new IdentityHashMap<>(); // equal events can happen twice
    for (Row r : rows) rowOf.put(r.event, r);
    for (Pkt p : packets) {
      if (p.to < 0) continue;
      List<TraceEvent> own = groups.get(p.number);
      Flight main = null;
      for (TraceEvent e : own) {
        if (!isTerminal(e.kind()) || passesThrough(p, e)) continue;
        Flight f = new Flight(p, main != null, p.originRow, null);
        finish(f, e, rowOf.get(e));
        if (main == null) {
          main = f;
          p.originRow.textFlights.add(f);
        } else {
          f.endRow.textFlights.add(f);
        }
        p.flights.add(f);
      }
      if (main == null) {
        main = new Flight(p, false, p.originRow, null);
        main.end = End.IN_FLIGHT;
        p.flights.add(main);
        p.originRow.textFlights.add(main);
      }
      if (p.injected) p.badges.add(new Badge(main, p.originRow, "injected", p.origin));
      for (TraceEvent e : own) {
        Row r = rowOf.get(e);
        switch (e.kind()) {
          case CORRUPTED -> p.badges.add(new Badge(main, r, "corrupted", e));
          case REWRITTEN -> p.badges.add(new Badge(main, r,
              e.segment() != null && p.segment != null && !e.segment().equals(p.segment)
                  ? "rewritten" : "delayed", e));
          case DUPLICATED -> p.badges.add(new Badge(main, r, "dup", e));
          default -> { }
        }
      }
    }
    for (Map.Entry<Long, Pkt> c : copyOwner.entrySet()) {
      Pkt p = c.getValue();
      if (p.to < 0 || p.flights.isEmpty()) continue;
      List<TraceEvent> evs = groups.get(c.getKey());
      Row branch = rowOf.get(evs.get(0));
      p.badges.add(new Badge(p.main(), branch, "dup", evs.get(0)));
      boolean first = true;
      for (TraceEvent e : evs) {
        Row r = rowOf.get(e);
        if (isTerminal(e.kind()) && !passesThrough(p, e)) {
          Flight f = new Flight(p, true, branch, p.main());
          finish(f, e, r);
          p.flights.add(f);
          (first ? branch : r).textFlights.add(f);
          first = false;
        } else if (e.kind() == Kind.CORRUPTED || e.kind() == Kind.REWRITTEN) {
          p.badges.add(new Badge(p.main(), r, e.kind() == Kind.CORRUPTED ? "corrupted" : "delayed", e));
        }
      }
      if (first) {
        Flight f = new Flight(p, true, branch, p.main());
        f.end = End.IN_FLIGHT;
        p.flights.add(f);
        branch.textFlights.add(f);
      }
    }
    for (Pkt p : packets) {
      for (Flight f : p.flights) {
        if (f.end == End.DISCARDED) p.badges.add(new Badge(f, f.endRow, "discarded", f.endEvent));
      }
    }
  }

  /** True for an arrival at a column between the ends (a router that reports what it forwards). */
  private boolean passesThrough(Pkt p, TraceEvent e) {
    if (e.kind() != Kind.RECEIVED) return false;
    Integer c = colByHost.get(e.host());
    return c != null && c > Math.min(p.drawFrom, p.to) && c < Math.max(p.drawFrom, p.to);
  }

  private void finish(Flight f, TraceEvent e, Row r) {
    f.endEvent = e;
    f.endRow = r;
    f.end = switch (e.kind()) {
      case RECEIVED -> End.DELIVERED;
      case DISCARDED -> End.DISCARDED;
      default -> End.DROPPED;
    };
    if (f.end == End.DROPPED) {
      Integer c = colByHost.get(e.host());
      Pkt p = f.pkt;
      if (c != null && c > Math.min(p.drawFrom, p.to) && c < Math.max(p.drawFrom, p.to)) f.dropCol = c;
    }
  }

  /** A packet's columns and origin; null when neither end is a column. */
  private Pkt newPacket(long number, List<TraceEvent> evs) {
    Pkt p = new Pkt(number);
    TraceEvent sent = find(evs, Kind.SENT);
    TraceEvent injected = find(evs, Kind.INJECTED);
    p.origin = sent != null ? sent : injected != null ? injected : evs.get(0);
    p.injected = sent == null && injected != null;
    p.midway = sent == null;
    p.segment = p.origin.segment();
    p.src = p.origin.src();
    p.dst = p.origin.dst();
    for (TraceEvent e : evs) {
      if (p.segment == null) p.segment = e.segment();
      if (p.src == null) p.src = e.src();
      if (p.dst == null) p.dst = e.dst();
    }
    if (sent != null && colByHost.containsKey(sent.host())) {
      p.from = colByHost.get(sent.host());
    } else if (p.src != null) {
      p.from = colByAddress.getOrDefault(normalize(p.src), -1);
    }
    // The receiver: the column with the destination address if the packet arrived there, else the
    // first column where it arrived, else the destination's column.
    int byDst = p.dst == null ? -1 : colByAddress.getOrDefault(normalize(p.dst), -1);
    int firstArrival = -1;
    for (TraceEvent e : evs) {
      if ((e.kind() == Kind.RECEIVED || e.kind() == Kind.DISCARDED) && colByHost.containsKey(e.host())) {
        int c = colByHost.get(e.host());
        if (firstArrival < 0) firstArrival = c;
        if (c == byDst) firstArrival = c;
      }
    }
    p.to = firstArrival >= 0 ? firstArrival : byDst;
    if (p.from < 0 && p.to < 0) return null;
    if (p.to < 0 || p.to == p.from || hosts.size() < 2) {
      // Not drawable as an arrow between two columns: a note at the one column involved.
      p.receivedNote = p.from < 0;
      p.noteEvent = p.origin;
      if (p.receivedNote) {
        p.from = p.to;
        p.noteEvent = null;
        for (TraceEvent e : evs) {
          if ((e.kind() == Kind.RECEIVED || e.kind() == Kind.DISCARDED)
              && colByHost.getOrDefault(e.host(), -1) == p.from) {
            p.noteEvent = e;
            break;
          }
        }
        if (p.noteEvent == null) return null; // it never reached the column
      }
      p.to = -1;
    } else {
      p.drawFrom = p.from >= 0 ? p.from : p.to > 0 ? p.to - 1 : p.to + 1;
      if (p.from < 0) p.midway = true;
    }
    if (p.dst == null) p.dst = "?";
    if (p.src == null) p.src = "?";
    return p;
  }

  private String endpoint(String address, int col) {
    if (address != null && !address.equals("?")) return normalize(address);
    return col >= 0 ? "host " + hosts.get(col) : "?";
  }

  private static TraceEvent find(List<TraceEvent> evs, Kind kind) {
    for (TraceEvent e : evs) {
      if (e.kind() == kind) return e;
    }
    return null;
  }

  static boolean isPacketKind(Kind k) {
    return switch (k) {
      case SENT, RECEIVED, DROPPED, DUPLICATED, CORRUPTED, DISCARDED, REWRITTEN, INJECTED -> true;
      default -> false;
    };
  }

  private static boolean isTerminal(Kind k) {
    return k == Kind.RECEIVED || k == Kind.DISCARDED || k == Kind.DROPPED;
  }

  /**
   * An address in comparable form: without a leading {@code host/} or {@code /} (InetAddress's
   * toString), brackets or a port, lower case.
   */
  static String normalize(String a) {
    String s = a.trim();
    int slash = s.indexOf('/');
    if (slash >= 0) s = s.substring(slash + 1);
    if (s.startsWith("[")) {
      int close = s.indexOf(']');
      if (close > 0) s = s.substring(1, close);
    } else if (s.indexOf(':') > 0 && s.indexOf(':') == s.lastIndexOf(':') && s.indexOf('.') > 0) {
      s = s.substring(0, s.indexOf(':'));
    }
    return s.toLowerCase(Locale.ROOT);
  }

  /** Seconds with microseconds, locale-independent: {@code 0.010000}. */
  static String time(long nanos) {
    return String.format(Locale.ROOT, "%.6f", nanos / 1e9);
  }

  /** Word-wraps {@code s} to lines of at most {@code width} characters (long words are split). */
  static List<String> wrap(String s, int width) {
    int w = Math.max(1, width);
    List<String> out = new ArrayList<>(2);
    StringBuilder line = new StringBuilder();
    for (String word : s.split(" ", -1)) {
      while (word.length() > w) {
        if (line.length() > 0) {
          out.add(line.toString());
          line.setLength(0);
        }
        out.add(word.substring(0, w));
        word = word.substring(w);
      }
      if (line.length() == 0) {
        line.append(word);
      } else if (line.length() + 1 + word.length() <= w) {
        line.append(' ').append(word);
      } else {
        out.add(line.toString());
        line.setLength(0);
        line.append(word);
      }
    }
    if (line.length() > 0 || out.isEmpty()) out.add(line.toString());
    return out;
  }

  int delivered() {
    int n = 0;
    for (Pkt p : packets) {
      for (Flight f : p.flights) {
        if (f.end == End.DELIVERED) n++;
      }
    }
    return n;
  }

  int dropped() {
    int n = 0;
    for (Pkt p : packets) {
      for (Flight f : p.flights) {
        if (f.end == End.DROPPED) n++;
      }
    }
    return n;
  }
}
