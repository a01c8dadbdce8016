package dev.tcplab.sim.pcap;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Arrays;

/**
 * One packet record of a capture file.
 *
 * @param timeNanos the timestamp in nanoseconds since the epoch of the file's clock; for files
 *     written by {@link PcapWriter} that is the virtual time since the simulation's origin
 * @param data the captured bytes (for a raw-IP file, the IP packet); a copy is kept and handed out
 * @param originalLength the packet's length on the wire, at least {@code data.length}
 */
public record PcapRecord(long timeNanos, byte[] data, int originalLength) {
  public PcapRecord {
    data = checkNotNull(data, "data").clone();
    checkArgument(
        originalLength >= data.length,
        "Original length %s is less than the %s captured bytes",
        originalLength,
        data.length);
  }

  /** A copy of the captured bytes. */
  @Override
  public byte[] data() {
    return data.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PcapRecord r
        && timeNanos == r.timeNanos
        && originalLength == r.originalLength
        && Arrays.equals(data, r.data);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Long.hashCode(timeNanos) + Arrays.hashCode(data)) + originalLength;
  }

  @Override
  public String toString() {
    return String.format(
        "PcapRecord[timeNanos=%d, %d bytes captured of %d]",
        timeNanos, data.length, originalLength);
  }
}
