package dev.tcplab.sim.pcap;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.Pcaps;
import org.pcap4j.packet.namednumber.DataLinkType;

/**
 * Reads pcap and pcapng capture files through pcap4j and libpcap, with timestamps at nanosecond
 * precision (microsecond files are scaled up). Needs the native libpcap library: without it every
 * method throws {@link PcapUnavailableException}.
 */
public final class PcapReader {
  private static final long NANOS_PER_SECOND = 1_000_000_000L;
  private static final String WHAT = "pcap input";

  private PcapReader() {}

  /**
   * Whether the native libpcap library loads (tests that need it are skipped with a reason, and
   * tools can say so up front, without it).
   */
  public static boolean libpcapAvailable() {
    try {
      Pcaps.libVersion();
      return true;
    } catch (LinkageError e) {
      return false;
    }
  }

  /**
   * Every record of {@code file}, in file order.
   *
   * @throws NoSuchFileException or {@link AccessDeniedException} if the file cannot be opened
   * @throws PcapFormatException naming the file, and the packet number if the file breaks off or is
   *     damaged after a good header
   */
  public static List<PcapRecord> readAll(Path file) throws IOException {
    PcapHandle handle = open(file, WHAT);
    try {
      List<PcapRecord> records = new ArrayList<>();
      while (true) {
        int number = records.size() + 1;
        byte[] data;
        try {
          data = handle.getNextRawPacketEx();
        } catch (EOFException e) {
          return records;
        } catch (PcapNativeException | TimeoutException e) {
          throw new PcapFormatException(file, number, libpcapReason(e));
        }
        Timestamp ts = handle.getTimestamp();
        long timeNanos = Math.floorDiv(ts.getTime(), 1000L) * NANOS_PER_SECOND + ts.getNanos();
        records.add(new PcapRecord(timeNanos, data, handle.getOriginalLength()));
      }
    } catch (NotOpenException e) {
      throw new IllegalStateException(e);
    } catch (LinkageError e) {
      throw Libpcap.unavailable(WHAT, e);
    } finally {
      handle.close();
    }
  }

  /**
   * The link-layer header type of {@code file} as capture files number them (LINKTYPE_ values):
   * {@value PcapWriter#LINKTYPE_RAW} for raw IP, 1 for Ethernet. libpcap reports the platform's
   * DLT_ value, which differs from the file's value for raw IP (DLT_RAW is 12, or 14 on OpenBSD);
   * that one is mapped back.
   */
  public static int dataLinkType(Path file) throws IOException {
    PcapHandle handle = open(file, WHAT);
    try {
      return linkType(handle);
    } finally {
      handle.close();
    }
  }

  /** The link type of an open handle, numbered as in capture files (see {@link #dataLinkType}). */
  static int linkType(PcapHandle handle) {
    DataLinkType dlt = handle.getDlt();
    return dlt.equals(DataLinkType.RAW) ? PcapWriter.LINKTYPE_RAW : dlt.value();
  }

  /**
   * Opens {@code file} with libpcap at nanosecond precision; {@code what} ("pcap input") starts
   * the message when libpcap is missing.
   *
   * @throws NoSuchFileException or {@link AccessDeniedException} if the file cannot be opened
   * @throws PcapFormatException with packet number 0 if it is empty, not a regular file, or not a
   *     pcap or pcapng file libpcap can read
   */
  static PcapHandle open(Path file, String what) throws IOException {
    checkNotNull(file, "file");
    checkArgument(
        file.getFileSystem() == FileSystems.getDefault(),
        "libpcap reads only from the default file system, not %s",
        file);
    Libpcap.require(what);
    if (!Files.exists(file)) throw new NoSuchFileException(file.toString());
    if (!Files.isRegularFile(file)) {
      throw new PcapFormatException(file, 0, "not a regular file");
    }
    if (!Files.isReadable(file)) throw new AccessDeniedException(file.toString());
    if (Files.size(file) == 0) throw new PcapFormatException(file, 0, "the file is empty");
    try {
      // Absolute, so that a file named "-" is not taken for standard input by libpcap.
      return Pcaps.openOffline(
          file.toAbsolutePath().toString(), PcapHandle.TimestampPrecision.NANO);
    } catch (PcapNativeException e) {
      // pcap4j's own words when libpcap lacks the call (before 1.5.1), not a problem of the file.
      if (String.valueOf(e.getMessage()).contains("is not supported by the pcap library")) {
        throw Libpcap.unavailable(what, e);
      }
      throw new PcapFormatException(file, 0, libpcapReason(e));
    } catch (LinkageError e) {
      throw Libpcap.unavailable(what, e);
    }
  }

  /** libpcap's words, without pcap4j's "Error occurred in pcap_next_ex(): " prefix. */
  static String libpcapReason(Exception e) {
    return libpcapReason(e.getMessage());
  }

  /** {@link #libpcapReason(Exception)} for a message. */
  static String libpcapReason(String message) {
    return String.valueOf(message)
        .replaceFirst("^Error occurred in \\w+\\(\\): ", "")
        .strip();
  }
}
