package dev.tcplab.cli;

import dev.tcplab.capture.CaptureAnalysis;
import dev.tcplab.capture.CaptureInput;
import dev.tcplab.capture.Replay;
import dev.tcplab.capture.Side;
import dev.tcplab.core.tcp.Profile;
import dev.tcplab.script.ScriptRunner;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tcplab replay FILE --side client|server}: one side of a capture against TcpLab's stack. */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {
      "Plays one side of a captured TCP connection with TcpLab's stack: the other side's packets are",
      "injected (sequence numbers mapped onto the stack's ISN), the recorded side's packets are",
      "expected from the stack, and its application calls are inferred (connect/accept, a write",
      "of what it sent, reads of what it received, close, shutdown(SHUT_WR) when the peer sent",
      "after its FIN, SO_LINGER 0 abort when it reset). The first difference is reported with the",
      "script line: what the recorded side sent and what the stack sent. The stack takes the",
      "recorded side's MSS, window scale and options. --to-script prints the packetdrill script",
      "instead, for you to edit and run with tcplab run.",
      "Exit status: 0 the stack behaved as recorded, 1 it differed (or the file is unusable), 2 usage."
    })
final class ReplayCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "The capture file.")
  Path file;

  @Option(names = "--side", paramLabel = "SIDE",
      description = "The side TcpLab plays: client or server (default: ${DEFAULT-VALUE}).")
  String side = "server";

  @Option(names = "--connection", paramLabel = "N",
      description = "The connection's number in tcplab analyze (default: the first with a SYN).")
  int connection;

  @Option(names = "--to-script", description = "Print the script instead of running it.")
  boolean toScript;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE",
      description = "With --to-script: write the script to FILE.")
  Path output;

  @Mixin StackOptions stack;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Side s;
    Profile p = stack.profile();
    try {
      s = switch (side) {
        case "client" -> Side.CLIENT;
        case "server" -> Side.SERVER;
        default -> throw new IllegalArgumentException(
            "--side must be client or server, not '" + side + "'");
      };
      if (connection < 0) throw new IllegalArgumentException("--connection must be 1 or more");
      if (output != null && !toScript) {
        throw new IllegalArgumentException("--output goes with --to-script");
      }
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    Replay replay = new Replay(connection);
    CaptureAnalysis analysis = CaptureAnalysis.tcpOnly(r -> {});
    replay.attach(analysis);
    String error;
    try {
      error = CaptureInput.feed(file, analysis, CaptureInput.Progress.NONE);
    } catch (NoSuchFileException e) {
      err.println("tcplab: no such file: " + file);
      return 1;
    }
    if (error != null) err.println("tcplab: " + error + " (replaying what came before)");
    if (replay.truncatedAt() >= 0) {
      err.println("tcplab: the connection is longer than " + Replay.MAX_SEGMENTS
          + " packets; replaying up to packet " + replay.truncatedAt());
    }
    String source = file.getFileName().toString();
    try {
      if (toScript) {
        String script = replay.script(s, source);
        if (output == null) {
          out.print(script);
        } else {
          Files.writeString(output, script, StandardCharsets.UTF_8);
          out.println("wrote " + output);
        }
        out.flush();
        return 0;
      }
      ScriptRunner.Outcome o = replay.run(s, source, p, stack.tolerance);
      out.println(o.passed()
          ? "SAME " + replay.connectionName() + ": TcpLab's stack as the " + s.label()
              + " sent what the recorded " + s.label() + " sent"
          : "DIFFERENT " + o.failure());
      for (String w : o.warnings()) out.println("  warning: " + w);
      out.flush();
      return o.passed() ? 0 : 1;
    } catch (IllegalArgumentException e) {
      err.println("tcplab: " + e.getMessage());
      return 1;
    }
  }
}
