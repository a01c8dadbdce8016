package dev.tcplab.cli;

import dev.tcplab.script.ScriptRunner;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tcplab explain FILE}: the run of a script as a narrated ladder diagram. */
@Command(
    name = "explain",
    mixinStandardHelpOptions = true,
    description = {
      "Runs one packetdrill script and prints it as a ladder diagram: each segment between the stack",
      "and the script's peer, each state change with the RFC 9293 arc that caused it, each stack",
      "decision (challenge ACK, RTO, fast retransmit) and each system call."
    })
final class ExplainCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "The script (.pkt).")
  Path file;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    ScriptRunner.Outcome o = RunCommand.runOne(new ScriptRunner(), file, out);
    if (o == null) {
      out.flush();
      return 1;
    }
    out.println(RunCommand.diagram(o).toText(150));
    out.flush();
    return o.passed() ? 0 : 1;
  }
}
