package dev.tcplab.sim.pcap;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.pcap4j.core.PcapDumper;
import org.pcap4j.core.PcapHandle;

/**
 * The two per-record libpcap calls, {@code pcap_dump} and {@code pcap_next_ex}, bound with JNA
 * <em>direct mapping</em> to the same native library pcap4j loaded.
 *
 * <p>Why: pcap4j binds them too, but passes {@code struct pcap_pkthdr} as a JNA {@code Structure},
 * which JNA marshals field by field through reflection on every call: about 10 µs per record,
 * more than the whole simulator spends on a packet. A direct-mapped method whose arguments are all
 * {@code long} costs one plain JNI call (tens of nanoseconds); the header and the packet live in a
 * direct {@link ByteBuffer} that Java fills and reads with ordinary (intrinsic) buffer accesses, and
 * only its address crosses into C. pcap4j still opens, flushes and closes the handles and reports
 * their errors; only the per-record call is ours.
 *
 * <p>The native {@code pcap_t *} and {@code pcap_dumper_t *} are not exposed by pcap4j 1.8.2, so
 * they are read from its private fields {@code PcapHandle.handle} and {@code PcapDumper.dumper}
 * (the version is pinned in the parent POM). If anything here fails — a different pcap4j, a 32-bit
 * JVM, a libpcap without the functions — {@link #problem()} says why and callers fall back to
 * pcap4j's own calls, which give the same results, only slower.
 *
 * <p>Layout of {@code struct pcap_pkthdr}: a {@code struct timeval} (two C {@code long}s: 8 + 8
 * bytes on 64-bit Linux and macOS, 4 + 4 on Windows), then {@code bpf_u_int32 caplen} and {@code
 * bpf_u_int32 len}: 24 bytes on 64-bit Linux. For a handle opened at nanosecond precision libpcap
 * keeps nanoseconds in {@code tv_usec}.
 */
final class LibpcapDirect {
  /** Size of a C {@code long}, the type of both {@code timeval} fields. */
  static final int C_LONG = Native.LONG_SIZE;

  /** Offsets in {@code struct pcap_pkthdr}. */
  static final int TV_SEC = 0;

  static final int TV_USEC = C_LONG;
  static final int CAPLEN = 2 * C_LONG;
  static final int LEN = 2 * C_LONG + 4;

  /** {@code sizeof(struct pcap_pkthdr)}. */
  static final int PKTHDR_SIZE = 2 * C_LONG + 8;

  /** pcap4j's system property for the library name, and its default. */
  private static final String LIB_NAME_PROPERTY = "org.pcap4j.core.pcapLibName";

  private LibpcapDirect() {}

  /**
   * Why the fast path cannot be used, or null when it can. Computed once; never throws.
   * Call it only after {@link Libpcap#require} succeeded, so that a missing libpcap is reported as
   * such and not as a problem of the fast path.
   */
  static String problem() {
    return Holder.PROBLEM;
  }

  /** The native {@code pcap_t *} behind {@code handle}. */
  static long address(PcapHandle handle) {
    return Pointer.nativeValue((Pointer) read(Holder.HANDLE_FIELD, handle));
  }

  /** The native {@code pcap_dumper_t *} behind {@code dumper}. */
  static long address(PcapDumper dumper) {
    return Pointer.nativeValue((Pointer) read(Holder.DUMPER_FIELD, dumper));
  }

  /** The address of a direct buffer's first byte. */
  static long address(ByteBuffer direct) {
    return Pointer.nativeValue(Native.getDirectBufferPointer(direct));
  }

  /**
   * A direct buffer in the machine's byte order viewing {@code length} bytes of native memory at
   * {@code address} (not owned: valid only as long as the memory is).
   */
  static ByteBuffer view(long address, int length) {
    return new Pointer(address).getByteBuffer(0, length).order(ByteOrder.nativeOrder());
  }

  private static Object read(Field f, Object o) {
    try {
      return f.get(o);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e); // setAccessible succeeded in the holder
    }
  }

  /**
   * {@code void pcap_dump(u_char *user, const struct pcap_pkthdr *h, const u_char *sp)}: appends
   * one record to the dumper's stdio buffer.
   */
  static native void pcap_dump(long dumper, long header, long data);

  /**
   * {@code int pcap_next_ex(pcap_t *p, struct pcap_pkthdr **header, const u_char **data)}: 1 when
   * a record was read (the two pointers are stored at {@code headerOut} and {@code dataOut}), -2 at
   * the end of a file, -1 on an error ({@code pcap_geterr}).
   */
  static native int pcap_next_ex(long pcap, long headerOut, long dataOut);

  /**
   * {@code FILE *pcap_dump_file(pcap_dumper_t *p)}: the standard I/O stream a dumper writes to.
   */
  static native long pcap_dump_file(long dumper);

  /**
   * Gives the dumper's stdio stream {@code buffer} (a direct buffer the caller keeps alive until
   * the dumper is closed) as its output buffer, with {@code setvbuf(3)}. Returns false, changing
   * nothing, where that is not known to be safe or fails.
   *
   * <p>Why: libpcap writes through a {@code FILE} with the default buffer of {@code st_blksize}
   * bytes (4 KiB on most Linux file systems): one {@code write(2)} every two or three full-size
   * packets, which cost more than everything else in pcap output together. The stream must have
   * nothing buffered when this is called (flush it first: {@code pcap_dump_open} has already put the
   * file header there); glibc and the BSD libc also flush in {@code setvbuf} itself, but the C
   * standard promises nothing once the stream has been used. Only on Linux and macOS, where
   * libpcap and JNA share the one C library of the process; on Windows libpcap may use a C runtime
   * of its own, whose {@code FILE} this process's {@code setvbuf} must not touch.
   */
  static boolean setBuffer(long dumper, ByteBuffer buffer) {
    if (Libc.PROBLEM != null || !buffer.isDirect()) return false;
    long stream = pcap_dump_file(dumper);
    if (stream == 0) return false;
    return Libc.setvbuf(stream, address(buffer), Libc.IOFBF, buffer.capacity()) == 0;
  }

  /** {@code FILE *pcap_file(pcap_t *p)}: the standard I/O stream an offline handle reads. */
  static native long pcap_file(long pcap);

  /**
   * Gives the stdio stream an offline handle reads from {@code buffer} (a direct buffer the caller
   * keeps alive until the handle is closed) as its input buffer. Returns false, changing nothing,
   * where the C library is not usable or the stream's position is unknown.
   *
   * <p>Why: libpcap reads a capture through a {@code FILE} with the default {@code st_blksize}
   * buffer (4 KiB): one {@code read(2)} every few records, about a third of the time spent per
   * record. libpcap has already read the file header when the handle is open, so the stream is in
   * use: its position is taken with {@code ftello} first and set again with {@code fseeko} after
   * {@code setvbuf}, because the BSD libc drops buffered input in {@code setvbuf} (glibc seeks back
   * by itself); capture files are regular files, so seeking works.
   *
   * @throws IOException if the position could not be restored, which leaves the stream unusable
   */
  static boolean setReadBuffer(long pcap, ByteBuffer buffer) throws IOException {
    if (Libc.PROBLEM != null || !buffer.isDirect()) return false;
    long stream = pcap_file(pcap);
    if (stream == 0) return false;
    long position = Libc.ftello(stream);
    if (position < 0) return false;
    int buffered = Libc.setvbuf(stream, address(buffer), Libc.IOFBF, buffer.capacity());
    if (Libc.fseeko(stream, position, Libc.SEEK_SET) != 0) {
      throw new IOException("cannot return to offset " + position + " after setvbuf");
    }
    return buffered == 0;
  }

  /** The C library, for {@code setvbuf}. */
  private static final class Libc {
    /** {@code _IOFBF}, full buffering: 0 in glibc, musl and the BSD libc. */
    static final int IOFBF = 0;

    /** {@code SEEK_SET}: 0 everywhere. */
    static final int SEEK_SET = 0;

    static final String PROBLEM;

    static {
      String problem = null;
      if (!Platform.isLinux() && !Platform.isMac()) {
        problem = "not Linux or macOS";
      } else {
        try {
          Native.register(Libc.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
        } catch (RuntimeException | LinkageError e) {
          problem = e.getClass().getSimpleName() + ": " + Libpcap.summarise(e);
        }
      }
      PROBLEM = problem;
    }

    private Libc() {}

    /** {@code int setvbuf(FILE *stream, char *buf, int mode, size_t size)}. */
    static native int setvbuf(long stream, long buf, int mode, long size);

    /** {@code off_t ftello(FILE *stream)}; {@code off_t} is 64 bits on 64-bit Linux and macOS. */
    static native long ftello(long stream);

    /** {@code int fseeko(FILE *stream, off_t offset, int whence)}. */
    static native int fseeko(long stream, long offset, int whence);
  }

  /** Binds the natives on first use; a failure is kept as the reason, never thrown. */
  private static final class Holder {
    static final Field HANDLE_FIELD;
    static final Field DUMPER_FIELD;
    static final String PROBLEM;

    static {
      Field handleField = null;
      Field dumperField = null;
      String problem = null;
      try {
        if (Native.POINTER_SIZE != 8) {
          problem = "a " + (8 * Native.POINTER_SIZE) + "-bit JVM (the direct calls pass 64-bit addresses)";
        } else {
          handleField = pointerField(PcapHandle.class, "handle");
          dumperField = pointerField(PcapDumper.class, "dumper");
          String name = System.getProperty(LIB_NAME_PROPERTY, Platform.isWindows() ? "wpcap" : "pcap");
          Native.register(LibpcapDirect.class, NativeLibrary.getInstance(name));
        }
      } catch (NoSuchFieldException e) {
        problem = "this pcap4j has no field " + e.getMessage() + " (written for pcap4j 1.8.2)";
      } catch (RuntimeException | LinkageError e) {
        problem = e.getClass().getSimpleName() + ": " + Libpcap.summarise(e);
      }
      HANDLE_FIELD = handleField;
      DUMPER_FIELD = dumperField;
      PROBLEM = problem;
    }

    private static Field pointerField(Class<?> c, String name) throws NoSuchFieldException {
      Field f;
      try {
        f = c.getDeclaredField(name);
      } catch (NoSuchFieldException e) {
        throw new NoSuchFieldException(c.getSimpleName() + "." + name);
      }
      if (f.getType() != Pointer.class) {
        throw new NoSuchFieldException(c.getSimpleName() + "." + name + " of type Pointer");
      }
      f.setAccessible(true);
      return f;
    }
  }
}
