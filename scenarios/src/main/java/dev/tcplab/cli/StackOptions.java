package dev.tcplab.cli;

import dev.tcplab.core.tcp.Profile;
import dev.tcplab.script.ScriptRunner;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The options of the commands that run a script against the stack: its profile and tolerance. */
final class StackOptions {
  @Spec(Spec.Target.MIXEE) CommandSpec spec;

  @Option(names = "--profile", paramLabel = "NAME",
      description = "Stack profile: linux or rfc9293 (default: ${DEFAULT-VALUE}).")
  String profile = "linux";

  @Option(names = "--tolerance", converter = Units.Duration.class, paramLabel = "TIME",
      description = "How far from the scripted time an outbound packet may leave (default: 4ms,"
          + " as packetdrill).")
  long tolerance = ScriptRunner.DEFAULT_TOLERANCE_NANOS;

  /** The profile named, or a usage error. */
  Profile profile() {
    try {
      return Profile.named(profile);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }
}
