package dev.tcplab.script;

import java.util.Objects;

/**
 * Script content the simulator cannot run: a {@code %{ python }%} block or a {@code `shell`} command.
 * The runner reports it or skips it with a warning, naming where it is.
 *
 * @param text the code (spaces and tabs around it stripped, as packetdrill does) or the command line
 * @param line 1-based line where the block or command starts
 * @param column 1-based column where it starts
 */
public record Unsupported(Kind kind, String text, int line, int column) implements Action {
  public enum Kind {
    /** {@code %{ ... }%}: Python run by packetdrill against {@code tcp_info}. */
    PYTHON,
    /** {@code `...`}: a shell command. */
    SHELL
  }

  public Unsupported {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(text, "text");
  }

  /** One line for a warning or an error: {@code 12:5: %{ python }% block not supported: assert ...}. */
  public String describe() {
    String what = kind == Kind.PYTHON ? "%{ python }% block" : "`shell` command";
    String first = text.strip().lines().findFirst().orElse("");
    if (first.length() > 60) first = first.substring(0, 57) + "...";
    return line + ":" + column + ": " + what + " not supported: " + first;
  }
}
