package dev.tcplab.cli;

import dev.tcplab.core.tcp.Profile;
import dev.tcplab.core.tcp.TcpStack;
import dev.tcplab.sim.LinkConfig;
import dev.tcplab.sim.LossModel;
import dev.tcplab.sim.Outputs;
import dev.tcplab.sim.app.CloseMode;
import dev.tcplab.sim.app.Transfer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import dev.tcplab.tls.RstPolicy;
import dev.tcplab.tls.TlsVersion;
import dev.tcplab.tls.scenario.TlsTransfer;
import picocli.CommandLine.Spec;

/** {@code tcplab demo}: a simulated transfer with loss and a graceful close, with pcap, trace and diagram. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "transfer (default): a 20 kB transfer over a 10 ms, 10 Mbit/s link that loses 3%% of packets,",
      "  ended by a graceful close; prints the ladder diagram and writes a pcap, the trace (text and",
      "  JSON lines) and an HTML ladder diagram.",
      "ph01192: a TLS server writes 150 kB, sends close_notify and aborts at once, once under each RST",
      "  policy (IMMEDIATE, the behaviour before IBM's fix; DEFER_UNTIL_DELIVERED, the fix); prints one",
      "  line each and writes pcaps with NSS key logs so tshark shows the close_notify (or its absence)."
    })
final class DemoCommand implements Callable<Integer> {
  static final long MS = 1_000_000L;

  @Spec CommandSpec spec;

  @Parameters(arity = "0..1", paramLabel = "NAME",
      description = "transfer (default) or ph01192.")
  String name = "transfer";

  @Option(names = "--out", description = "Directory for the files (default: ${DEFAULT-VALUE}).")
  Path out = Path.of("tcplab-demo");

  @Option(names = "--tls", paramLabel = "VERSION",
      description = "TLS version of the ph01192 demo: 1.2 or 1.3 (default: 1.3).")
  String tls = "1.3";

  /** The demo's transfer: fixed, so every run is the same. */
  static Transfer transfer() {
    LinkConfig link = LinkConfig.builder()
        .delay(10 * MS)
        .bandwidth(10_000_000)
        .loss(new LossModel.Bernoulli(0.03))
        .build();
    return new Transfer(7, link, Profile.LINUX, TcpStack.CongestionAlgorithm.NEWRENO, 20_000,
        CloseMode.CLOSE, -1, CloseMode.CLOSE, -1, true, 0, 600_000 * MS);
  }

  @Override
  public Integer call() {
    PrintWriter o = spec == null ? new PrintWriter(System.out, true) : spec.commandLine().getOut();
    PrintWriter e = spec == null ? new PrintWriter(System.err, true) : spec.commandLine().getErr();
    try {
      Files.createDirectories(out); // both demos write here
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot create " + out + ": " + ex.getMessage(), ex);
    }
    if (name.equals("ph01192")) return ph01192(o, e);
    if (!name.equals("transfer")) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "unknown demo '" + name + "': use transfer or ph01192");
    }
    Transfer t = transfer();
    Outputs outputs = new Outputs()
        .pcap(out.resolve("demo.pcap"))
        .traceText(out.resolve("demo.trace.txt"))
        .traceJson(out.resolve("demo.trace.jsonl"))
        .ladder(out.resolve("demo.ladder.html"));
    o.println("TcpLab demo: client sends 20 000 bytes to server over a 10 ms, 10 Mbit/s link with 3%"
        + " random loss (seed 7), then both close.");
    o.println();
    Transfer.Result r = SimCommand.runWith(t, outputs, o, e, true, false);
    o.println(Outputs.ladderDiagram(r.network()).toText(140));
    o.print(r.summary());
    o.flush();
    return 0;
  }


  private Integer ph01192(PrintWriter o, PrintWriter e) {
    TlsVersion version = SimCommand.tlsVersion(spec, tls);
    o.println("PH01192 demo: a TLS " + version + " server writes 150 000 bytes, sends close_notify and"
        + " aborts at once; 10 ms, 10 Mbit/s link.");
    o.println();
    StringBuilder lines = new StringBuilder();
    for (RstPolicy p : RstPolicy.values()) {
      String stem = "ph01192-" + (p == RstPolicy.IMMEDIATE ? "immediate" : "defer");
      TlsTransfer t = TlsTransfer.ph01192(p).withVersion(version);
      Outputs outputs = new Outputs()
          .pcap(out.resolve(stem + ".pcap"))
          .traceText(out.resolve(stem + ".trace.txt"))
          .ladder(out.resolve(stem + ".ladder.html"));
      TlsTransfer.Result r = Runs.run(t, outputs, out.resolve(stem + ".keys"), o, e, true);
      lines.append(r.outcome()).append(System.lineSeparator());
    }
    o.println();
    o.print(lines);
    o.println();
    o.println("See the close_notify alert (present with DEFER_UNTIL_DELIVERED, missing with IMMEDIATE):");
    o.println("  tshark -r " + out.resolve("ph01192-defer.pcap") + " -o tls.keylog_file:"
        + out.resolve("ph01192-defer.keys") + " -Y tls.alert_message");
    o.flush();
    return 0;
  }
}
