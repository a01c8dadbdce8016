package dev.tcplab.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tcplab} command line. Without a subcommand it runs the demo. */
@Command(
    name = "tcplab",
    mixinStandardHelpOptions = true,
    version = "tcplab 0.1.0",
    description = "See and prove how TCP connections open, carry data and close.",
    subcommands = {
      DemoCommand.class, SimCommand.class, RunCommand.class, ExplainCommand.class,
      AnalyzeCommand.class, ReplayCommand.class
    },
    commandListHeading = "%nCommands:%n")
public final class TcpLab implements Runnable {
  @Override
  public void run() {
    // no subcommand: the demo
    new DemoCommand().call();
  }

  public static void main(String[] args) {
    System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the command line with the given streams; returns the exit code (0 ok, 1 failed, 2 usage). */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new TcpLab());
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
      err.println("tcplab: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
      return 1;
    });
    return cl.execute(args);
  }
}
