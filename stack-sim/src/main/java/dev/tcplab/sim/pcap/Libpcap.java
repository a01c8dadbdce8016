package dev.tcplab.sim.pcap;

import java.util.LinkedHashSet;
import java.util.Set;
import org.pcap4j.core.Pcaps;

/**
 * Turns pcap4j's ways of saying "no usable native libpcap" into a {@link PcapUnavailableException}
 * with one clear line.
 *
 * <p>The first call into pcap4j's native mappings throws {@link UnsatisfiedLinkError} with JNA's
 * multi-line explanation, later calls {@link NoClassDefFoundError} ("Could not initialize class
 * ..."), so the first explanation is remembered. pcap4j's optional functions (the nanosecond {@code
 * ..._with_tstamp_precision} calls) catch the error themselves and throw a PcapNativeException "...
 * is not supported by the pcap library installed in this environment" instead, which would be
 * misleading when the library is missing altogether: {@link #require} probes first.
 */
final class Libpcap {
  static final String INSTALL_HINT = "Debian: apt-get install libpcap0.8";

  private static volatile String firstFailure;

  private Libpcap() {}

  /**
   * Makes sure libpcap can be loaded; {@code what} ("pcap output") starts the message.
   *
   * @throws PcapUnavailableException if it cannot
   */
  static void require(String what) {
    try {
      Pcaps.libVersion();
    } catch (LinkageError e) {
      throw unavailable(what, e);
    }
  }

  /** For an error thrown by pcap4j; the result is meant to be thrown. */
  static PcapUnavailableException unavailable(String what, Throwable e) {
    String summary = summarise(e);
    if (e instanceof UnsatisfiedLinkError) {
      if (firstFailure == null) firstFailure = summary;
    } else if (e instanceof NoClassDefFoundError) {
      String remembered = firstFailure;
      if (remembered != null) {
        summary = remembered;
      } else if (e.getCause() != null && e.getCause().getMessage() != null) {
        summary = summarise(e.getCause()); // newer JDKs keep the initialiser's failure here
      }
    }
    return new PcapUnavailableException(
        String.format("%s needs the native libpcap library (%s): %s", what, INSTALL_HINT, summary));
  }

  /**
   * One line out of a JNA message, which lists every place it looked, one per line, and ends with
   * the whole class path: keep the loader's own reasons once each, drop the class-path search.
   */
  static String summarise(Throwable e) {
    String m = e.getMessage();
    if (m == null || m.isBlank()) return e.getClass().getName();
    Set<String> lines = new LinkedHashSet<>();
    for (String line : m.split("\\R")) {
      String l = line.strip();
      if (!l.isEmpty() && !l.startsWith("Native library (")) lines.add(l);
    }
    StringBuilder sb = new StringBuilder();
    for (String l : lines) {
      if (sb.length() > 0) sb.append(sb.charAt(sb.length() - 1) == ':' ? " " : "; ");
      sb.append(l);
    }
    String s = sb.length() == 0 ? e.getClass().getName() : sb.toString();
    return s.length() > 300 ? s.substring(0, 297) + "..." : s;
  }
}
