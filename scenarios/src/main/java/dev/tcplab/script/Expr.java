package dev.tcplab.script;

import java.util.List;
import java.util.Objects;

/**
 * A system call argument or result in packetdrill's expression syntax: {@code 3}, {@code 0x10},
 * {@code "text"}, {@code ...}, {@code SOL_SOCKET}, {@code O_RDWR|O_NONBLOCK}, {@code [1]}, {@code
 * {onoff=1, linger=0}}, {@code htons(8080)}. Symbols are kept as names: what {@code SO_LINGER} means
 * is the runner's business.
 */
public sealed interface Expr {
  /** A decimal or hexadecimal integer, possibly negative ({@code -1}). */
  record IntLit(long value) implements Expr {}

  /**
   * A string: adjacent literals are concatenated ({@code "a" "b"}); backslash escapes are kept as
   * written, as packetdrill does.
   *
   * @param prefix true for {@code "text"...}: only the beginning is given
   */
  record StrLit(String value, boolean prefix) implements Expr {
    public StrLit {
      Objects.requireNonNull(value, "value");
    }

    public StrLit(String value) {
      this(value, false);
    }
  }

  /** {@code ...}: anything (an argument the script does not care about). */
  record Ellipsis() implements Expr {
    public static final Ellipsis INSTANCE = new Ellipsis();
  }

  /** A name: a constant ({@code AF_INET}, {@code POLLIN}) or any other word. */
  record Symbol(String name) implements Expr {
    public Symbol {
      Objects.requireNonNull(name, "name");
    }
  }

  /** {@code a|b|c}: flags ORed together, in the order written (two or more terms). */
  record Or(List<Expr> terms) implements Expr {
    public Or {
      terms = List.copyOf(terms);
    }
  }

  /**
   * {@code {name=value, ...}}: a C structure ({@code linger}, {@code pollfd}, {@code sockaddr}, ...),
   * fields in the order written; {@code {..., 10}}-style positional entries have a null name.
   */
  record Struct(List<Field> fields) implements Expr {
    public Struct {
      fields = List.copyOf(fields);
    }

    /** The value of the first field with this name, or null. */
    public Expr get(String name) {
      for (Field f : fields) {
        if (name.equals(f.name())) return f.value();
      }
      return null;
    }
  }

  /**
   * One entry of a {@link Struct}.
   *
   * @param name the field name, or null for a positional entry
   * @param nameArgs the arguments written after the name, as in {@code msg_iov(1)=[...]}; usually
   *     empty
   */
  record Field(String name, List<Expr> nameArgs, Expr value) {
    public Field {
      nameArgs = List.copyOf(nameArgs);
      Objects.requireNonNull(value, "value");
    }

    public Field(String name, Expr value) {
      this(name, List.of(), value);
    }
  }

  /** {@code [a, b]}: an array, or a pointer to one value ({@code [1]}, {@code [4]}); may be empty. */
  record Array(List<Expr> elements) implements Expr {
    public Array {
      elements = List.copyOf(elements);
    }
  }

  /** {@code name(args)} inside an expression: {@code htons(8080)}, {@code inet_addr("192.0.2.1")}. */
  record Call(String name, List<Expr> args) implements Expr {
    public Call {
      Objects.requireNonNull(name, "name");
      args = List.copyOf(args);
    }
  }
}
