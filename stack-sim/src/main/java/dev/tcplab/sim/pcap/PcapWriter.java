package dev.tcplab.sim.pcap;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import java.io.IOException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * <p>Speed: pcap4j opens, flushes and closes the file, but each record goes straight to libpcap's
 * {@code pcap_dump} through {@code LibpcapDirect} (one JNI call with the header and packet in a
 * reused direct buffer, tens of nanoseconds) instead of pcap4j's {@code dumpRaw} (about 10 µs of
 * JNA structure marshalling). The bytes in the file are the same either way: libpcap writes them.
 * Where the direct call cannot be bound (another pcap4j version, a 32-bit JVM) the writer uses
 * {@code dumpRaw} and says why once, through {@link System.Logger} at WARNING.
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

  /**
   * libpcap's stdio buffer on the fast path: 1 MiB, one {@code write(2)} per ~700 full-size
   * packets instead of one per two or three with the default 4 KiB.
   */
  private static final int STDIO_BUFFER = 1 << 20;

  private static final AtomicBoolean SLOW_PATH_REPORTED = new AtomicBoolean();

  private final Path file;
  private final PcapHandle handle;
  private final PcapDumper dumper;

  /**
   * The {@code pcap_dumper_t *} for {@link LibpcapDirect#pcap_dump}, or 0 to go through pcap4j's
   * {@code dumpRaw}.
   */
  private final long nativeDumper;

  /** {@code struct pcap_pkthdr} followed by the packet; null on the slow path. */
  private final ByteBuffer record;

  private final long recordAddress;

  /** The stdio buffer libpcap writes into (see {@code LibpcapDirect#setBuffer}); kept alive here. */
  private final ByteBuffer stdioBuffer;

  /** Bytes handed to libpcap: the file header and every record with its header. */
  private long bytes = FILE_HEADER_LENGTH;

  private boolean closed;

  /** A write error met before {@link #close}, reported there; null if none. */
  private String earlyWriteError;

  private PcapWriter(Path file, PcapHandle handle, PcapDumper dumper, boolean direct) {
    this.file = file;
    this.handle = handle;
    this.dumper = dumper;
    if (!direct) {
      nativeDumper = 0;
      record = null;
      recordAddress = 0;
      stdioBuffer = null;
    } else if (LibpcapDirect.problem() == null) {
      nativeDumper = LibpcapDirect.address(dumper);
      record =
          ByteBuffer.allocateDirect(LibpcapDirect.PKTHDR_SIZE + SNAPLEN)
              .order(ByteOrder.nativeOrder());
      recordAddress = LibpcapDirect.address(record);
      stdioBuffer = enlargeStdioBuffer(nativeDumper);
    } else {
      nativeDumper = 0;
      record = null;
      recordAddress = 0;
      stdioBuffer = null;
      if (SLOW_PATH_REPORTED.compareAndSet(false, true)) {
        System.getLogger(PcapWriter.class.getName())
            .log(
                System.Logger.Level.WARNING,
                "pcap output goes through pcap4j's dumpRaw, about 10 µs per packet, because the"
                    + " direct libpcap call is unavailable: "
                    + LibpcapDirect.problem());
      }
    }
  }

  /**
   * Creates (or truncates) {@code file} and writes the pcap file header.
   *
   * @throws IOException naming the file if it cannot be created
   * @throws PcapUnavailableException if the native libpcap library is missing
   */
  public static PcapWriter open(Path file) throws IOException {
    return open(file, true);
  }

  /** {@link #open(Path)}; {@code direct} false always goes through pcap4j's {@code dumpRaw}. */
  static PcapWriter open(Path file, boolean direct) throws IOException {
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
      return new PcapWriter(file, handle, handle.dumpOpen(path), direct);
    } catch (PcapNativeException | NotOpenException e) {
      handle.close();
      throw new IOException("cannot create pcap file " + file + ": " + reason(e, path), e);
    } catch (LinkageError e) {
      handle.close();
      throw Libpcap.unavailable(WHAT, e);
    }
  }

  /**
   * Flushes the file header out of libpcap's stdio buffer and replaces that buffer with a larger
   * one; null (nothing changed) if the C library's {@code setvbuf} is not usable or the flush
   * fails. A failed flush is kept for {@link #close} to report, like any other write error (stdio
   * drops what it could not write, so a later flush would not notice).
   */
  private ByteBuffer enlargeStdioBuffer(long nativeDumper) {
    try {
      dumper.flush();
    } catch (PcapNativeException | NotOpenException e) {
      earlyWriteError = reason(e, file.toAbsolutePath().toString());
      return null;
    }
    ByteBuffer buffer = ByteBuffer.allocateDirect(STDIO_BUFFER);
    return LibpcapDirect.setBuffer(nativeDumper, buffer) ? buffer : null;
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
    long seconds = virtualTimeNanos / NANOS_PER_SECOND;
    int nanos = (int) (virtualTimeNanos % NANOS_PER_SECOND);
    if (nativeDumper != 0) {
      // What dumpRaw puts in its Structure: tv_sec, tv_usec (nanoseconds at NANO precision),
      // caplen = len = the packet's length.
      ByteBuffer r = record;
      if (LibpcapDirect.C_LONG == 8) {
        r.putLong(LibpcapDirect.TV_SEC, seconds).putLong(LibpcapDirect.TV_USEC, nanos);
      } else {
        r.putInt(LibpcapDirect.TV_SEC, (int) seconds).putInt(LibpcapDirect.TV_USEC, nanos);
      }
      r.putInt(LibpcapDirect.CAPLEN, packet.length).putInt(LibpcapDirect.LEN, packet.length);
      r.put(LibpcapDirect.PKTHDR_SIZE, packet);
      LibpcapDirect.pcap_dump(
          nativeDumper, recordAddress, recordAddress + LibpcapDirect.PKTHDR_SIZE);
      // C holds only addresses: keep the buffer (freed by its Cleaner) alive across the call.
      Reference.reachabilityFence(r);
      bytes += RECORD_HEADER_LENGTH + packet.length;
      return;
    }
    // pcap4j writes tv_sec = getTime() / 1000 and, at nanosecond precision, tv_usec = getNanos().
    Timestamp ts = new Timestamp(seconds * 1000L);
    ts.setNanos(nanos);
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
      Reference.reachabilityFence(stdioBuffer); // fclose still writes from it
    }
    if (earlyWriteError != null) {
      throw new IOException("cannot write pcap file " + file + ": " + earlyWriteError);
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
