package dev.tcplab.cli;

import dev.tcplab.core.tcp.Profile;
import dev.tcplab.core.wire.IpPacketCodec;
import dev.tcplab.script.ScriptRunner;
import dev.tcplab.script.ScriptSyntaxException;
import dev.tcplab.sim.pcap.PcapWriter;
import dev.tcplab.sim.trace.LadderDiagram;
import dev.tcplab.sim.trace.TraceEvent;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code tcplab run FILE...}: packetdrill scripts against the stack; exit 0 only if all pass. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Runs packetdrill-syntax scripts against TcpLab's stack (Linux profile), in virtual time.",
      "Prints PASS or FAIL per script with a mismatch report; exit code 0 only if all pass."
    })
final class RunCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "Script files (.pkt).")
  List<Path> files = new ArrayList<>();

  @Mixin StackOptions stack;

  @Option(names = "--trace", paramLabel = "FILE",
      description = "Write the trace of the (last) script as text lines.")
  Path trace;

  @Option(names = "--pcap", paramLabel = "FILE", description = "Write the (last) script's packets.")
  Path pcap;

  @Option(names = "--ladder", paramLabel = "FILE",
      description = "Write the (last) script's ladder diagram: FILE.txt, FILE.svg or FILE.html.")
  Path ladder;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    Profile p = stack.profile();
    try {
      if (ladder != null) LadderDiagram.checkFormat(ladder);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    ScriptRunner runner = new ScriptRunner(p, stack.tolerance);
    long started = System.nanoTime(); // wall time of the run, for the report only
    int failed = 0;
    ScriptRunner.Outcome last = null;
    for (Path f : files) {
      ScriptRunner.Outcome o = runOne(runner, f, out);
      if (o == null || !o.passed()) failed++;
      if (o != null) last = o;
    }
    if (last != null) writeOutputs(last, out);
    double seconds = (System.nanoTime() - started) / 1e9;
    out.println(String.format("%d passed, %d failed", files.size() - failed, failed));
    out.println(String.format(java.util.Locale.ROOT, "ran %d scripts in %.2f s of wall time (%.0f scripts/s)",
        files.size(), seconds, files.size() / Math.max(seconds, 1e-9)));
    out.flush();
    return failed == 0 ? 0 : 1;
  }

  static ScriptRunner.Outcome runOne(ScriptRunner runner, Path f, PrintWriter out) {
    try {
      ScriptRunner.Outcome o = runner.runFile(f);
      out.println(o.summary());
      for (String w : o.warnings()) out.println("  warning: " + w);
      return o;
    } catch (NoSuchFileException e) {
      out.println("FAIL " + f + ": no such file");
    } catch (IOException e) {
      out.println("FAIL " + f + ": cannot read: " + e.getMessage());
    } catch (ScriptSyntaxException e) {
      out.println("FAIL " + e.getMessage());
    }
    return null;
  }

  private void writeOutputs(ScriptRunner.Outcome o, PrintWriter out) throws IOException {
    if (trace != null) {
      o.trace().writeText(trace);
      out.println("wrote " + trace);
    }
    if (ladder != null) {
      diagram(o).write(ladder);
      out.println("wrote " + ladder);
    }
    if (pcap != null) {
      try (PcapWriter w = PcapWriter.open(pcap)) {
        for (TraceEvent e : o.trace().events()) {
          if (e.kind() != TraceEvent.Kind.SENT) continue;
          w.write(e.timeNanos(), IpPacketCodec.encode(InetAddress.getByName(e.src()),
              InetAddress.getByName(e.dst()), 64, (int) e.packet() & 0xffff, e.segment()));
        }
      }
      out.println("wrote " + pcap);
    }
  }

  static LadderDiagram diagram(ScriptRunner.Outcome o) {
    return new LadderDiagram(o.trace().events(), List.copyOf(ScriptRunner.columns().keySet()),
        ScriptRunner.columns()).withTitle(o.path());
  }
}
