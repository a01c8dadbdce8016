package dev.tcplab.script;

import java.util.List;
import java.util.Objects;

/**
 * A system call line: {@code read(4, ..., 1000) = -1 ECONNRESET (Connection reset by peer)}.
 *
 * @param name the call, e.g. {@code socket}, {@code setsockopt}
 * @param args the arguments; empty for {@code name()}
 * @param result the expected return value (usually an {@link Expr.IntLit})
 * @param errno the expected errno name ({@code ECONNRESET}), or null
 * @param errnoText the text in parentheses after the errno, whitespace collapsed, or null
 * @param note a parenthesised note after the result when there is no errno, or after the errno text;
 *     null when absent (packetdrill ignores it)
 */
public record SyscallEvent(
    String name, List<Expr> args, Expr result, String errno, String errnoText, String note)
    implements Action {
  public SyscallEvent {
    Objects.requireNonNull(name, "name");
    args = List.copyOf(args);
    Objects.requireNonNull(result, "result");
  }

  /** A call without errno and note. */
  public SyscallEvent(String name, List<Expr> args, Expr result) {
    this(name, args, result, null, null, null);
  }
}
