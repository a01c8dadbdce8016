package dev.tcplab.sim.trace;

/** Escaping for the SVG and HTML writers. */
final class Xml {
  private Xml() {}

  /**
   * Text safe for XML 1.0 (and HTML) element content and quoted attribute values: the five special
   * characters as entities; characters XML cannot carry at all (controls other than tab, newline and
   * carriage return, U+FFFE, U+FFFF, unpaired surrogates) as U+FFFD.
   */
  static String escape(String s) {
    StringBuilder sb = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      String rep = null;
      switch (c) {
        case '&' -> rep = "&amp;";
        case '<' -> rep = "&lt;";
        case '>' -> rep = "&gt;";
        case '"' -> rep = "&quot;";
        case '\'' -> rep = "&#39;";
        default -> {
          if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0xfffe || c == 0xffff) {
            rep = "\ufffd";
          } else if (Character.isHighSurrogate(c)) {
            if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
              if (sb != null) sb.append(c).append(s.charAt(i + 1));
              i++;
              continue;
            }
            rep = "\ufffd";
          } else if (Character.isLowSurrogate(c)) {
            rep = "\ufffd";
          }
        }
      }
      if (rep != null) {
        if (sb == null) sb = new StringBuilder(s.length() + 16).append(s, 0, i);
        sb.append(rep);
      } else if (sb != null) {
        sb.append(c);
      }
    }
    return sb == null ? s : sb.toString();
  }
}
