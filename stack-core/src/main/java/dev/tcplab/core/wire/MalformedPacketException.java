package dev.tcplab.core.wire;

import static com.google.common.base.Preconditions.checkNotNull;

/**
 * A received packet that cannot be parsed. {@link #problem()} says what kind of damage was found,
 * {@link #offset()} where, and the message says it in plain words, e.g. "TCP option kind 8 at
 * offset 30 has length 10 but only 6 bytes of option space remain".
 */
public final class MalformedPacketException extends Exception {
  private static final long serialVersionUID = 1L;

  /** What is wrong with the packet. */
  public enum Problem {
    /** Fewer bytes than a header or a length field promises. */
    TRUNCATED,
    /** The TCP data offset is below 5 words or points past the segment (RFC 9293 §3.1). */
    BAD_DATA_OFFSET,
    /** A TCP option (or its length byte) runs past the end of the header. */
    OPTION_OVERRUN,
    /** A TCP option length below 2, or the wrong length for a known kind. */
    BAD_OPTION_LENGTH,
    /** A TCP or IPv4 header checksum that does not verify (RFC 1071). */
    BAD_CHECKSUM,
    /** An IP version other than 4 (RFC 791 §3.1). */
    BAD_IP_VERSION,
    /** An IPv4 IHL below 5 words or past the received bytes (RFC 791 §3.1). */
    BAD_IP_HEADER_LENGTH,
    /** An IPv4 total length smaller than its own header (RFC 791 §3.1). */
    BAD_TOTAL_LENGTH,
    /** An IP packet that does not carry TCP (protocol 6). */
    NOT_TCP,
    /** An IPv4 fragment (MF set or nonzero fragment offset); this stack does not reassemble. */
    FRAGMENTED
  }

  private final Problem problem;
  private final int offset;

  /**
   * @param problem the kind of damage
   * @param offset the byte offset, from the start of the packet handed to the decoder, where it was
   *     found (for {@link Problem#TRUNCATED}, where the bytes ran out)
   * @param message what is wrong, in plain words
   */
  public MalformedPacketException(Problem problem, int offset, String message) {
    super(checkNotNull(message));
    this.problem = checkNotNull(problem);
    this.offset = offset;
  }

  public Problem problem() {
    return problem;
  }

  /**
   * The byte offset, from the start of the packet handed to the decoder, where the problem was
   * found.
   */
  public int offset() {
    return offset;
  }
}
