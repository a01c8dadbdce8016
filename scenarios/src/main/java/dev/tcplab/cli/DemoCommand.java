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
import picocli.CommandLine.Spec;

/** {@code tcplab demo}: a simulated transfer with loss and a graceful close, with pcap, trace and diagram. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Runs a 20 kB transfer over a 10 ms, 10 Mbit/s link that loses 3%% of packets, ended by a graceful",
      "close, prints the ladder diagram and writes a pcap, the trace (text and JSON lines) and an HTML",
      "ladder diagram."
    })
final class DemoCommand implements Callable<Integer> {
  static final long MS = 1_000_000L;

  @Spec CommandSpec spec;

  @Option(names = "--out", description = "Directory for the files (default: ${DEFAULT-VALUE}).")
  Path out = Path.of("tcplab-demo");

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
      Files.createDirectories(out);
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot create " + out + ": " + ex.getMessage(), ex);
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

}
