package dev.tcplab.capture;

import dev.tcplab.sim.pcap.CaptureReader;
import dev.tcplab.sim.pcap.PcapFormatException;
import java.io.IOException;
import java.nio.file.Path;

/** Reads a capture file (pcap or pcapng, any link type {@link CaptureReader} knows) into an analysis. */
public final class CaptureInput {
  /** Packets between two progress updates. */
  static final int PROGRESS_EVERY = 1 << 16;

  /** Told how far the reading got, now and then. */
  @FunctionalInterface
  public interface Progress {
    void update(long bytesRead, long fileSize, long packets);

    Progress NONE = (b, s, p) -> {};
  }

  private CaptureInput() {}

  /**
   * Hands every record of {@code file} to {@code analysis} and finishes it. A file that breaks off
   * or is damaged after a good header is analysed up to that point.
   *
   * @return null when the file was read to its end, else what broke it, with the packet number
   * @throws IOException if the file cannot be opened or is not a capture at all
   */
  public static String feed(Path file, CaptureAnalysis analysis, Progress progress)
      throws IOException {
    try (CaptureReader r = CaptureReader.open(file)) {
      long n = 0;
      while (r.next()) {
        if (r.ipLength() >= 0) {
          analysis.packet(r.packetNumber(), r.timeNanos(), r.buffer(), r.ipOffset(),
              r.ipLength());
        } else if (r.problem() != null) {
          analysis.problem(r.packetNumber(), r.problem());
        } else {
          analysis.notIp();
        }
        if (++n % PROGRESS_EVERY == 0) progress.update(r.bytesRead(), r.fileSize(), n);
      }
      analysis.finish();
      PcapFormatException e = r.error();
      return e == null ? null : e.getMessage();
    }
  }
}
