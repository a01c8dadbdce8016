package dev.tcplab.sim.pcap;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A capture file that is not a pcap/pcapng file, or that breaks off or is damaged at some packet.
 * The message names the file and, for a damaged packet, its 1-based number.
 */
public final class PcapFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final long packetNumber;

  PcapFormatException(Path file, long packetNumber, String problem) {
    super(message(file, packetNumber, problem));
    checkArgument(packetNumber >= 0, "Negative packet number: %s", packetNumber);
    this.file = file;
    this.packetNumber = packetNumber;
  }

  private static String message(Path file, long packetNumber, String problem) {
    checkNotNull(file);
    return packetNumber == 0
        ? String.format("%s: not a readable pcap or pcapng file: %s", file, problem)
        : String.format("%s: packet %d is truncated or damaged: %s", file, packetNumber, problem);
  }

  /** The capture file. */
  public Path file() {
    return file;
  }

  /** The 1-based number of the packet where reading broke, or 0 when the file header is bad. */
  public long packetNumber() {
    return packetNumber;
  }
}
