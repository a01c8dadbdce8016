package dev.tcplab.cli;

import dev.tcplab.sim.Network;
import dev.tcplab.sim.Outputs;
import dev.tcplab.sim.Topology;
import dev.tcplab.sim.pcap.PcapUnavailableException;
import dev.tcplab.tls.scenario.TlsTransfer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Runs the TLS experiment with its outputs: pcap, traces, ladder and the NSS key log. */
final class TlsRuns {
  private TlsRuns() {}

  static TlsTransfer.Result run(
      TlsTransfer t, Outputs outputs, Path keyLog, PrintWriter out, PrintWriter err,
      boolean pcapOptional) {
    Network net = t.network();
    try {
      outputs.attach(net, net.host(Topology.CLIENT));
    } catch (PcapUnavailableException e) {
      if (!pcapOptional) throw e;
      err.println("pcap skipped: " + e.getMessage());
      outputs.pcap(null);
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
    TlsTransfer.Result r = t.run(net);
    try {
      for (Path p : outputs.write(net)) out.println("wrote " + p);
      if (keyLog != null) {
        r.keyLog().write(keyLog);
        out.println("wrote " + keyLog + " (NSS key log: tshark -o tls.keylog_file:" + keyLog + ")");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing the outputs: " + e.getMessage(), e);
    }
    return r;
  }
}
