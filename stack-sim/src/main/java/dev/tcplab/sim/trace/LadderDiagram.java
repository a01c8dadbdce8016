package dev.tcplab.sim.trace;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A run drawn as a ladder (sequence) diagram, the way TCP textbooks draw connections: one vertical
 * line per host, time flowing downwards, one arrow per packet from the sender at the time it was sent to
 * the receiver at the time it arrived.
 *
 * <ul>
 *   <li>Arrow labels are tcpdump's, with sequence numbers relative to each direction's initial sequence
 *       number as seen in its SYN: {@code S 0:0(0) win 64240}, {@code . 1:1461(1460) ack 1 win 2109},
 *       {@code F. 1461:1461(0) ack 1 win 2109}; absolute when no SYN of that direction was seen.
 *       {@code seq:end(len)} covers the payload bytes {@code seq .. end-1}.
 *   <li>A dropped packet ends in a cross where it was lost; duplicated, corrupted, rewritten, delayed,
 *       injected and discarded packets are marked.
 *   <li>State changes, application calls, stack events (RTO, fast retransmit, challenge ACK) and the
 *       end of a connection are written beside their host's column.
 * </ul>
 *
 * <p>Packets are matched to columns by the host that sent or received them, else by their addresses
 * (the {@code addresses} map, host name to address string; {@code "10.0.0.1"}, {@code "/10.0.0.1"} and
 * {@code "10.0.0.1:80"} all match). Events of hosts that are not columns are left out, except the link
 * and middlebox events of packets between the columns. The renderings are deterministic: the same events
 * give the same strings.
 *
 * <pre>{@code
 * LadderDiagram d = LadderDiagram.of(trace, List.of("client", "server"),
 *     Map.of("client", "10.0.0.1", "server", "10.0.0.2"));
 * System.out.print(d.toText(120));
 * d.write(Path.of("close.html"));
 * }</pre>
 */
public final class LadderDiagram {
  /** The width {@link #write} uses for {@code .txt} files. */
  public static final int DEFAULT_TEXT_WIDTH = 120;

  private final LadderModel model;
  private final String title;

  /**
   * @param events the events of a run (sorted by time here, keeping the order of simultaneous ones)
   * @param hosts the host names to draw as columns, left to right
   * @param addresses host name to address, for matching packets to columns; may lack hosts
   * @throws IllegalArgumentException when {@code hosts} is empty or names a host twice
   */
  public LadderDiagram(List<TraceEvent> events, List<String> hosts, Map<String, String> addresses) {
    this(new LadderModel(events, hosts, addresses), defaultTitle(hosts));
  }

  private LadderDiagram(LadderModel model, String title) {
    this.model = model;
    this.title = title;
  }

  /** A diagram of a recorded {@link Trace}. */
  public static LadderDiagram of(Trace trace, List<String> hosts, Map<String, String> addresses) {
    return new LadderDiagram(trace.events(), hosts, addresses);
  }

  private static String defaultTitle(List<String> hosts) {
    return "Ladder diagram: " + String.join(" / ", hosts);
  }

  /** The same diagram with another title (the SVG's {@code <title>}, the HTML page's heading). */
  public LadderDiagram withTitle(String title) {
    return new LadderDiagram(model, checkNotNull(title, "title"));
  }

  public String title() {
    return title;
  }

  /**
   * The terminal rendering, fitted to {@code width} columns where it can be (labels are shortened with
   * {@code ~} and notes wrapped when the width is tight; below about 60 columns lines may be longer):
   * the time of each line on the left, the hosts as vertical bars, each packet as an arrow
   * ({@code ---->}, {@code <----}) on the line of its sending, a drop as {@code --✗}, notes beside their
   * column, and a short legend at the end. ASCII except for the ✗.
   */
  public String toText(int width) {
    return toText(width, false);
  }

  /** {@link #toText(int)}, with {@code X} instead of ✗ when {@code asciiOnly}. */
  public String toText(int width, boolean asciiOnly) {
    checkArgument(width > 0, "width must be positive: %s", width);
    return LadderText.render(model, width, asciiOnly);
  }

  /**
   * A standalone SVG document (UTF-8, with XML declaration): one row per event, so simultaneous events
   * never overlap, with the time printed on the left; host boxes on top and at the bottom; arrows with
   * arrowheads and labels; drops in red with an X; notes in boxes beside the columns. Hovering an arrow
   * shows the full segment (absolute numbers, options) and its times.
   */
  public String toSvg() {
    return LadderSvg.render(model, title);
  }

  /** A standalone HTML page (no external resources, no scripts): title, legend, the SVG inline. */
  public String toHtml() {
    return LadderHtml.render(model, title, toSvg());
  }

  /**
   * Writes the diagram in the format its extension names: {@code .svg}, {@code .html} or {@code .htm},
   * {@code .txt} (text {@value #DEFAULT_TEXT_WIDTH} columns wide); case does not matter.
   *
   * @throws IllegalArgumentException for any other extension, before writing anything
   */
  public void write(Path file) throws IOException {
    String content = switch (extension(file)) {
      case "svg" -> toSvg();
      case "html", "htm" -> toHtml();
      case "txt" -> toText(DEFAULT_TEXT_WIDTH);
      default -> throw new AssertionError();
    };
    Files.writeString(file, content, StandardCharsets.UTF_8);
  }

  /** {@code new LadderDiagram(events, hosts, addresses).write(file)}. */
  public static void write(
      Path file, List<TraceEvent> events, List<String> hosts, Map<String, String> addresses)
      throws IOException {
    extension(file);
    new LadderDiagram(events, hosts, addresses).write(file);
  }

  /** {@code LadderDiagram.of(trace, hosts, addresses).write(file)}. */
  public static void write(Path file, Trace trace, List<String> hosts, Map<String, String> addresses)
      throws IOException {
    write(file, trace.events(), hosts, addresses);
  }

  /**
   * Checks that {@code file}'s extension names a format {@link #write} knows, so that a wrong name
   * fails before a run rather than after it.
   *
   * @throws IllegalArgumentException naming the extension when it is not .svg, .html, .htm or .txt
   */
  public static void checkFormat(Path file) {
    extension(file);
  }

  /** The lower-case extension, checked to be one we write. */
  private static String extension(Path file) {
    checkNotNull(file, "file");
    Path name = file.getFileName();
    String s = name == null ? "" : name.toString();
    int dot = s.lastIndexOf('.');
    if (dot < 0 || dot == s.length() - 1) {
      throw new IllegalArgumentException("Cannot tell the ladder diagram format of " + file
          + ": it has no extension; use .svg, .html, .htm or .txt");
    }
    String ext = s.substring(dot + 1).toLowerCase(Locale.ROOT);
    return switch (ext) {
      case "svg", "html", "htm", "txt" -> ext;
      default -> throw new IllegalArgumentException("Unsupported ladder diagram extension '."
          + s.substring(dot + 1) + "' of " + file + ": use .svg, .html, .htm or .txt");
    };
  }
}
