package dev.tcplab.script;

import dev.tcplab.core.wire.TcpFlags;
import dev.tcplab.script.Lexer.Token;
import dev.tcplab.script.Lexer.Type;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Parses packetdrill scripts into a {@link Script}: a hand-written recursive-descent parser over the
 * grammar of packetdrill's {@code parser.y}, restricted to what a TCP-only simulator can use (see the
 * package documentation).
 *
 * <p>Like packetdrill the language is free-form (a system call's arguments may span lines), with one
 * rule added for clearer messages: an event ends at the end of its line, so anything after a complete
 * event on the same line is an error that names what could have come there. Packetdrill's parse-time
 * checks are applied too: sequence ranges must add up, values must fit their fields, inbound packets
 * need {@code win}, {@code <...>}, {@code *} and time ranges are for outbound packets only, options
 * must fit 40 bytes in whole 32-bit words.
 *
 * <p>Never throws anything but {@link ScriptSyntaxException} for bad input, and finishes in time
 * linear in the input: every step consumes a token, nesting is bounded.
 */
public final class ScriptParser {
  private static final long U32 = 0xffff_ffffL;
  private static final int U16 = 0xffff;
  private static final int MAX_DEPTH = 64;
  private static final BigDecimal MAX_NANOS = BigDecimal.valueOf(Long.MAX_VALUE);
  private static final Set<String> OTHER_PROTOCOLS =
      Set.of("udp", "icmp", "ipv4", "ipv6", "gre", "GREv0", "mpls");

  private final String path;
  private final String src;
  private final Lexer lexer;
  private final List<Token> lookahead = new ArrayList<>(4);
  private Token prev;

  private ScriptParser(String path, String src) {
    this.path = path;
    this.src = src;
    this.lexer = new Lexer(path, src);
  }

  /**
   * Parses a script's text.
   *
   * @param path the name to use in error messages and {@link Script#path()}
   */
  public static Script parse(String path, String text) throws ScriptSyntaxException {
    return new ScriptParser(path, text).script();
  }

  /** Reads (UTF-8) and parses a script file; messages name the file as given. */
  public static Script parse(Path file) throws IOException, ScriptSyntaxException {
    return parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
  }

  // ---------------------------------------------------------------- script and events

  private Script script() throws ScriptSyntaxException {
    List<Script.Setting> settings = new ArrayList<>();
    List<Event> events = new ArrayList<>();
    while (peek().type() != Type.EOF) {
      Token t = peek();
      if (t.type() == Type.OPTION) {
        if (!events.isEmpty()) {
          throw at(t, "settings such as '--" + t.value() + "' must come before the first event");
        }
        advance();
        int eq = t.text().indexOf('=');
        settings.add(
            new Script.Setting(
                t.value(), eq < 0 ? null : t.text().substring(eq + 1), t.line(), t.column()));
        continue;
      }
      events.add(event());
    }
    return new Script(path, settings, events);
  }

  private Event event() throws ScriptSyntaxException {
    Token first = peek();
    if (first.type() == Type.BACKQUOTE || first.type() == Type.CODE) {
      // packetdrill's init and cleanup commands have no time column.
      Unsupported u = unsupported(advance());
      endOfEvent(null);
      return new Event(first.line(), first.column(), TimeSpec.none(), u);
    }
    TimeSpec time = time();
    Token ellipsis = null;
    if (peek().type() == Type.ELLIPSIS) {
      ellipsis = advance();
      long end = timeNumber("the time the blocking call returns after '...' (as in '+0...0.100')");
      if (end < time.start()) {
        throw at(ellipsis, "the blocking call ends (" + seconds(end) + ") before it starts ("
            + seconds(time.start()) + ")");
      }
      time = time.withBlockingEnd(end);
    }

    Token head = peek();
    boolean packet = head.is('<') || head.is('>');
    boolean outbound = head.is('>');
    boolean syscall = head.type() == Type.WORD;
    if (time.kind() == TimeSpec.Kind.ANY && (packet || syscall) && !outbound) {
      throw at(first, "'*' (any time) can only be used with outbound packets ('>')");
    }
    if (time.kind() == TimeSpec.Kind.RANGE && (packet || syscall) && !outbound) {
      throw at(first, "a time range can only be used with outbound packets ('>')");
    }
    if (ellipsis != null && !syscall) {
      throw at(ellipsis, "only a system call can block ('time...end'); found " + describe(head));
    }

    Action action;
    if (packet) {
      action = packet();
    } else if (syscall) {
      action = syscall();
    } else if (head.type() == Type.CODE || head.type() == Type.BACKQUOTE) {
      if (time.kind() == TimeSpec.Kind.ANY || time.kind() == TimeSpec.Kind.RANGE) {
        throw at(first, "'*' and time ranges can only be used with outbound packets ('>')");
      }
      action = unsupported(advance());
      endOfEvent(null);
    } else {
      throw expected(
          "a packet ('<' or '>'), a system call, a %{ python }% block or a `command` after the time");
    }
    return new Event(first.line(), first.column(), time, action);
  }

  private static Unsupported unsupported(Token t) {
    Unsupported.Kind kind =
        t.type() == Type.CODE ? Unsupported.Kind.PYTHON : Unsupported.Kind.SHELL;
    return new Unsupported(kind, t.value(), t.line(), t.column());
  }

  /** After a complete event only a new line may follow. */
  private void endOfEvent(String alternatives) throws ScriptSyntaxException {
    Token t = peek();
    if (t.type() == Type.EOF || t.line() > prev.endLine()) return;
    throw expected(
        alternatives == null ? "the end of the line" : alternatives + " or the end of the line");
  }

  // ---------------------------------------------------------------- time

  private TimeSpec time() throws ScriptSyntaxException {
    Token t = peek();
    if (t.is('*')) {
      advance();
      return TimeSpec.any();
    }
    if (t.is('+')) {
      advance();
      long start = timeNumber("a time after '+' (as in '+0.1')");
      if (!peek().is('~')) return TimeSpec.relative(start);
      Token tilde = advance();
      if (!peek().is('+')) {
        throw expected("'+' after '~' (a relative range is written '+0~+0.04')");
      }
      advance();
      long end = timeNumber("a time after '~+' (as in '+0~+0.04')");
      return range(tilde, true, start, end);
    }
    if (t.type() == Type.INTEGER || t.type() == Type.FLOAT) {
      long start = timeNumber("a time");
      if (!peek().is('~')) return TimeSpec.absolute(start);
      Token tilde = advance();
      if (peek().is('+')) {
        throw expected("an absolute time after '~' (an absolute range is written '0.1~0.2')");
      }
      long end = timeNumber("a time after '~' (as in '0.1~0.2')");
      return range(tilde, false, start, end);
    }
    throw expected("a time (as in '0.100', '+0.1', '*', '0.1~0.2' or '+0~+0.04')");
  }

  private TimeSpec range(Token tilde, boolean relative, long start, long end)
      throws ScriptSyntaxException {
    if (end < start) {
      throw at(tilde, "time range is backwards: " + seconds(end) + " is before " + seconds(start));
    }
    return TimeSpec.range(relative, start, end);
  }

  /** A time in seconds ({@code 0}, {@code 0.100}, {@code .1}) as nanoseconds. */
  private long timeNumber(String what) throws ScriptSyntaxException {
    Token t = peek();
    if (t.type() != Type.INTEGER && t.type() != Type.FLOAT) throw expected(what);
    advance();
    if (t.text().startsWith("-")) throw at(t, "negative time '" + t.text() + "'");
    BigDecimal nanos =
        new BigDecimal(t.text()).movePointRight(9).setScale(0, RoundingMode.HALF_EVEN);
    if (nanos.compareTo(MAX_NANOS) > 0) throw at(t, "time '" + abbreviate(t.text()) + "' is too large");
    return nanos.longValueExact();
  }

  private static String seconds(long nanos) {
    return BigDecimal.valueOf(nanos, 9).stripTrailingZeros().toPlainString() + " s";
  }

  // ---------------------------------------------------------------- packets

  private PacketEvent packet() throws ScriptSyntaxException {
    Direction direction = advance().is('<') ? Direction.INBOUND : Direction.OUTBOUND;
    int flags = flags();
    SeqSpec seq = seq();

    Long ack = null;
    Integer win = null;
    Integer urg = null;
    List<ScriptOption> options = null;
    boolean anyOptions = false;
    if (peek().isWord("ack")) {
      advance();
      ack = unsigned("the acknowledgment number after 'ack'", "acknowledgment number", U32);
    }
    if (peek().isWord("win")) {
      advance();
      win = (int) unsigned("the window after 'win'", "window", U16);
    } else if (direction == Direction.INBOUND) {
      throw expected((ack == null ? "'ack' or " : "") + "'win' (an inbound packet needs its window)");
    }
    if (peek().isWord("urg")) {
      advance();
      urg = (int) unsigned("the urgent pointer after 'urg'", "urgent pointer", U16);
    }
    if (peek().is('<')) {
      Token lt = advance();
      if (peek().type() == Type.ELLIPSIS) {
        advance();
        expectPunct('>', "'>' to close '<...'");
        if (direction == Direction.INBOUND) {
          throw at(lt, "'<...>' (any options) can only be used with outbound packets ('>')");
        }
        anyOptions = true;
      } else {
        options = options(lt);
      }
    }

    List<String> more = new ArrayList<>();
    boolean optionsGiven = options != null || anyOptions;
    if (ack == null && win == null && urg == null && !optionsGiven) more.add("'ack'");
    if (win == null && urg == null && !optionsGiven) more.add("'win'");
    if (urg == null && !optionsGiven) more.add("'urg'");
    if (!optionsGiven) more.add("'<' (TCP options)");
    endOfEvent(more.isEmpty() ? null : String.join(", ", more));
    return new PacketEvent(direction, flags, seq, ack, win, urg, options, anyOptions);
  }

  private int flags() throws ScriptSyntaxException {
    Token t = peek();
    if (t.is('.')) {
      advance();
      return TcpFlags.ACK;
    }
    if (t.is('-')) {
      advance();
      return 0;
    }
    if (t.type() == Type.WORD) {
      if (OTHER_PROTOCOLS.contains(t.text())) {
        throw at(t, "only TCP packets are supported, not '" + t.text() + "'");
      }
      advance();
      int flags = 0;
      for (int i = 0; i < t.text().length(); i++) {
        char c = t.text().charAt(i);
        int bit = flagBit(c);
        if (bit == 0) {
          String why =
              c == 'A' || (c >= '0' && c <= '7')
                  ? "AccECN flag '" + c + "' in '" + t.text() + "' is not supported"
                  : "invalid TCP flag '" + c + "' in '" + t.text()
                      + "' (flags are F, S, R, P, U, E, W and '.' for ACK, or '-' for none)";
          throw new ScriptSyntaxException(path, t.line(), t.column() + i, why);
        }
        flags |= bit;
      }
      if (peek().is('.')) {
        advance();
        flags |= TcpFlags.ACK;
      }
      if (peek().type() == Type.FLOAT && peek().text().startsWith(".")) {
        throw at(peek(), "AccECN ACE flags ('" + t.text() + peek().text() + "') are not supported");
      }
      return flags;
    }
    if (t.type() == Type.FLOAT && t.text().startsWith(".")) {
      throw at(t, "AccECN ACE flags ('" + t.text() + "') are not supported");
    }
    if (t.is('[') || t.is('(')) {
      throw at(t, "IP header annotations such as '[ect0]' or '(tos 0x..)' are not supported");
    }
    throw expected("TCP flags (as in 'S', 'S.', '.', 'P.', 'F.', 'R.' or '-' for none)");
  }

  private static int flagBit(char c) {
    switch (c) {
      case 'F':
        return TcpFlags.FIN;
      case 'S':
        return TcpFlags.SYN;
      case 'R':
        return TcpFlags.RST;
      case 'P':
        return TcpFlags.PSH;
      case 'U':
        return TcpFlags.URG;
      case 'E':
        return TcpFlags.ECE;
      case 'W':
        return TcpFlags.CWR;
      default:
        return 0;
    }
  }

  private SeqSpec seq() throws ScriptSyntaxException {
    Token first = peek();
    if (first.type() != Type.INTEGER) {
      throw expected("the sequence range 'start:end(length)' after the flags");
    }
    long start = unsigned("the start sequence number", "start sequence number", U32);
    expectPunct(':', "':' in the sequence range 'start:end(length)'");
    long end = unsigned("the end sequence number in 'start:end(length)'", "end sequence number", U32);
    expectPunct('(', "'(' and the payload length in 'start:end(length)'");
    long length = unsigned("the payload length in 'start:end(length)'", "payload length", U16);
    expectPunct(')', "')' after the payload length");
    if (start + length != end) {
      throw at(first, "inconsistent sequence range: " + start + " + " + length + " is "
          + (start + length) + ", not " + end);
    }
    return new SeqSpec(start, end, (int) length);
  }

  private List<ScriptOption> options(Token lt) throws ScriptSyntaxException {
    List<ScriptOption> options = new ArrayList<>();
    while (true) {
      options.add(option());
      if (peek().is(',')) {
        advance();
      } else if (peek().is('>')) {
        advance();
        break;
      } else {
        throw expected("',' or '>' after a TCP option");
      }
    }
    int bytes = 0;
    for (ScriptOption o : options) bytes += o.encodedLength();
    if (bytes > 40) throw at(lt, "TCP options take " + bytes + " bytes; at most 40 fit");
    if (bytes % 4 != 0) {
      throw at(lt, "TCP options take " + bytes + " bytes, not a multiple of 4: pad with 'nop'");
    }
    return options;
  }

  private ScriptOption option() throws ScriptSyntaxException {
    Token t = peek();
    String known = "a TCP option (nop, eol, mss, wscale, sackOK, sack, TS, FO, FOEXP, md5)";
    if (t.type() != Type.WORD) throw expected(known);
    switch (t.text()) {
      case "nop":
        advance();
        return ScriptOption.Nop.INSTANCE;
      case "eol":
        advance();
        return ScriptOption.Eol.INSTANCE;
      case "sackOK":
        advance();
        return ScriptOption.SackPermitted.INSTANCE;
      case "mss":
        advance();
        return new ScriptOption.Mss((int) unsigned("the MSS value after 'mss'", "MSS value", U16));
      case "wscale":
        advance();
        return new ScriptOption.WindowScale(
            (int) unsigned("the shift count after 'wscale'", "window scale shift count", 0xff));
      case "sack":
        {
          advance();
          List<ScriptOption.Block> blocks = new ArrayList<>();
          do {
            long left = unsigned("a SACK block 'left:right'", "SACK left edge", U32);
            expectPunct(':', "':' in the SACK block 'left:right'");
            long right = unsigned("the right edge of the SACK block", "SACK right edge", U32);
            blocks.add(new ScriptOption.Block(left, right));
          } while (peek().type() == Type.INTEGER);
          return new ScriptOption.Sack(blocks);
        }
      case "TS":
        {
          advance();
          expectWord("val", "'val' after 'TS' (as in 'TS val 100 ecr 0')");
          long val = unsigned("the TSval after 'val'", "TSval", U32);
          expectWord("ecr", "'ecr' after the TSval (as in 'TS val 100 ecr 0')");
          long ecr = unsigned("the TSecr after 'ecr'", "TSecr", U32);
          return new ScriptOption.Timestamps(val, ecr);
        }
      case "FO":
      case "FOEXP":
        {
          advance();
          String cookie = "";
          Token c = peek();
          if (c.type() == Type.WORD || c.type() == Type.INTEGER) {
            advance();
            cookie = c.text();
            if (!Lexer.isHex(cookie, 0) || cookie.length() % 2 != 0) {
              throw at(c, "a Fast Open cookie is an even number of hex digits, not '"
                  + abbreviate(cookie) + "'");
            }
          }
          return new ScriptOption.FastOpen(cookie, t.text().equals("FOEXP"));
        }
      case "md5":
        {
          advance();
          Token d = peek();
          if (d.type() != Type.WORD && d.type() != Type.INTEGER) {
            throw expected("the digest after 'md5'");
          }
          advance();
          return new ScriptOption.Md5(d.text());
        }
      default:
        throw at(t, "unknown TCP option '" + abbreviate(t.text())
            + "' (known: nop, eol, mss, wscale, sackOK, sack, TS, FO, FOEXP, md5)");
    }
  }

  // ---------------------------------------------------------------- system calls

  private SyscallEvent syscall() throws ScriptSyntaxException {
    Token name = advance();
    if (!peek().is('(')) {
      throw expected("'(' after the system call name '" + abbreviate(name.text()) + "'");
    }
    advance();
    List<Expr> args = list(')', 1);
    if (!peek().is('=')) {
      throw expected("'=' and the expected result after " + abbreviate(name.text()) + "(...)");
    }
    advance();
    Expr result = expr(1);
    String errno = null;
    String errnoText = null;
    String note = null;
    if (peek().type() == Type.WORD && onSameLine()) {
      errno = advance().text();
      if (peek().is('(') && onSameLine()) errnoText = note();
    }
    if (peek().is('(') && onSameLine()) note = note();
    String more;
    if (errno == null && note == null) {
      more = "'|', an errno name (as in 'ECONNRESET'), '(' and a note";
    } else if (errno != null && errnoText == null && note == null) {
      more = "'(' and the errno's text";
    } else {
      more = null;
    }
    endOfEvent(more);
    return new SyscallEvent(name.text(), args, result, errno, errnoText, note);
  }

  /** {@code (words...)}: the text inside, whitespace collapsed. */
  private String note() throws ScriptSyntaxException {
    Token open = advance();
    while (!peek().is(')')) {
      if (peek().type() == Type.EOF || peek().is('(')) {
        throw expected("')' to close the '(' at " + open.line() + ":" + open.column());
      }
      advance();
    }
    Token close = advance();
    return src.substring(open.end(), close.start()).strip().replaceAll("\\s+", " ");
  }

  // ---------------------------------------------------------------- expressions

  /** Expressions separated by ',' up to {@code close}, which is consumed; may be empty. */
  private List<Expr> list(char close, int depth) throws ScriptSyntaxException {
    List<Expr> out = new ArrayList<>();
    if (peek().is(close)) {
      advance();
      return out;
    }
    while (true) {
      out.add(expr(depth));
      if (peek().is(',')) {
        advance();
      } else if (peek().is(close)) {
        advance();
        return out;
      } else {
        throw expected("',' or '" + close + "'");
      }
    }
  }

  private Expr expr(int depth) throws ScriptSyntaxException {
    return orTail(primary(depth), depth);
  }

  private Expr orTail(Expr first, int depth) throws ScriptSyntaxException {
    if (!peek().is('|')) return first;
    List<Expr> terms = new ArrayList<>();
    terms.add(first);
    while (peek().is('|')) {
      advance();
      terms.add(primary(depth));
    }
    return new Expr.Or(terms);
  }

  private Expr primary(int depth) throws ScriptSyntaxException {
    Token t = peek();
    if (depth > MAX_DEPTH) {
      throw at(t, "expression nested too deeply (more than " + MAX_DEPTH + " levels)");
    }
    switch (t.type()) {
      case ELLIPSIS:
        advance();
        return Expr.Ellipsis.INSTANCE;
      case INTEGER:
        advance();
        try {
          return new Expr.IntLit(Long.parseLong(t.text()));
        } catch (NumberFormatException e) {
          throw at(t, "integer '" + abbreviate(t.text()) + "' is out of range (64 bits)");
        }
      case HEX:
        {
          advance();
          String digits = t.text().substring(2);
          if (digits.length() > 16) {
            throw at(t, "integer '" + abbreviate(t.text()) + "' is out of range (64 bits)");
          }
          return new Expr.IntLit(Long.parseUnsignedLong(digits, 16));
        }
      case STRING:
        {
          StringBuilder sb = new StringBuilder();
          while (peek().type() == Type.STRING) sb.append(advance().value());
          boolean prefix = false;
          if (peek().type() == Type.ELLIPSIS) {
            advance();
            prefix = true;
          }
          return new Expr.StrLit(sb.toString(), prefix);
        }
      case WORD:
        advance();
        if (peek().is('(')) {
          advance();
          return new Expr.Call(t.text(), list(')', depth + 1));
        }
        return new Expr.Symbol(t.text());
      case PUNCT:
        if (t.is('[')) {
          advance();
          return new Expr.Array(list(']', depth + 1));
        }
        if (t.is('{')) return struct(depth + 1);
        break;
      default:
        break;
    }
    throw expected(
        "an expression (a number, a \"string\", '...', a name, a [list] or a {structure})");
  }

  private Expr.Struct struct(int depth) throws ScriptSyntaxException {
    advance(); // '{'
    List<Expr.Field> fields = new ArrayList<>();
    while (true) {
      Token t = peek(); // nesting is bounded in primary(), which every path below reaches
      if (t.type() == Type.WORD && peek(1).is('=')) {
        advance();
        advance();
        fields.add(new Expr.Field(t.text(), expr(depth)));
      } else if (t.type() == Type.WORD && peek(1).is('(')) {
        advance();
        advance();
        List<Expr> nameArgs = list(')', depth + 1);
        if (peek().is('=')) {
          advance();
          fields.add(new Expr.Field(t.text(), nameArgs, expr(depth)));
        } else {
          fields.add(new Expr.Field(null, orTail(new Expr.Call(t.text(), nameArgs), depth)));
        }
      } else {
        fields.add(new Expr.Field(null, expr(depth)));
      }
      if (peek().is(',')) {
        advance();
      } else if (peek().is('}')) {
        advance();
        return new Expr.Struct(fields);
      } else {
        throw expected("',' or '}'");
      }
    }
  }

  // ---------------------------------------------------------------- tokens and errors

  private Token peek() throws ScriptSyntaxException {
    return peek(0);
  }

  private Token peek(int k) throws ScriptSyntaxException {
    while (lookahead.size() <= k) {
      Token last = lookahead.isEmpty() ? null : lookahead.get(lookahead.size() - 1);
      lookahead.add(last != null && last.type() == Type.EOF ? last : lexer.next());
    }
    return lookahead.get(k);
  }

  private Token advance() throws ScriptSyntaxException {
    Token t = peek();
    if (t.type() != Type.EOF) lookahead.remove(0);
    prev = t;
    return t;
  }

  private boolean onSameLine() throws ScriptSyntaxException {
    return prev != null && peek().line() == prev.endLine();
  }

  private void expectPunct(char c, String what) throws ScriptSyntaxException {
    if (!peek().is(c)) throw expected(what);
    advance();
  }

  private void expectWord(String word, String what) throws ScriptSyntaxException {
    if (!peek().isWord(word)) throw expected(what);
    advance();
  }

  /** An unsigned decimal integer token at most {@code max}. */
  private long unsigned(String what, String name, long max) throws ScriptSyntaxException {
    Token t = peek();
    if (t.type() != Type.INTEGER) throw expected(what);
    advance();
    if (t.text().startsWith("-")) throw at(t, name + " must not be negative: " + t.text());
    long v;
    try {
      v = Long.parseLong(t.text());
    } catch (NumberFormatException e) { // only digits: too many of them
      v = Long.MAX_VALUE;
    }
    if (v > max) {
      throw at(t, name + " " + abbreviate(t.text()) + " is out of range (at most " + max + ")");
    }
    return v;
  }

  private ScriptSyntaxException at(Token t, String detail) {
    return new ScriptSyntaxException(path, t.line(), t.column(), detail);
  }

  /**
   * "expected X but found Y" at the next token; when that token is the end of the file, or starts
   * what looks like the next event on a later line, the error is placed at the end of the line that
   * is missing something.
   */
  private ScriptSyntaxException expected(String what) throws ScriptSyntaxException {
    Token t = peek();
    if (prev != null && (t.type() == Type.EOF || (t.line() > prev.endLine() && startsEvent(t)))) {
      String found = t.type() == Type.EOF ? "end of file" : "end of line";
      return new ScriptSyntaxException(
          path, prev.endLine(), prev.endColumn(), "expected " + what + " but found " + found);
    }
    return at(t, "expected " + what + " but found " + describe(t));
  }

  private static boolean startsEvent(Token t) {
    switch (t.type()) {
      case INTEGER:
      case FLOAT:
        return !t.text().startsWith("-");
      case BACKQUOTE:
      case CODE:
      case OPTION:
        return true;
      default:
        return t.is('+') || t.is('*');
    }
  }

  private static String describe(Token t) {
    switch (t.type()) {
      case EOF:
        return "end of file";
      case STRING:
        return "string \"" + abbreviate(t.value()) + "\"";
      case BACKQUOTE:
        return "`command`";
      case CODE:
        return "%{ code block }%";
      default:
        return "'" + abbreviate(t.text()) + "'";
    }
  }

  /** The first line of {@code s}, at most 30 characters, control characters escaped. */
  private static String abbreviate(String s) {
    int nl = s.indexOf('\n');
    String line = nl >= 0 ? s.substring(0, nl) + "..." : s;
    if (line.length() > 30) line = line.substring(0, 27) + "...";
    StringBuilder sb = new StringBuilder(line.length());
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
