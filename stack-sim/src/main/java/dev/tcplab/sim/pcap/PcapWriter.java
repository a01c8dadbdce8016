package dev.tcplab.sim.pcap;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapDumper;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.Pcaps;
import org.pcap4j.packet.namednumber.DataLinkType;

/**
 * Writes a classic pcap file of raw IP packets (link type {@value #LINKTYPE_RAW}, LINKTYPE_RAW)
 * with nanosecond timestamps (magic {@code 0xa1b23c4d}) through pcap4j and libpcap.
 *
 * <p>The timestamps are virtual time since the simulation's origin, so a capture starts at
 * 1970-01-01 00:00:00 UTC in Wireshark. The file depends only on the packets and their times: the
 * header holds no wall-clock time (time zone and accuracy fields are 0) and every record is written
 * with captured length = original length. Byte order is the machine's, as with every libpcap
 * writer, so files are identical across runs on machines of the same endianness.
 *
 * <p>Not thread-safe. Needs the native libpcap library: without it {@link #open} throws {@link
 * PcapUnavailableException}.
 */
public final class PcapWriter implements AutoCloseable {
  /** LINKTYPE_RAW: each record is an IPv4 or IPv6 packet with no link-layer header. */
  public static final int LINKTYPE_RAW = 101;

  /** The snapshot length in the file header, and the longest packet {@link #write} accepts. */
  public static final int SNAPLEN = 65535;

  /** The latest virtual time that fits: libpcap reads the seconds field back as a signed int. */
  public static final long MAX_TIME_NANOS = Integer.MAX_VALUE * 1_000_000_000L + 999_999_999L;

  private static final long NANOS_PER_SECOND = 1_000_000_000L;
  private static final String WHAT = "pcap output";
  private static final int FILE_HEADER_LENGTH = 24;
  private static final int RECORD_HEADER_LENGTH = 16;

  private final Path file;
  private final PcapHandle handle;
  private final PcapDumper dumper;

  /** Bytes handed to libpcap: the file header and every record with its header. */
  private long bytes = FILE_HEADER_LENGTH;

  private boolean closed;

  private PcapWriter(Path file, PcapHandle handle, PcapDumper dumper) {
    this.file = file;
    this.handle = handle;
    this.dumper = dumper;
  }

  /**
   * Creates (or truncates) {@code file} and writes the pcap file header.
   *
   * @throws IOException naming the file if it cannot be created
   * @throws PcapUnavailableException if the native libpcap library is missing
   */
  public static PcapWriter open(Path file) throws IOException {
    checkNotNull(file, "file");
    checkArgument(
        file.getFileSystem() == FileSystems.getDefault(),
        "libpcap writes only to the default file system, not %s",
        file);
    // Absolute, so that a file named "-" is not taken for standard output by libpcap.
    String path = file.toAbsolutePath().toString();
    Libpcap.require(WHAT);
    PcapHandle handle;
    try {
      handle = Pcaps.openDead(DataLinkType.RAW, SNAPLEN, PcapHandle.TimestampPrecision.NANO);
    } catch (PcapNativeException | LinkageError e) {
      // pcap4j's own words when libpcap lacks pcap_open_dead_with_tstamp_precision (before 1.5.1).
      throw Libpcap.unavailable(WHAT, e);
    }
    try {
      return new PcapWriter(file, handle, handle.dumpOpen(path));
    } catch (PcapNativeException | NotOpenException e) {
      handle.close();
      throw new IOException("cannot create pcap file " + file + ": " + reason(e, path), e);
    } catch (LinkageError e) {
      handle.close();
      throw Libpcap.unavailable(WHAT, e);
    }
  }

  /** The file being written. */
  public Path file() {
    return file;
  }

  /**
   * Appends one record.
   *
   * @param virtualTimeNanos nanoseconds since the simulation's origin, from 0 to {@link
   *     #MAX_TIME_NANOS}
   * @param packet the IPv4 or IPv6 packet, 1 to {@value #SNAPLEN} bytes
   */
  public void write(long virtualTimeNanos, byte[] packet) {
    checkArgument(
        virtualTimeNanos >= 0 && virtualTimeNanos <= MAX_TIME_NANOS,
        "Virtual time out of range for pcap: %s ns",
        virtualTimeNanos);
    checkNotNull(packet, "packet");
    checkArgument(
        packet.length > 0 && packet.length <= SNAPLEN,
        "Packet length %s not in [1, %s]",
        packet.length,
        SNAPLEN);
    checkState(!closed, "%s is closed", file);
    // pcap4j writes tv_sec = getTime() / 1000 and, at nanosecond precision, tv_usec = getNanos().
    Timestamp ts = new Timestamp(virtualTimeNanos / NANOS_PER_SECOND * 1000L);
    ts.setNanos((int) (virtualTimeNanos % NANOS_PER_SECOND));
    try {
      dumper.dumpRaw(packet, ts);
      bytes += RECORD_HEADER_LENGTH + packet.length;
    } catch (NotOpenException e) {
      throw new IllegalStateException(file + " is closed", e);
    }
  }

  /**
   * Flushes and closes the file. Write errors (a full disk) surface here, since libpcap's buffered
   * record writes do not report them. Closing twice does nothing.
   *
   * @throws IOException naming the file if the buffered records could not be written
   */
  @Override
  public void close() throws IOException {
    if (closed) return;
    closed = true;
    try {
      dumper.flush();
    } catch (PcapNativeException | NotOpenException e) {
      String path = file.toAbsolutePath().toString();
      throw new IOException("cannot write pcap file " + file + ": " + reason(e, path), e);
    } finally {
      dumper.close();
      handle.close();
    }
    // fflush reports only the last failure: a write that failed while the buffer was emptied
    // earlier is lost, so check that every byte reached the file.
    if (Files.isRegularFile(file) && Files.size(file) != bytes) {
      throw new IOException(
          String.format(
              "cannot write pcap file %s: it has %d bytes, %d were written (disk full?)",
              file, Files.size(file), bytes));
    }
  }

  /** libpcap's words ("/abs/path: Permission denied"), without the path it repeats. */
  private static String reason(Exception e, String path) {
    String m = String.valueOf(e.getMessage()).strip();
    return m.startsWith(path + ": ") ? m.substring(path.length() + 2) : m;
  }
}
