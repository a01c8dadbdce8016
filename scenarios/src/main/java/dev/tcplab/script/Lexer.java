package dev.tcplab.script;

/**
 * Splits a script into tokens on demand, following packetdrill's lexer: words are {@code
 * [A-Za-z0-9_]+}, numbers are {@code -?[0-9]+} or {@code -?[0-9]*\.[0-9]+} (the longest match wins,
 * so {@code 12ab} is a word), {@code 0x..} is hexadecimal, {@code ...} is one token, comments are
 * {@code //} and C style, any other character is a token of its own.
 */
final class Lexer {
  enum Type {
    WORD,
    INTEGER,
    FLOAT,
    HEX,
    STRING,
    BACKQUOTE,
    CODE,
    ELLIPSIS,
    OPTION,
    PUNCT,
    EOF
  }

  /**
   * @param text the source text of the token
   * @param value strings, commands, code: the content; everything else: the text
   * @param endLine line of the position just after the token
   * @param endColumn column of the position just after the token
   * @param start offset of the token's first character in the source
   * @param end offset just after its last character
   */
  record Token(
      Type type,
      String text,
      String value,
      int line,
      int column,
      int endLine,
      int endColumn,
      int start,
      int end) {
    boolean is(char punct) {
      return type == Type.PUNCT && text.length() == 1 && text.charAt(0) == punct;
    }

    boolean isWord(String word) {
      return type == Type.WORD && text.equals(word);
    }
  }

  private final String path;
  private final String src;
  private int pos;
  private int line = 1;
  private int col = 1;

  Lexer(String path, String src) {
    this.path = path;
    this.src = src;
  }

  Token next() throws ScriptSyntaxException {
    skipSpaceAndComments();
    int start = pos;
    int sl = line;
    int sc = col;
    if (pos >= src.length()) return new Token(Type.EOF, "", "", sl, sc, sl, sc, start, start);
    char c = src.charAt(pos);
    char c1 = at(pos + 1);
    char c2 = at(pos + 2);

    if (c == '%' && c1 == '{') {
      int close = src.indexOf("}%", pos + 2);
      if (close < 0) {
        throw new ScriptSyntaxException(
            path, sl, sc, "unterminated %{ code block: no '}%' before the end of the file");
      }
      advanceTo(close + 2);
      return token(Type.CODE, start, sl, sc, stripSpacesAndTabs(src.substring(start + 2, close)));
    }
    if (c == '"' || c == '`') {
      advance();
      while (true) {
        if (pos >= src.length()) {
          String what = c == '"' ? "string: no closing '\"'" : "`command`: no closing '`'";
          throw new ScriptSyntaxException(path, sl, sc, "unterminated " + what);
        }
        char d = src.charAt(pos);
        advance();
        if (d == '\\') {
          if (pos < src.length()) advance();
        } else if (d == c) {
          break;
        }
      }
      String content = src.substring(start + 1, pos - 1);
      return token(c == '"' ? Type.STRING : Type.BACKQUOTE, start, sl, sc, content);
    }
    if (c == '.' && c1 == '.' && c2 == '.') {
      advanceTo(pos + 3);
      return token(Type.ELLIPSIS, start, sl, sc, null);
    }
    if (c == '-' && c1 == '-' && isWordChar(c2)) {
      advanceTo(pos + 2);
      while (isWordChar(at(pos))) advance();
      String name = src.substring(start + 2, pos);
      if (at(pos) == '=') {
        advance();
        while (pos < src.length() && !isSpace(src.charAt(pos))) {
          char d = src.charAt(pos);
          if (d == '"' || d == '`') {
            int close = src.indexOf(d, pos + 1);
            if (close < 0) {
              throw new ScriptSyntaxException(
                  path, sl, sc, "unterminated quote in option --" + name);
            }
            advanceTo(close + 1);
          } else {
            advance();
          }
        }
      }
      return token(Type.OPTION, start, sl, sc, name);
    }

    int numLen = numberLength(pos);
    int wordLen = 0;
    while (isWordChar(at(pos + wordLen))) wordLen++;
    if (numLen == 0 && wordLen == 0) {
      advanceTo(pos + Character.charCount(src.codePointAt(pos)));
      return token(Type.PUNCT, start, sl, sc, null);
    }
    if (wordLen > numLen) {
      advanceTo(pos + wordLen);
      String word = src.substring(start, pos);
      boolean hex = word.length() > 2 && word.startsWith("0x") && isHex(word, 2);
      return token(hex ? Type.HEX : Type.WORD, start, sl, sc, null);
    }
    advanceTo(pos + numLen);
    String number = src.substring(start, pos);
    return token(number.indexOf('.') >= 0 ? Type.FLOAT : Type.INTEGER, start, sl, sc, null);
  }

  /** Length of {@code -?[0-9]+} or {@code -?[0-9]*\.[0-9]+} at {@code p}, 0 when neither. */
  private int numberLength(int p) {
    int i = p;
    if (at(i) == '-') i++;
    int digitsStart = i;
    while (isDigit(at(i))) i++;
    boolean intPart = i > digitsStart;
    if (at(i) == '.' && isDigit(at(i + 1))) {
      i++;
      while (isDigit(at(i))) i++;
      return i - p;
    }
    return intPart ? i - p : 0;
  }

  private void skipSpaceAndComments() throws ScriptSyntaxException {
    while (pos < src.length()) {
      char c = src.charAt(pos);
      if (isSpace(c)) {
        advance();
      } else if (c == '/' && at(pos + 1) == '/') {
        while (pos < src.length() && src.charAt(pos) != '\n') advance();
      } else if (c == '/' && at(pos + 1) == '*') {
        int close = src.indexOf("*/", pos + 2);
        if (close < 0) {
          throw new ScriptSyntaxException(
              path, line, col, "unterminated /* comment: no '*/' before the end of the file");
        }
        advanceTo(close + 2);
      } else {
        return;
      }
    }
  }

  private Token token(Type type, int start, int sl, int sc, String value) {
    String text = src.substring(start, pos);
    return new Token(type, text, value == null ? text : value, sl, sc, line, col, start, pos);
  }

  private char at(int p) {
    return p < src.length() ? src.charAt(p) : '\0';
  }

  private void advance() {
    if (src.charAt(pos) == '\n') {
      line++;
      col = 1;
    } else {
      col++;
    }
    pos++;
  }

  private void advanceTo(int target) {
    while (pos < target) advance();
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0b;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  static boolean isWordChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c) || c == '_';
  }

  static boolean isHex(String s, int from) {
    for (int i = from; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!isDigit(c) && !(c >= 'a' && c <= 'f') && !(c >= 'A' && c <= 'F')) return false;
    }
    return s.length() > from;
  }

  private static String stripSpacesAndTabs(String s) {
    int b = 0;
    int e = s.length();
    while (b < e && (s.charAt(b) == ' ' || s.charAt(b) == '\t')) b++;
    while (e > b && (s.charAt(e - 1) == ' ' || s.charAt(e - 1) == '\t')) e--;
    return s.substring(b, e);
  }
}
