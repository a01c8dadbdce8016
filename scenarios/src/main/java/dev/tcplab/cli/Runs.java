package dev.tcplab.cli;

import dev.tcplab.sim.Network;
import dev.tcplab.sim.Outputs;
import dev.tcplab.sim.Topology;
import dev.tcplab.sim.pcap.PcapUnavailableException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * Runs an experiment on its network with the outputs attached: the pcap on the client (skipped with one
 * line when libpcap is missing and the pcap is optional), then the files written and listed.
 */
final class Runs {
  private Runs() {}

  static <R> R run(
      Network net, Function<Network, R> experiment, Outputs outputs, PrintWriter out,
      PrintWriter err, boolean pcapOptional) {
    try {
      outputs.attach(net, net.host(Topology.CLIENT));
    } catch (PcapUnavailableException e) {
      if (!pcapOptional) throw e;
      err.println("pcap skipped: " + e.getMessage());
      outputs.pcap(null);
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
    R r = experiment.apply(net);
    try {
      for (Path p : outputs.write(net)) out.println("wrote " + p);
    } catch (IOException e) {
      throw new UncheckedIOException("writing the outputs: " + e.getMessage(), e);
    }
    return r;
  }

  /** The TLS experiment, plus its NSS key log. */
  static dev.tcplab.tls.scenario.TlsTransfer.Result run(
      dev.tcplab.tls.scenario.TlsTransfer t, Outputs outputs, Path keyLog, PrintWriter out,
      PrintWriter err, boolean pcapOptional) {
    var r = run(t.network(), t::run, outputs, out, err, pcapOptional);
    if (keyLog != null) {
      try {
        r.keyLog().write(keyLog);
      } catch (IOException e) {
        throw new UncheckedIOException("writing " + keyLog + ": " + e.getMessage(), e);
      }
      out.println("wrote " + keyLog + " (NSS key log: tshark -o tls.keylog_file:" + keyLog + ")");
    }
    return r;
  }
}
