package dev.tcplab.script;

/**
 * A script that is not valid packetdrill syntax (or breaks one of packetdrill's parse-time rules).
 * The message is one line: {@code test.pkt:12:7: expected 'ack', 'win', ... but found 'acx'}.
 */
public final class ScriptSyntaxException extends Exception {
  private final String path;
  private final int line;
  private final int column;
  private final String detail;

  public ScriptSyntaxException(String path, int line, int column, String detail) {
    super(path + ":" + line + ":" + column + ": " + detail);
    this.path = path;
    this.line = line;
    this.column = column;
    this.detail = detail;
  }

  public String path() {
    return path;
  }

  /** 1-based. */
  public int line() {
    return line;
  }

  /** 1-based. */
  public int column() {
    return column;
  }

  /** The message without the position. */
  public String detail() {
    return detail;
  }
}
