package dev.tcplab.cli;

import dev.tcplab.capture.CaptureAnalysis;
import dev.tcplab.capture.CaptureInput;
import dev.tcplab.capture.ReportWriter;
import dev.tcplab.capture.tls.NssKeyLog;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tcplab analyze FILE}: how each TCP connection of a capture closed. */
@Command(
    name = "analyze",
    mixinStandardHelpOptions = true,
    description = {
      "Reads a capture (pcap or pcapng: Ethernet, Linux cooked SLL/SLL2, raw IP, BSD loopback;",
      "IPv4 and IPv6; VLAN tags) and reports each TCP connection: endpoints, handshake options,",
      "bytes sent/acknowledged/retransmitted per direction, and how it closed (graceful, half-close,",
      "simultaneous, reset with the data the RST threw away, refused, open), with TLS close_notify",
      "checks (alerts decrypted with --keylog). Reports appear as connections end.",
      "Exit status: 0 read to the end, 1 the file breaks off (what came before is reported), 2 usage."
    })
final class AnalyzeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "The capture file.")
  Path file;

  @Option(names = "--keylog", paramLabel = "KEYLOG",
      description = "NSS key log (SSLKEYLOGFILE) to decrypt TLS alerts.")
  Path keylog;

  @Option(names = "--json", description = "JSON instead of the text table (fields in the README).")
  boolean json;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    NssKeyLog keys;
    try {
      keys = keylog == null ? NssKeyLog.empty() : NssKeyLog.read(keylog);
    } catch (NoSuchFileException e) {
      err.println("tcplab: no such key log file: " + keylog);
      return 1;
    }
    ReportWriter writer = json ? ReportWriter.json(out) : ReportWriter.text(out);
    CaptureAnalysis analysis = CaptureAnalysis.withTls(writer, keys);
    ProgressBar bar = ProgressBar.onTerminal(err);
    String error;
    try {
      error = CaptureInput.feed(file, analysis, bar);
    } catch (NoSuchFileException e) {
      err.println("tcplab: no such file: " + file);
      return 1;
    } finally {
      bar.done();
    }
    writer.finish(analysis, error);
    if (error != null) {
      err.println("tcplab: " + error);
      return 1;
    }
    return 0;
  }
}
