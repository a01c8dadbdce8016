package dev.tcplab.sim.pcap;

/**
 * Finds the IPv4 or IPv6 packet inside one captured frame of a supported link type, without
 * allocating: {@link #decode} leaves the result in fields, and the reason for a frame that holds no
 * IP packet is turned into words only when {@link #problem} is asked.
 *
 * <p>Link types, as capture files number them (tcpdump.org's LINKTYPE_ list):
 *
 * <ul>
 *   <li>1, Ethernet: 14-byte header, ethertype at 12; 802.1Q (0x8100), 802.1ad (0x88a8) and the
 *       old QinQ 0x9100 tags are skipped, nested to any depth;
 *   <li>113, Linux cooked (SLL): 16-byte header, protocol (an ethertype) at 14;
 *   <li>276, Linux cooked v2 (SLL2): 20-byte header, protocol at 0;
 *   <li>101, raw IP (also 12 and 14, the DLT_RAW values of Linux and OpenBSD, which some files
 *       carry): no header, the version nibble tells IPv4 from IPv6;
 *   <li>0, BSD loopback (NULL): a 4-byte address family in the byte order of the machine that
 *       captured, which the file does not record, so both orders are accepted: 2 is IPv4; 24, 28 and
 *       30 (NetBSD/OpenBSD, FreeBSD, Darwin) are IPv6;
 *   <li>108, OpenBSD loopback (LOOP): the same family in network byte order.
 * </ul>
 */
final class LinkLayer {
  static final int NULL = 0;
  static final int ETHERNET = 1;
  static final int RAW = 101;
  static final int LOOP = 108;
  static final int LINUX_SLL = 113;
  static final int LINUX_SLL2 = 276;

  /** For messages: the supported link types. */
  static final String SUPPORTED =
      "0 (BSD loopback), 1 (Ethernet), 12/14/101 (raw IP), 108 (OpenBSD loopback),"
          + " 113 (Linux cooked SLL), 276 (Linux cooked SLL2)";

  private static final int ETHERTYPE_IPV4 = 0x0800;
  private static final int ETHERTYPE_IPV6 = 0x86dd;
  private static final int ETHERTYPE_ARP = 0x0806;

  // Why a frame holds no IP packet; the detail is in `value`.
  private static final int OK = 0;
  private static final int SHORT_HEADER = 1; // value: header length needed
  private static final int SHORT_TAG = 2; // value: tags read so far
  private static final int ETHERTYPE = 3; // value: the ethertype
  private static final int LENGTH_FIELD = 4; // value: the 802.3 length
  private static final int FAMILY = 5; // value: the 4 bytes
  private static final int VERSION = 6; // value: the nibble
  private static final int EMPTY = 7;

  private final int linkType;
  private final String linkName;

  private int ipOffset;
  private int ipLength;
  private int ipVersion;
  private int kind;
  private int value;
  private int captured;
  private String problem;

  /** {@code linkType} must be {@linkplain #supported supported}. */
  LinkLayer(int linkType) {
    if (!supported(linkType)) throw new IllegalArgumentException("Unsupported link type " + linkType);
    this.linkType = normalise(linkType);
    this.linkName = name(this.linkType);
    clear();
  }

  static boolean supported(int linkType) {
    return switch (linkType) {
      case NULL, ETHERNET, 12, 14, RAW, LOOP, LINUX_SLL, LINUX_SLL2 -> true;
      default -> false;
    };
  }

  /** 12 and 14 (DLT_RAW on Linux and on OpenBSD) are reported as 101, the others unchanged. */
  static int normalise(int linkType) {
    return linkType == 12 || linkType == 14 ? RAW : linkType;
  }

  private static String name(int linkType) {
    return switch (linkType) {
      case NULL -> "BSD loopback";
      case ETHERNET -> "Ethernet";
      case RAW -> "raw IP";
      case LOOP -> "OpenBSD loopback";
      case LINUX_SLL -> "Linux cooked (SLL)";
      case LINUX_SLL2 -> "Linux cooked (SLL2)";
      default -> "link type " + linkType;
    };
  }

  /** The link type, normalised. */
  int linkType() {
    return linkType;
  }

  /**
   * Looks at the first {@code length} bytes of {@code frame}; afterwards {@link #ipOffset}, {@link
   * #ipLength} (-1 when there is no IP packet) and {@link #ipVersion} describe the result.
   */
  void decode(byte[] frame, int length) {
    captured = length;
    problem = null;
    kind = OK;
    ipVersion = 0;
    switch (linkType) {
      case ETHERNET -> ethertype(frame, length, 14, 12);
      case LINUX_SLL -> ethertype(frame, length, 16, 14);
      case LINUX_SLL2 -> ethertype(frame, length, 20, 0);
      case RAW -> byVersion(frame, length, 0);
      case NULL -> family(frame, length, true);
      case LOOP -> family(frame, length, false);
      default -> throw new AssertionError(linkType);
    }
    if (kind != OK) {
      ipOffset = Math.min(length, ipOffset);
      ipLength = -1;
      ipVersion = 0;
    } else {
      ipLength = length - ipOffset;
    }
  }

  /** No current frame: no IP packet and no problem. */
  void clear() {
    kind = OK;
    problem = null;
    ipOffset = 0;
    ipLength = -1;
    ipVersion = 0;
  }

  int ipOffset() {
    return ipOffset;
  }

  int ipLength() {
    return ipLength;
  }

  /** 4 or 6; 0 when there is no IP packet. */
  int ipVersion() {
    return ipVersion;
  }

  /** Why the last frame holds no IP packet, in a few words; null when it does. */
  String problem() {
    if (kind == OK) return null;
    if (problem == null) problem = describe();
    return problem;
  }

  private String describe() {
    return switch (kind) {
      case SHORT_HEADER -> String.format(
          "%s header cut short: %d of %d bytes captured", linkName, captured, value);
      case SHORT_TAG -> String.format(
          "VLAN tag %d cut short: %d bytes captured", value + 1, captured);
      case ETHERTYPE -> value == ETHERTYPE_ARP
          ? "ARP, not IP"
          : String.format("ethertype 0x%04x, not IPv4 or IPv6", value);
      case LENGTH_FIELD -> String.format(
          "an IEEE 802.3 frame (length field %d), not IPv4 or IPv6", value);
      case FAMILY -> String.format(
          "address family field 0x%08x, not IPv4 or IPv6", value);
      case VERSION -> String.format("IP version %d, not 4 or 6", value);
      case EMPTY -> "no bytes captured";
      default -> throw new AssertionError(kind);
    };
  }

  /** Ethernet and the Linux cooked headers: an ethertype at {@code typeAt}, then VLAN tags. */
  private void ethertype(byte[] f, int length, int headerLength, int typeAt) {
    ipOffset = headerLength;
    if (length < headerLength) {
      fail(SHORT_HEADER, headerLength);
      return;
    }
    int type = u16(f, typeAt);
    int tags = 0;
    while (type == 0x8100 || type == 0x88a8 || type == 0x9100) {
      if (length < ipOffset + 4) {
        fail(SHORT_TAG, tags);
        return;
      }
      type = u16(f, ipOffset + 2);
      ipOffset += 4;
      tags++;
    }
    if (type == ETHERTYPE_IPV4) {
      ipVersion = 4;
    } else if (type == ETHERTYPE_IPV6) {
      ipVersion = 6;
    } else if (type < 0x0600 && linkType == ETHERNET) {
      fail(LENGTH_FIELD, type);
    } else {
      fail(ETHERTYPE, type);
    }
  }

  private void byVersion(byte[] f, int length, int at) {
    ipOffset = at;
    if (length <= at) {
      fail(EMPTY, 0);
      return;
    }
    int version = (f[at] & 0xff) >>> 4;
    if (version == 4 || version == 6) {
      ipVersion = version;
    } else {
      fail(VERSION, version);
    }
  }

  private void family(byte[] f, int length, boolean eitherOrder) {
    ipOffset = 4;
    if (length < 4) {
      fail(SHORT_HEADER, 4);
      return;
    }
    int big = (u16(f, 0) << 16) | u16(f, 2);
    int family = big;
    if (eitherOrder && (big & 0x00ffffff) == 0) family = big >>> 24; // little-endian host
    switch (family) {
      case 2 -> ipVersion = 4;
      case 24, 28, 30 -> ipVersion = 6;
      default -> fail(FAMILY, big);
    }
  }

  private void fail(int why, int detail) {
    kind = why;
    value = detail;
  }

  private static int u16(byte[] b, int at) {
    return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
  }
}
