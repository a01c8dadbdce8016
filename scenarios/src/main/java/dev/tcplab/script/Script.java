package dev.tcplab.script;

import java.util.List;
import java.util.Objects;

/**
 * One parsed packetdrill script.
 *
 * @param path the name the script was parsed under (used in error messages)
 * @param settings the {@code --name=value} lines before the first event, in order
 * @param events the events in script order
 */
public record Script(String path, List<Setting> settings, List<Event> events) {
  public Script {
    Objects.requireNonNull(path, "path");
    settings = List.copyOf(settings);
    events = List.copyOf(events);
  }

  /** A script without settings. */
  public Script(String path, List<Event> events) {
    this(path, List.of(), events);
  }

  /**
   * A packetdrill command-line option written at the top of a script, e.g. {@code
   * --tolerance_usecs=10000} or {@code --remote_ip=192.0.2.1}.
   *
   * @param name the name without the leading {@code --}
   * @param value the text after {@code =} as written (quotes kept), or null when there is none
   */
  public record Setting(String name, String value, int line, int column) {
    public Setting {
      Objects.requireNonNull(name, "name");
    }
  }
}
