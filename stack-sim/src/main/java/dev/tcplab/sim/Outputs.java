package dev.tcplab.sim;

import com.google.common.net.InetAddresses;
import dev.tcplab.sim.pcap.PcapWriter;
import dev.tcplab.sim.trace.LadderDiagram;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The files a run writes: a pcap as seen on one host (raw IP, nanosecond virtual timestamps), the trace
 * as text and as JSON lines, and a ladder diagram (.txt, .svg or .html). Attach before the run, write
 * after it.
 */
public final class Outputs implements AutoCloseable {
  private Path pcap;
  private Path traceText;
  private Path traceJson;
  private Path ladder;
  private PcapWriter writer;

  public Outputs pcap(Path file) {
    this.pcap = file;
    return this;
  }

  public Outputs traceText(Path file) {
    this.traceText = file;
    return this;
  }

  public Outputs traceJson(Path file) {
    this.traceJson = file;
    return this;
  }

  public Outputs ladder(Path file) {
    LadderDiagram.checkFormat(file);
    this.ladder = file;
    return this;
  }

  /** Starts the capture on {@code host}; throws PcapUnavailableException without libpcap. */
  public void attach(Network net, Host host) throws IOException {
    if (pcap == null) return;
    writer = PcapWriter.open(pcap);
    net.capture(host, (t, h, bytes) -> writer.write(t, bytes));
  }

  /** Writes the trace files and the diagram; closes the capture. Returns the files written. */
  public List<Path> write(Network net) throws IOException {
    List<Path> written = new ArrayList<>();
    close();
    if (pcap != null) written.add(pcap);
    if (traceText != null) {
      net.trace().writeText(traceText);
      written.add(traceText);
    }
    if (traceJson != null) {
      net.trace().writeJsonLines(traceJson);
      written.add(traceJson);
    }
    if (ladder != null) {
      ladderDiagram(net).write(ladder);
      written.add(ladder);
    }
    return written;
  }

  /** The ladder diagram of a run, one column per host in the order they were added. */
  public static LadderDiagram ladderDiagram(Network net) {
    List<String> columns = new ArrayList<>();
    Map<String, String> addresses = new LinkedHashMap<>();
    for (Host h : net.hosts()) {
      columns.add(h.name());
      addresses.put(h.name(), InetAddresses.toAddrString(h.address()));
    }
    return new LadderDiagram(net.trace().events(), columns, addresses);
  }

  @Override
  public void close() throws IOException {
    if (writer != null) {
      writer.close();
      writer = null;
    }
  }
}
