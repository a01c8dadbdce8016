package dev.tcplab.sim.pcap;

import java.io.EOFException;
import java.io.IOException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.concurrent.TimeoutException;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;

/**
 * Streams the records of a real-world capture file — classic pcap or pcapng, read by libpcap
 * through pcap4j — and finds the IPv4 or IPv6 packet in each, for analysis of large files.
 *
 * <pre>{@code
 * try (CaptureReader r = CaptureReader.open(file)) {
 *   while (r.next()) {
 *     if (r.ipLength() >= 0) analyse(r.buffer(), r.ipOffset(), r.ipLength(), r.timeNanos());
 *   }
 *   if (r.error() != null) report(r.error()); // names the file and the packet
 * }
 * }</pre>
 *
 * <p><b>Link types</b> (numbered as in capture files): 1 Ethernet with any number of 802.1Q /
 * 802.1ad / 0x9100 VLAN tags, 113 Linux cooked (SLL), 276 Linux cooked v2 (SLL2), 101 raw IP (and
 * 12, 14: DLT_RAW on Linux and OpenBSD, reported as 101), 0 BSD loopback (either byte order) and
 * 108 OpenBSD loopback. A pcapng file may hold several interfaces as long as they share one link
 * type (a libpcap rule: a different one is an error at the packet where its interface appears).
 *
 * <p><b>Speed and memory</b>: pcap4j opens and closes the file, and libpcap reads every record
 * (format, byte order, pcapng blocks, timestamp resolution), but each record is fetched with one
 * direct JNI call to {@code pcap_next_ex} ({@code LibpcapDirect}) and its bytes are copied once into
 * a reused array, and libpcap's stream reads through a 1 MiB buffer instead of 4 KiB; pcap4j's
 * own per-packet path (JNA structures, a new array per packet) and parser are far too slow for
 * million-packet files. The link header is decoded here, the IP and TCP headers are the caller's
 * (with the project's own codec). Nothing is kept per record: memory does not grow with the file.
 * Where the direct call cannot be bound (another pcap4j version, a 32-bit JVM) records come through
 * pcap4j's {@code getNextRawPacketEx}, with the same results, only slower.
 *
 * <p><b>Damage</b>: bad packet contents never stop reading — a record without an IP packet (ARP,
 * other ethertypes, a link header cut short by the snapshot length) has {@link #ipLength()} -1 and
 * a {@link #problem()}. A file that breaks off or has a damaged record header ends the records
 * there: {@link #next()} returns false and {@link #error()} names the file and the packet; every
 * record before it has been delivered. (libpcap cannot resynchronise after a bad record header,
 * so nothing after it is read.)
 *
 * <p>Not thread-safe. Needs the native libpcap library: without it {@link #open} throws {@link
 * PcapUnavailableException}.
 */
public final class CaptureReader implements AutoCloseable {
  /** Link type 1: Ethernet (with VLAN tags). */
  public static final int LINKTYPE_ETHERNET = LinkLayer.ETHERNET;

  /** Link type 101: raw IPv4/IPv6, also for files with DLT_RAW's 12 or 14. */
  public static final int LINKTYPE_RAW = LinkLayer.RAW;

  /** Link type 113: Linux cooked capture (SLL). */
  public static final int LINKTYPE_LINUX_SLL = LinkLayer.LINUX_SLL;

  /** Link type 276: Linux cooked capture v2 (SLL2). */
  public static final int LINKTYPE_LINUX_SLL2 = LinkLayer.LINUX_SLL2;

  /** Link type 0: BSD loopback (NULL). */
  public static final int LINKTYPE_NULL = LinkLayer.NULL;

  /** Link type 108: OpenBSD loopback (LOOP). */
  public static final int LINKTYPE_LOOP = LinkLayer.LOOP;

  private static final String WHAT = "pcap input";
  private static final long NANOS_PER_SECOND = 1_000_000_000L;
  private static final int FILE_HEADER = 24;
  private static final int RECORD_HEADER = 16;

  /**
   * libpcap's input buffer on the fast path: 1 MiB, one {@code read(2)} per ~1000 average records
   * instead of one per few with the default 4 KiB.
   */
  private static final int STDIO_BUFFER = 1 << 20;

  private final Path file;
  private final PcapHandle handle;
  private final LinkLayer link;
  private final long fileSize;

  /** The {@code pcap_t *} for {@link LibpcapDirect#pcap_next_ex}; 0 on pcap4j's path. */
  private final long pcap;

  /** pcap_next_ex's two out-parameters: the header and the data pointer. */
  private final ByteBuffer out;

  private final long outAddress;

  /** libpcap's stdio input buffer (see {@code LibpcapDirect#setReadBuffer}); kept alive here. */
  private ByteBuffer stdioBuffer;

  /** libpcap's header and data: views of its memory, kept while their addresses repeat. */
  private ByteBuffer header;

  private long headerAddress;
  private ByteBuffer data;
  private long dataAddress;

  private byte[] buffer = new byte[2048];
  private long number;
  private long timeNanos;
  private int capturedLength;
  private int originalLength;
  private long bytesRead = FILE_HEADER;
  private boolean ended;
  private boolean closed;
  private PcapFormatException error;

  private CaptureReader(
      Path file, PcapHandle handle, int linkType, long fileSize, boolean direct) {
    this.file = file;
    this.handle = handle;
    this.link = new LinkLayer(linkType);
    this.fileSize = fileSize;
    if (direct && LibpcapDirect.problem() == null) {
      pcap = LibpcapDirect.address(handle);
      out = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
      outAddress = LibpcapDirect.address(out);
    } else {
      pcap = 0;
      out = null;
      outAddress = 0;
    }
  }

  /**
   * Opens a pcap or pcapng file.
   *
   * @throws NoSuchFileException or {@link AccessDeniedException} if the file cannot be opened
   * @throws PcapFormatException with packet number 0 for an empty file, a bad file header, or a
   *     link type this reader does not support (the message names it and the supported ones)
   * @throws PcapUnavailableException if the native libpcap library is missing
   */
  public static CaptureReader open(Path file) throws IOException {
    return open(file, true);
  }

  /** {@link #open(Path)}; {@code direct} false always reads through pcap4j's own calls. */
  static CaptureReader open(Path file, boolean direct) throws IOException {
    PcapHandle handle = PcapReader.open(file, WHAT);
    try {
      int linkType = PcapReader.linkType(handle);
      if (!LinkLayer.supported(linkType)) {
        throw new PcapFormatException(
            file,
            0,
            String.format(
                "link type %d (%s) is not supported; supported: %s",
                linkType, handle.getDlt().name(), LinkLayer.SUPPORTED));
      }
      CaptureReader r = new CaptureReader(file, handle, linkType, Files.size(file), direct);
      if (r.pcap != 0) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(STDIO_BUFFER);
        try {
          if (LibpcapDirect.setReadBuffer(r.pcap, buffer)) r.stdioBuffer = buffer;
        } catch (IOException e) {
          throw new PcapFormatException(file, 0, e.getMessage());
        }
      }
      handle = null;
      return r;
    } catch (LinkageError e) {
      throw Libpcap.unavailable(WHAT, e);
    } finally {
      if (handle != null) handle.close();
    }
  }

  /** The file being read. */
  public Path file() {
    return file;
  }

  /**
   * The link type, numbered as in capture files: one of the {@code LINKTYPE_} constants (for raw
   * IP always 101, whether the file says 101, 12 or 14).
   */
  public int linkType() {
    return link.linkType();
  }

  /**
   * Advances to the next record. False at the end of the file, or when the file breaks off or is
   * damaged ({@link #error()} then says where), and after {@link #close}. Never throws for bad
   * packet contents. The previous record's {@link #buffer()} may be overwritten.
   */
  public boolean next() {
    if (ended || closed) return false;
    return pcap != 0 ? nextDirect() : nextThroughPcap4j();
  }

  private boolean nextDirect() {
    int status = LibpcapDirect.pcap_next_ex(pcap, outAddress, outAddress + 8);
    Reference.reachabilityFence(out); // C holds only its address
    if (status != 1) {
      end(status == -2 ? null : libpcapError());
      return false;
    }
    long h = out.getLong(0);
    if (h != headerAddress) {
      header = LibpcapDirect.view(h, LibpcapDirect.PKTHDR_SIZE);
      headerAddress = h;
    }
    long seconds;
    long fraction;
    if (LibpcapDirect.C_LONG == 8) {
      seconds = header.getLong(LibpcapDirect.TV_SEC);
      fraction = header.getLong(LibpcapDirect.TV_USEC);
    } else {
      seconds = header.getInt(LibpcapDirect.TV_SEC);
      fraction = header.getInt(LibpcapDirect.TV_USEC);
    }
    int caplen = header.getInt(LibpcapDirect.CAPLEN);
    int len = header.getInt(LibpcapDirect.LEN);
    if (caplen < 0) {
      end("captured length " + Integer.toUnsignedString(caplen) + " is impossible");
      return false;
    }
    if (caplen > 0) {
      long d = out.getLong(8);
      // libpcap reads every record into the same buffer until it needs a larger one; a view
      // is only read within the current record's caplen, which libpcap guarantees at d.
      if (data == null || d != dataAddress || caplen > data.capacity()) {
        data = LibpcapDirect.view(d, caplen);
        dataAddress = d;
      }
      if (caplen > buffer.length) buffer = new byte[Math.max(caplen, 2 * buffer.length)];
      data.get(0, buffer, 0, caplen);
    }
    deliver(seconds * NANOS_PER_SECOND + fraction, caplen, len);
    return true;
  }

  private boolean nextThroughPcap4j() {
    byte[] raw;
    try {
      raw = handle.getNextRawPacketEx();
    } catch (EOFException e) {
      end(null);
      return false;
    } catch (PcapNativeException | TimeoutException e) {
      end(PcapReader.libpcapReason(e));
      return false;
    } catch (NotOpenException e) {
      throw new IllegalStateException(e); // closed is checked in next()
    }
    Timestamp ts = handle.getTimestamp();
    long time = Math.floorDiv(ts.getTime(), 1000L) * NANOS_PER_SECOND + ts.getNanos();
    if (raw.length > buffer.length) buffer = new byte[Math.max(raw.length, 2 * buffer.length)];
    System.arraycopy(raw, 0, buffer, 0, raw.length);
    deliver(time, raw.length, handle.getOriginalLength());
    return true;
  }

  private void deliver(long time, int caplen, int len) {
    number++;
    timeNanos = time;
    capturedLength = caplen;
    originalLength = len < 0 ? Integer.MAX_VALUE : len; // an unsigned 32-bit field
    bytesRead += RECORD_HEADER + caplen;
    link.decode(buffer, caplen);
  }

  private String libpcapError() {
    try {
      return PcapReader.libpcapReason(handle.getError());
    } catch (NotOpenException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The end of the records: clean ({@code problem} null) or at a damaged record. */
  private void end(String problem) {
    ended = true;
    if (problem == null) {
      bytesRead = fileSize;
    } else {
      error = new PcapFormatException(file, number + 1, problem);
    }
    capturedLength = 0;
    originalLength = 0;
    link.clear();
  }

  /** The 1-based number of the current record, as Wireshark numbers frames; 0 before the first. */
  public long packetNumber() {
    return number;
  }

  /**
   * The current record's timestamp in nanoseconds since the epoch (microsecond files are scaled
   * up; pcapng timestamps are converted from their interface's resolution by libpcap).
   */
  public long timeNanos() {
    return timeNanos;
  }

  /** How many bytes of the packet the file holds ({@code caplen}). */
  public int capturedLength() {
    return capturedLength;
  }

  /**
   * The packet's length on the wire ({@code len}) as the file states it; normally at least {@link
   * #capturedLength()}, more when the capture's snapshot length cut the packet short (a damaged
   * file can say anything).
   */
  public int originalLength() {
    return originalLength;
  }

  /**
   * The current record's captured bytes, from index 0 for {@link #capturedLength()} bytes (the
   * array may be longer). The same array is reused, and may be replaced by a larger one, by the
   * next call to {@link #next()}: copy what must outlive the record. Do not write to it.
   */
  public byte[] buffer() {
    return buffer;
  }

  /**
   * Where the network-layer packet starts in {@link #buffer()}: after the link header and any
   * VLAN tags.
   */
  public int ipOffset() {
    return link.ipOffset();
  }

  /**
   * The captured bytes of the IPv4/IPv6 packet from {@link #ipOffset()} (fewer than the packet's
   * own length field says when the snapshot length cut it; an Ethernet frame's padding included);
   * -1 when the record holds no IP packet or its link header is cut short — {@link #problem()}
   * says why.
   */
  public int ipLength() {
    return link.ipLength();
  }

  /** 4 or 6, from the link header (or the version nibble for raw IP); 0 when {@link #ipLength()} is -1. */
  public int ipVersion() {
    return link.ipVersion();
  }

  /**
   * Why the current record holds no IP packet, in a few words ("ARP, not IP", "Ethernet header cut
   * short: 10 of 14 bytes captured"); null when it holds one.
   */
  public String problem() {
    return link.problem();
  }

  /**
   * Null while reading and after a clean end of the file; otherwise why the records ended early,
   * naming the file and the packet (every record before it was delivered).
   */
  public PcapFormatException error() {
    return error;
  }

  /**
   * Bytes of the file read so far, for a progress bar: the file header and the record headers and
   * data of the records delivered, as a classic pcap file lays them out (pcapng blocks are a
   * little larger, so this runs behind there); the file's size once the end is reached cleanly.
   */
  public long bytesRead() {
    return Math.min(bytesRead, fileSize);
  }

  /** The file's size when it was opened. */
  public long fileSize() {
    return fileSize;
  }

  /** Closes the file; {@link #next()} then returns false. Closing twice does nothing. */
  @Override
  public void close() {
    if (closed) return;
    closed = true;
    header = null;
    data = null;
    handle.close();
    Reference.reachabilityFence(stdioBuffer); // libpcap's stream uses it until fclose
  }
}
