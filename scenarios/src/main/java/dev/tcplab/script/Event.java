package dev.tcplab.script;

import java.util.Objects;

/**
 * One line of a script: when, and what.
 *
 * @param line 1-based line of the event's first token (its time, or the command for an untimed one)
 * @param column 1-based column of that token
 */
public record Event(int line, int column, TimeSpec time, Action action) {
  public Event {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(action, "action");
  }
}
