package dev.tcplab.capture;

import com.google.gson.stream.JsonWriter;
import dev.tcplab.capture.ConnectionReport.Bytes;
import dev.tcplab.capture.ConnectionReport.Close;
import dev.tcplab.capture.ConnectionReport.Options;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Writes connection reports as they come (so a report never waits for the rest of the file): a
 * text table for people, or the JSON document of {@code tcplab analyze --json}.
 */
public abstract class ReportWriter implements Consumer<ConnectionReport> {
  final PrintWriter out;

  ReportWriter(PrintWriter out) {
    this.out = out;
  }

  /** The text table: one row per connection and its verdict below. */
  public static ReportWriter text(PrintWriter out) {
    return new Text(out);
  }

  /** The JSON document (see the README for the field names). */
  public static ReportWriter json(PrintWriter out) {
    return new Json(out);
  }

  /**
   * Ends the output with the totals and problems of the analysis.
   *
   * @param error the reason the file could not be read to its end, or null
   */
  public abstract void finish(CaptureAnalysis analysis, String error);

  private static final class Text extends ReportWriter {
    private static final String ROW = "%-4s %-23s %-23s %-13s %-7s %-21s %s%n";
    private boolean headed;

    Text(PrintWriter out) {
      super(out);
    }

    @Override
    public void accept(ConnectionReport r) {
      if (!headed) {
        headed = true;
        out.printf(ROW, "#", "client", "server", "close", "first", "client sent/acked",
            "server sent/acked");
      }
      Close c = r.close();
      out.printf(ROW, r.number(), r.client(), r.server(), c.kind().json,
          c.firstBy() == null ? "-" : c.firstBy(), sentAcked(r.clientBytes()),
          sentAcked(r.serverBytes()));
      out.println("     packets " + r.firstPacket() + "-" + r.lastPacket() + ", "
          + handshake(r.handshake()));
      out.println("     " + r.verdict());
      if (r.tls() != null) {
        ConnectionReport.Tls t = r.tls();
        out.println("     TLS " + (t.version() == null ? "(version not seen)" : t.version())
            + ", close_notify from client: " + yesNo(t.clientCloseNotify()) + ", from server: "
            + yesNo(t.serverCloseNotify()) + (t.truncated() ? ", truncated" : ""));
      }
      for (String f : r.flags()) out.println("     [" + f + "]");
      out.flush();
    }

    @Override
    public void finish(CaptureAnalysis a, String error) {
      out.printf("%d packets, %d TCP, %d connection%s%s%n", a.packets(), a.tcpPackets(),
          a.connections(), a.connections() == 1 ? "" : "s", a.problemCount() == 0 ? ""
              : String.format(", %d packets not analysed", a.problemCount()));
      for (CaptureAnalysis.CaptureProblem p : a.problems()) out.println("  " + p);
      if (a.problemCount() > a.problems().size()) {
        out.println("  ... and " + (a.problemCount() - a.problems().size()) + " more");
      }
      if (error != null) out.println("the capture breaks off: " + error);
      out.flush();
    }

    private static String sentAcked(Bytes b) {
      return b.sent() + "/" + b.acked() + (b.retransmitted() > 0 ? " (+" + b.retransmitted() + ")" : "");
    }

    private static String yesNo(Boolean b) {
      return b == null ? "unknown (encrypted; give --keylog)" : b ? "yes" : "no";
    }

    private static String handshake(ConnectionReport.Handshake h) {
      if (!h.captured()) return "handshake not captured";
      return "client SYN: " + h.client() + "; server SYN-ACK: "
          + (h.server() == null ? "not captured" : h.server().toString());
    }
  }

  private static final class Json extends ReportWriter {
    private final JsonWriter w;

    Json(PrintWriter out) {
      super(out);
      this.w = new JsonWriter(out);
      w.setIndent("  ");
      io(() -> w.beginObject().name("connections").beginArray());
    }

    @Override
    public void accept(ConnectionReport r) {
      io(() -> {
        w.beginObject();
        w.name("number").value(r.number());
        w.name("client").value(r.client());
        w.name("server").value(r.server());
        w.name("firstPacket").value(r.firstPacket());
        w.name("lastPacket").value(r.lastPacket());
        w.name("start").jsonValue(seconds(r.firstTimeNanos()));
        w.name("end").jsonValue(seconds(r.lastTimeNanos()));
        w.name("handshake").beginObject();
        w.name("captured").value(r.handshake().captured());
        options(w.name("client"), r.handshake().client());
        options(w.name("server"), r.handshake().server());
        w.endObject();
        Close c = r.close();
        w.name("close").beginObject();
        w.name("kind").value(c.kind().json);
        w.name("firstBy").value(c.firstBy());
        w.name("resetBy").value(c.resetBy() == null ? null : c.resetBy().label());
        w.name("resetState").value(c.resetState());
        w.name("unackedAtReset");
        if (c.kind() == ConnectionReport.Kind.RESET) {
          w.beginObject();
          w.name("client").value(c.unackedAtResetClient());
          w.name("server").value(c.unackedAtResetServer());
          w.endObject();
        } else {
          w.nullValue();
        }
        w.name("timeWait").beginArray();
        for (Side s : c.timeWait()) w.value(s.label());
        w.endArray();
        w.endObject();
        w.name("bytes").beginObject();
        bytes(w.name("client"), r.clientBytes());
        bytes(w.name("server"), r.serverBytes());
        w.endObject();
        w.name("tls");
        if (r.tls() == null) {
          w.nullValue();
        } else {
          ConnectionReport.Tls t = r.tls();
          w.beginObject();
          w.name("version").value(t.version());
          w.name("closeNotify").beginObject();
          w.name("client").value(t.clientCloseNotify());
          w.name("server").value(t.serverCloseNotify());
          w.endObject();
          w.name("truncated").value(t.truncated());
          w.endObject();
        }
        w.name("flags").beginArray();
        for (String f : r.flags()) w.value(f);
        w.endArray();
        w.name("verdict").value(r.verdict());
        w.endObject();
      });
      out.flush();
    }

    @Override
    public void finish(CaptureAnalysis a, String error) {
      io(() -> {
        w.endArray();
        w.name("packets").value(a.packets());
        w.name("tcpPackets").value(a.tcpPackets());
        w.name("problemCount").value(a.problemCount());
        w.name("problems").beginArray();
        for (CaptureAnalysis.CaptureProblem p : a.problems()) {
          w.beginObject().name("packet").value(p.packet()).name("what").value(p.what()).endObject();
        }
        w.endArray();
        w.name("error").value(error);
        w.endObject();
        w.flush();
      });
      out.println();
      out.flush();
    }

    private static void options(JsonWriter w, Options o) throws IOException {
      if (o == null) {
        w.nullValue();
        return;
      }
      w.beginObject();
      w.name("mss").value(o.mss() < 0 ? null : (Integer) o.mss());
      w.name("windowScale").value(o.windowScale() < 0 ? null : (Integer) o.windowScale());
      w.name("sackPermitted").value(o.sackPermitted());
      w.name("timestamps").value(o.timestamps());
      w.endObject();
    }

    private static void bytes(JsonWriter w, Bytes b) throws IOException {
      w.beginObject();
      w.name("sent").value(b.sent());
      w.name("acked").value(b.acked());
      w.name("retransmitted").value(b.retransmitted());
      w.name("packets").value(b.packets());
      w.endObject();
    }

    private static String seconds(long nanos) {
      return String.format(Locale.ROOT, "%d.%09d", nanos / 1_000_000_000L, nanos % 1_000_000_000L);
    }

    private interface IoAction {
      void run() throws IOException;
    }

    private static void io(IoAction a) {
      try {
        a.run();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
