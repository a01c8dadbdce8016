package dev.tcplab.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parsers for the command line's quantities, each with an error that says what it expected. */
final class Units {
  private Units() {}

  private static final Pattern NUMBER_UNIT = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*([a-zA-Z%]*)");

  private static Matcher match(String text, String what, String example) {
    Matcher m = NUMBER_UNIT.matcher(text.trim());
    if (!m.matches()) {
      throw new TypeConversionException(
          "'" + text + "' is not a " + what + " (for example " + example + ")");
    }
    return m;
  }

  /** Durations: 10ms, 1.5s, 200us, 30ns, 2m; a bare number is milliseconds. */
  static final class Duration implements ITypeConverter<Long> {
    @Override
    public Long convert(String text) {
      Matcher m = match(text, "duration", "10ms, 1.5s, 200us");
      double v = Double.parseDouble(m.group(1));
      double scale = switch (m.group(2).toLowerCase(Locale.ROOT)) {
        case "ns" -> 1;
        case "us" -> 1e3;
        case "", "ms" -> 1e6;
        case "s" -> 1e9;
        case "m", "min" -> 60e9;
        default -> throw new TypeConversionException(
            "unknown time unit '" + m.group(2) + "' in '" + text + "' (use ns, us, ms, s or min)");
      };
      return Math.round(v * scale);
    }
  }

  /** Rates: 10Mbit, 1Gbit, 500kbit, 1000000 (bits per second); 0 means unlimited. */
  static final class Rate implements ITypeConverter<Long> {
    @Override
    public Long convert(String text) {
      Matcher m = match(text, "bit rate", "10Mbit, 1Gbit, 0 for unlimited");
      double v = Double.parseDouble(m.group(1));
      double scale = switch (m.group(2).toLowerCase(Locale.ROOT)) {
        case "", "bit", "bps" -> 1;
        case "k", "kbit", "kbps" -> 1e3;
        case "m", "mbit", "mbps" -> 1e6;
        case "g", "gbit", "gbps" -> 1e9;
        default -> throw new TypeConversionException(
            "unknown rate unit '" + m.group(2) + "' in '" + text + "' (use kbit, Mbit or Gbit)");
      };
      return Math.round(v * scale);
    }
  }

  /** Probabilities: 1% or 0.01. */
  static final class Probability implements ITypeConverter<Double> {
    @Override
    public Double convert(String text) {
      Matcher m = match(text, "probability", "1% or 0.01");
      double v = Double.parseDouble(m.group(1));
      if (m.group(2).equals("%")) {
        v /= 100;
      } else if (!m.group(2).isEmpty()) {
        throw new TypeConversionException("'" + text + "' is not a probability (for example 1% or 0.01)");
      }
      if (v > 1) throw new TypeConversionException("probability '" + text + "' is above 100%");
      return v;
    }
  }

  /** Sizes: 1500, 100k, 2M (bytes, powers of 1000 as network tools count). */
  static final class Size implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String text) {
      Matcher m = match(text, "size", "1500, 100k, 2M");
      double v = Double.parseDouble(m.group(1));
      double scale = switch (m.group(2).toLowerCase(Locale.ROOT)) {
        case "", "b" -> 1;
        case "k", "kb" -> 1e3;
        case "m", "mb" -> 1e6;
        default -> throw new TypeConversionException(
            "unknown size unit '" + m.group(2) + "' in '" + text + "' (use k or M)");
      };
      double bytes = v * scale;
      if (bytes > Integer.MAX_VALUE) throw new TypeConversionException("size '" + text + "' is too large");
      return (int) Math.round(bytes);
    }
  }
}
