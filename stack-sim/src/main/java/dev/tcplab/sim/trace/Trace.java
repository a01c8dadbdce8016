package dev.tcplab.sim.trace;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

/** The events of one simulation run, in the order they happened, with writers for text and JSON lines. */
public final class Trace implements Consumer<TraceEvent> {
  private final List<TraceEvent> events = new ArrayList<>();
  private final List<Consumer<TraceEvent>> listeners = new ArrayList<>();

  @Override
  public void accept(TraceEvent e) {
    events.add(e);
    for (Consumer<TraceEvent> l : listeners) l.accept(e);
  }

  /** Also hands every event to {@code listener} as it happens (live printing). */
  public void addListener(Consumer<TraceEvent> listener) {
    listeners.add(listener);
  }

  public List<TraceEvent> events() {
    return Collections.unmodifiableList(events);
  }

  /** The events of one kind. */
  public List<TraceEvent> events(TraceEvent.Kind kind) {
    List<TraceEvent> l = new ArrayList<>();
    for (TraceEvent e : events) {
      if (e.kind() == kind) l.add(e);
    }
    return l;
  }

  /** Every event as a readable line. */
  public List<String> lines() {
    List<String> l = new ArrayList<>(events.size());
    for (TraceEvent e : events) l.add(e.toLine());
    return l;
  }

  public void writeText(Path file) throws IOException {
    write(file, false);
  }

  public void writeJsonLines(Path file) throws IOException {
    write(file, true);
  }

  private void write(Path file, boolean json) throws IOException {
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (TraceEvent e : events) {
        w.write(json ? e.toJson() : e.toLine());
        w.write('\n');
      }
    }
  }
}
