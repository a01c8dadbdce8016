package dev.tcplab.capture.tls;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Follows TLS on one TCP connection from its two reassembled byte streams, to tell which side's
 * close_notify was on the wire and where.
 *
 * <h2>What it reads</h2>
 *
 * <ul>
 *   <li><b>Detection</b>: the client's stream must begin with a handshake record (type 22, version
 *       0x03xx) whose first message is a ClientHello; otherwise the connection is not TLS and
 *       nothing more is parsed. TLS after STARTTLS and SSLv2-format hellos are not recognised.
 *   <li><b>Version and suite</b> from the ServerHello (supported_versions → 1.3, else
 *       legacy_version: 1.2, 1.1, 1.0, SSL 3.0). A HelloRetryRequest gives the version; the final
 *       ServerHello the random.
 *   <li><b>Records</b>: every record of each direction is counted, so that the AEAD sequence
 *       numbers stay right, but only records that can be alerts are buffered and decrypted; bulk
 *       application data is skipped without a copy.
 *   <li><b>TLS 1.2</b> (and earlier): records after a direction's ChangeCipherSpec are encrypted;
 *       their content type is in clear. Alerts before it are read directly. After it, with the
 *       {@code CLIENT_RANDOM} master secret of an AES-GCM or ChaCha20-Poly1305 suite, the key block
 *       is derived (PRF with the suite's hash, RFC 5246 §6.3), the Finished record is decrypted to
 *       check the keys and every type-21 record is decrypted; without keys a type-21 record is an
 *       alert entry marked undecrypted and the flag is unknown. No type-21 record at all: the flag
 *       is FALSE even without keys.
 *   <li><b>TLS 1.3</b>: every record of outer type 23 is encrypted; alerts are told apart only by
 *       decrypting. The handshake traffic secrets open the encrypted handshake (fully decrypted,
 *       to find each side's Finished), then {@code *_TRAFFIC_SECRET_0}; a KeyUpdate moves to the
 *       next secret ("traffic upd"). In the application epoch only records whose ciphertext is at
 *       most {@value #TLS13_ALERT_CANDIDATE_MAX} bytes are decrypted: an alert (2 bytes), its
 *       content type and up to 237 bytes of padding, plus the 16-byte tag. An alert padded beyond
 *       that is missed (and a KeyUpdate in such a record is recovered by trying the next secret
 *       when the following small record does not open). Without keys: unknown, unless the stream
 *       ended before any encrypted record.
 * </ul>
 *
 * <h2>Order of feeding</h2>
 *
 * Feed each direction in stream order; interleave the two directions as the capture does. A
 * direction that needs the other side's hello (the server's stream before the ClientHello was
 * read, the client's encrypted records before the ServerHello was read) holds its bytes — at most
 * one maximum record, {@value #HELD_MAX} bytes — and continues when the hello arrives; beyond that
 * the rest of that direction is unknown.
 *
 * <h2>Robustness and memory</h2>
 *
 * Never throws on any content: a stream that stops looking like TLS ends that direction's parsing
 * with a note, and its undecided results become unknown. Per direction at most one record is
 * buffered (≤ 2^14 + 2048 + 5 bytes), and only while it is read; idle observers keep a few hundred
 * bytes. Not thread-safe.
 */
public final class TlsStreamObserver {
  /** Largest record body accepted (RFC 5246 §6.2.3: 2^14 + 2048). */
  static final int MAX_RECORD_BODY = (1 << 14) + 2048;

  static final int HEADER = 5;

  /** Most bytes a direction holds while it waits for the other side's hello. */
  public static final int HELD_MAX = HEADER + MAX_RECORD_BODY;

  /**
   * TLS 1.3 application-epoch records with a ciphertext (record body) of at most this many bytes
   * are decrypted as possible alerts.
   */
  public static final int TLS13_ALERT_CANDIDATE_MAX = 256;

  private static final int REUSED_BUFFER = 512;
  private static final int MAX_ALERTS = 256;
  private static final int MAX_NOTES = 64;
  private static final int KEY_UPDATE_SEARCH = 64;

  private static final int TLS12 = 0x0303;
  private static final int TLS13 = 0x0304;
  private static final int EXT_SUPPORTED_VERSIONS = 43;
  private static final int EXT_EARLY_DATA = 42;

  private static final byte[] HRR_RANDOM =
      HexFormat.of()
          .parseHex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c");

  private static final int RUNNING = 0;
  private static final int PAUSED = 1;
  private static final int STOPPED = 2;

  private final NssKeyLog keys;
  private final RecordDecryptor.Provider provider;
  private final Half client = new Half(Direction.CLIENT_TO_SERVER);
  private final Half server = new Half(Direction.SERVER_TO_CLIENT);

  private boolean detected;
  private boolean notTls;
  private byte[] clientRandom;
  private byte[] serverRandom;
  private int version = -1;
  private CipherSuites.Suite suite;
  private boolean offeredEarlyData;
  private boolean decryptedAny;
  private final List<TlsSummary.Alert> alerts = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private final Set<String> onceKeys = new HashSet<>();

  /** An observer decrypting with {@code keys} (use {@link NssKeyLog#empty()} for none). */
  public TlsStreamObserver(NssKeyLog keys) {
    this(keys, RecordDecryptor.Provider.JDK);
  }

  /** With the AEAD implementation chosen: the JDK's or Bouncy Castle's. */
  TlsStreamObserver(NssKeyLog keys, RecordDecryptor.Provider provider) {
    this.keys = keys == null ? NssKeyLog.empty() : keys;
    this.provider = checkNotNull(provider);
  }

  // ------------------------------------------------------------------------------------------ API

  /**
   * In-order bytes of one direction's TCP stream; {@code offset} = stream offset of {@code
   * buf[off]} (0 = the first byte after the SYN). Bytes already given are skipped; a jump forward
   * is taken as a gap ({@link #onGap}).
   *
   * @throws IndexOutOfBoundsException if {@code off}/{@code len} do not fit {@code buf}
   */
  public void onData(Direction dir, long offset, byte[] buf, int off, int len) {
    checkNotNull(dir, "dir");
    Objects.checkFromIndexSize(off, len, buf.length);
    Half h = half(dir);
    if (len == 0 || offset + len <= h.next) {
      return;
    }
    if (offset > h.next) {
      onGap(dir, h.next);
      return;
    }
    int skip = (int) (h.next - offset);
    off += skip;
    len -= skip;
    h.next += len;
    if (h.state == STOPPED || notTls) {
      return;
    }
    try {
      if (h.state == PAUSED) {
        hold(h, buf, off, len);
      } else {
        parse(h, buf, off, len);
      }
      resumeWaiting();
    } catch (RuntimeException e) {
      internalError(h, e);
    }
  }

  /** The whole array. */
  public void onData(Direction dir, long offset, byte[] buf) {
    onData(dir, offset, buf, 0, buf.length);
  }

  /**
   * Bytes of {@code dir} are missing from {@code offset} on (capture loss, snaplen cut): parsing
   * of that direction stops; its results become unknown where they are not yet decided.
   */
  public void onGap(Direction dir, long offset) {
    checkNotNull(dir, "dir");
    Half h = half(dir);
    h.next = Math.max(h.next, offset);
    if (h.state == STOPPED || notTls) {
      return;
    }
    note(dir.sender() + "'s stream: bytes missing from offset " + offset
        + "; the rest of that direction is unknown");
    h.unknownRest = true;
    stop(h);
  }

  /** What was found so far. Cheap; may be called at any time. */
  public TlsSummary summary() {
    if (notTls || !detected) {
      List<String> n = new ArrayList<>(notes);
      if (!notTls) {
        n.add("no TLS ClientHello seen in the client's stream");
      }
      return new TlsSummary(false, null, null, false, null, null, -1, -1, List.of(),
          client.records, server.records, n);
    }
    List<String> n = new ArrayList<>(notes);
    for (Half h : new Half[] {client, server}) {
      if (h.state == PAUSED) {
        n.add(h.dir.sender() + "'s stream: " + h.heldLen + " bytes from offset " + h.pos
            + " wait for the " + (h == client ? "ServerHello" : "ClientHello")
            + " and were not read");
      } else if (h.state == RUNNING && h.hdrHave > 0) {
        n.add(h.dir.sender() + "'s stream ends inside a record at offset " + h.recStartOrPos()
            + (h.hdrHave == HEADER
                ? " (" + h.bodyHave + " of " + h.length + " body bytes)"
                : " (" + h.hdrHave + " of 5 header bytes)"));
      }
    }
    return new TlsSummary(
        true,
        versionName(version),
        suite == null ? null : suite.name(),
        decryptedAny,
        flag(client),
        flag(server),
        client.closeNotifyEnd,
        server.closeNotifyEnd,
        alerts,
        client.records,
        server.records,
        n);
  }

  // ---------------------------------------------------------------------------------- the halves

  /** The parsing state of one direction. */
  private static final class Half {
    final Direction dir;
    /** Stream offset of the next byte the caller gives. */
    long next;
    /** Stream offset of the next byte the parser consumes (held bytes start here). */
    long pos;

    int state = RUNNING;
    /** The rest of this direction cannot be read (gap, garbage, held too long). */
    boolean unknownRest;
    /** A record that could hold an alert was not read. */
    boolean uncertain;

    // the record being read
    final byte[] hdr = new byte[HEADER];
    int hdrHave;
    int type;
    int length;
    long recStart;
    byte[] body;
    int bodyHave;
    boolean buffering;
    byte[] reuse;

    // bytes held while waiting for the other side's hello
    byte[] held;
    int heldLen;

    long records;
    /** Records since the current key took effect (the AEAD sequence number). */
    long seq;

    // TLS 1.2 and earlier
    boolean ccs;
    boolean finishedChecked;
    RecordDecryptor dec12;

    // TLS 1.3
    int epoch13; // 0 before the first encrypted record, 1 handshake, 2 application
    RecordDecryptor hsDec;
    RecordDecryptor appDec;
    byte[] appSecret;
    long lastOkSeq = -1;
    boolean hsOk;
    boolean finishedSeen;
    boolean keyUpdateSeen;

    boolean keysUnusable;
    final HandshakeReader hs = new HandshakeReader();

    boolean closeNotify;
    long closeNotifyEnd = -1;

    Half(Direction dir) {
      this.dir = dir;
    }

    long recStartOrPos() {
      return hdrHave == HEADER ? recStart : pos - hdrHave;
    }
  }

  private Half half(Direction d) {
    return d == Direction.CLIENT_TO_SERVER ? client : server;
  }

  private Boolean flag(Half h) {
    if (h.closeNotify) {
      return Boolean.TRUE;
    }
    if (h.unknownRest || h.uncertain || h.state == PAUSED) {
      return null;
    }
    return Boolean.FALSE;
  }

  // --------------------------------------------------------------------------------- the parser

  private void parse(Half h, byte[] b, int off, int len) {
    while (len > 0 && h.state == RUNNING && !notTls) {
      if (h.hdrHave < HEADER) {
        int n = Math.min(HEADER - h.hdrHave, len);
        System.arraycopy(b, off, h.hdr, h.hdrHave, n);
        h.hdrHave += n;
        off += n;
        len -= n;
        h.pos += n;
        if (h.hdrHave < HEADER) {
          return;
        }
        startRecord(h);
        if (h.state == PAUSED) {
          h.pos -= HEADER;
          h.hdrHave = 0;
          hold(h, h.hdr, 0, HEADER);
          hold(h, b, off, len);
          return;
        }
        if (h.state == RUNNING && h.length == 0) {
          endRecord(h);
        }
        continue;
      }
      int n = Math.min(h.length - h.bodyHave, len);
      if (h.buffering) {
        System.arraycopy(b, off, h.body, h.bodyHave, n);
      }
      h.bodyHave += n;
      off += n;
      len -= n;
      h.pos += n;
      if (h.bodyHave == h.length) {
        endRecord(h);
      }
    }
  }

  private void startRecord(Half h) {
    h.type = h.hdr[0] & 0xff;
    int major = h.hdr[1] & 0xff;
    h.length = ((h.hdr[3] & 0xff) << 8) | (h.hdr[4] & 0xff);
    h.recStart = h.pos - HEADER;
    h.bodyHave = 0;
    boolean first = h.records == 0;
    if (h.dir == Direction.CLIENT_TO_SERVER && first) {
      if (h.type != 22 || major != 3 || h.length == 0 || h.length > MAX_RECORD_BODY) {
        notTls("the client's stream does not begin with a TLS handshake record (first bytes "
            + HexFormat.of().formatHex(h.hdr) + ")");
        return;
      }
    } else if (h.type < 20 || h.type > 24 || major != 3 || h.length > MAX_RECORD_BODY) {
      garbage(h, "record header " + HexFormat.of().formatHex(h.hdr) + " is not TLS");
      return;
    }
    if (h.dir == Direction.SERVER_TO_CLIENT && clientRandom == null) {
      h.state = PAUSED;
      return;
    }
    if (h.dir == Direction.CLIENT_TO_SERVER && version < 0 && detected
        && (h.type == 20 || h.type == 23 || h.type == 24)) {
      h.state = PAUSED;
      return;
    }
    h.buffering = wantBody(h);
    if (h.buffering) {
      if (h.length <= REUSED_BUFFER) {
        if (h.reuse == null) {
          h.reuse = new byte[REUSED_BUFFER];
        }
        h.body = h.reuse;
      } else {
        h.body = new byte[h.length];
      }
    }
  }

  private boolean wantBody(Half h) {
    boolean tls13 = version == TLS13;
    boolean encrypted = tls13 ? h.type == 23 : h.ccs;
    if (!encrypted) {
      return h.type == 22 || h.type == 21;
    }
    if (tls13 && h.epoch13 == 0) {
      h.epoch13 = 1; // the first encrypted record: handshake keys
      h.hs.reset();
      setupKeys13(h);
    }
    if (h.keysUnusable) {
      return false;
    }
    if (tls13) {
      if (h.epoch13 == 1) {
        return h.hsDec != null || h.appDec != null;
      }
      return h.appDec != null && h.length <= TLS13_ALERT_CANDIDATE_MAX;
    }
    return h.dec12 != null && (h.type == 21 || (h.type == 22 && !h.finishedChecked));
  }

  private void endRecord(Half h) {
    h.hdrHave = 0;
    h.records++;
    long start = h.recStart;
    long end = h.pos;
    byte[] body = h.buffering ? h.body : null;
    int len = h.length;
    h.buffering = false;
    h.body = null;
    h.bodyHave = 0;
    if (h.dir == Direction.CLIENT_TO_SERVER && h.records == 1) {
      if (body == null || (body[0] & 0xff) != HandshakeReader.CLIENT_HELLO) {
        notTls("the client's first handshake record does not hold a ClientHello");
        return;
      }
      detected = true;
    }
    boolean tls13 = version == TLS13;
    if (tls13 && h.type == 23) {
      record13(h, body, len, start, end);
      return;
    }
    if (!tls13 && h.ccs) {
      record12(h, body, len, start, end);
      return;
    }
    switch (h.type) {
      case 22 -> h.hs.feed(body, 0, len, (t, b, have, full) -> plainHandshake(h, t, b, have));
      case 21 -> readAlerts(h, body, 0, len, start, end, false);
      case 20 -> {
        if (!tls13) {
          h.ccs = true;
          h.seq = 0;
          h.hs.reset();
          setupKeys12(h);
        }
      }
      case 23 -> noteOnce("appdata-clear-" + h.dir, h.dir.sender()
          + " sent application data before ChangeCipherSpec (offset " + start + ")");
      default -> {}
    }
  }

  // ------------------------------------------------------------------------------ hellos

  private void plainHandshake(Half h, int type, byte[] b, int have) {
    if (notTls) {
      return;
    }
    if (h.dir == Direction.CLIENT_TO_SERVER && type == HandshakeReader.CLIENT_HELLO) {
      if (clientRandom != null) {
        return; // the second ClientHello after a HelloRetryRequest: same random
      }
      if (have < 34) {
        notTls("the ClientHello is too short to hold a random");
        return;
      }
      clientRandom = Arrays.copyOfRange(b, 2, 34);
      offeredEarlyData = hasExtension(b, have, clientHelloExtensions(b, have), EXT_EARLY_DATA);
    } else if (h.dir == Direction.SERVER_TO_CLIENT && type == HandshakeReader.SERVER_HELLO) {
      serverHello(h, b, have);
    }
  }

  /** Offset of the extensions block of a ClientHello, -1 if absent or malformed. */
  private static int clientHelloExtensions(byte[] b, int have) {
    int p = 34;
    if (p >= have) {
      return -1;
    }
    p += 1 + (b[p] & 0xff); // legacy_session_id
    if (p + 2 > have) {
      return -1;
    }
    p += 2 + u16(b, p); // cipher_suites
    if (p >= have) {
      return -1;
    }
    p += 1 + (b[p] & 0xff); // legacy_compression_methods
    return p + 2 <= have ? p : -1;
  }

  private static boolean hasExtension(byte[] b, int have, int p, int wanted) {
    return findExtension(b, have, p, wanted) >= 0;
  }

  /** Offset of extension {@code wanted}'s data in the block at {@code p}, or -1. */
  private static int findExtension(byte[] b, int have, int p, int wanted) {
    if (p < 0) {
      return -1;
    }
    int end = Math.min(have, p + 2 + u16(b, p));
    p += 2;
    while (p + 4 <= end) {
      int type = u16(b, p);
      int len = u16(b, p + 2);
      if (type == wanted) {
        return p + 4 + len <= end ? p + 4 : -1;
      }
      p += 4 + len;
    }
    return -1;
  }

  private void serverHello(Half h, byte[] b, int have) {
    if (have < 38) {
      garbage(h, "ServerHello too short (" + have + " bytes)");
      return;
    }
    int legacy = u16(b, 0);
    byte[] random = Arrays.copyOfRange(b, 2, 34);
    int p = 34 + 1 + (b[34] & 0xff);
    if (p + 3 > have) {
      garbage(h, "ServerHello too short for its cipher suite");
      return;
    }
    int code = u16(b, p);
    p += 3;
    int selected = 0;
    if (p + 2 <= have) {
      int at = findExtension(b, have, p, EXT_SUPPORTED_VERSIONS);
      if (at >= 0 && at + 2 <= have) {
        selected = u16(b, at);
      }
    }
    boolean hrr = Arrays.equals(random, HRR_RANDOM);
    if (version >= 0 && serverRandom != null) {
      return; // a second ServerHello (renegotiation): keep the first
    }
    version = selected != 0 ? selected : legacy;
    suite = CipherSuites.lookup(code);
    if (hrr) {
      note("HelloRetryRequest: the client sent a second ClientHello");
    } else {
      serverRandom = random;
    }
  }

  // --------------------------------------------------------------------------------- TLS 1.2

  private void setupKeys12(Half h) {
    if (version != TLS12) {
      if (version >= 0) {
        noteOnce("old-version", "TLS " + versionName(version)
            + ": encrypted records cannot be decrypted (only TLS 1.2 and 1.3 AEAD suites)");
      }
      return;
    }
    if (suite == null || serverRandom == null) {
      return;
    }
    if (suite.aead() == null) {
      noteOnce("suite", "cipher suite " + suite.name()
          + " cannot be decrypted (only AES-GCM and ChaCha20-Poly1305)");
      return;
    }
    byte[] ms = keys.secret(NssKeyLog.CLIENT_RANDOM, clientRandom);
    if (ms == null) {
      noKeys();
      return;
    }
    CipherSuites.Aead a = suite.aead();
    int kl = a.keyLength;
    int il = a.fixedIvLength12;
    byte[] kb = Kdf.prf12(suite.hash(), ms, "key expansion",
        Kdf.concat(serverRandom, clientRandom), 2 * kl + 2 * il);
    boolean c = h.dir == Direction.CLIENT_TO_SERVER;
    byte[] key = Arrays.copyOfRange(kb, c ? 0 : kl, c ? kl : 2 * kl);
    byte[] iv = Arrays.copyOfRange(kb, 2 * kl + (c ? 0 : il), 2 * kl + (c ? il : 2 * il));
    h.dec12 = new RecordDecryptor(a, key, iv, false, provider);
  }

  private void record12(Half h, byte[] body, int len, long start, long end) {
    long seq = h.seq++;
    switch (h.type) {
      case 21 -> {
        byte[] pt = body == null ? null : h.dec12.open(seq, h.hdr, body, 0, len);
        if (pt != null) {
          decryptedAny = true;
          readAlerts(h, pt, 0, pt.length, start, end, true);
        } else {
          if (body != null) {
            keysFailed(h, start);
          }
          undecryptedAlert(h, start, end);
        }
      }
      case 22 -> {
        if (!h.finishedChecked) {
          h.finishedChecked = true;
          if (body != null) {
            if (h.dec12.open(seq, h.hdr, body, 0, len) != null) {
              decryptedAny = true;
            } else {
              keysFailed(h, start);
            }
          }
        } else {
          noteOnce("reneg-" + h.dir, h.dir.sender()
              + " sent an encrypted handshake record after its Finished (offset " + start
              + "): renegotiation is not followed");
        }
      }
      case 20 -> {
        noteOnce("reneg-ccs-" + h.dir, h.dir.sender()
            + " changed keys again (renegotiation, offset " + start
            + "): later records cannot be decrypted");
        h.dec12 = null;
        h.keysUnusable = true;
        h.seq = 0;
      }
      default -> {}
    }
  }

  // --------------------------------------------------------------------------------- TLS 1.3

  private void setupKeys13(Half h) {
    if (suite == null || suite.aead() == null || suite.hash() == null) {
      noteOnce("suite", "cipher suite " + (suite == null ? "?" : suite.name())
          + " cannot be decrypted (only AES-GCM and ChaCha20-Poly1305)");
      return;
    }
    boolean c = h.dir == Direction.CLIENT_TO_SERVER;
    byte[] hsSecret = keys.secret(c ? NssKeyLog.CLIENT_HANDSHAKE_TRAFFIC_SECRET
        : NssKeyLog.SERVER_HANDSHAKE_TRAFFIC_SECRET, clientRandom);
    byte[] app = keys.secret(c ? NssKeyLog.CLIENT_TRAFFIC_SECRET_0
        : NssKeyLog.SERVER_TRAFFIC_SECRET_0, clientRandom);
    int hl = suite.hashLength();
    if (hsSecret != null && hsSecret.length == hl) {
      h.hsDec = decryptor13(hsSecret);
    }
    if (app != null && app.length == hl) {
      h.appSecret = app;
      h.appDec = decryptor13(app);
    }
    if (hsSecret == null && app == null) {
      noKeys();
    } else if (h.hsDec == null && h.appDec == null) {
      noteOnce("secret-length", "the key log's TLS 1.3 secrets do not have the length of "
          + suite.name() + "'s hash");
    }
  }

  private RecordDecryptor decryptor13(byte[] secret) {
    CipherSuites.Aead a = suite.aead();
    byte[] key = Kdf.expandLabel(suite.hash(), secret, "key", new byte[0], a.keyLength);
    byte[] iv = Kdf.expandLabel(suite.hash(), secret, "iv", new byte[0], 12);
    return new RecordDecryptor(a, key, iv, true, provider);
  }

  private void record13(Half h, byte[] body, int len, long start, long end) {
    boolean small = len <= TLS13_ALERT_CANDIDATE_MAX;
    if (body == null) {
      // Not decrypted: too large to be an alert, or no usable keys.
      if (h.keysUnusable || (h.epoch13 == 1 ? h.hsDec == null && h.appDec == null
          : h.appDec == null)) {
        h.uncertain |= small;
      }
      h.seq++;
      return;
    }
    byte[] pt;
    if (h.epoch13 == 1) {
      pt = h.hsDec == null ? null : h.hsDec.open(h.seq, h.hdr, body, 0, len);
      if (pt != null) {
        h.seq++;
        h.hsOk = true;
      } else if (h.appDec != null && (pt = h.appDec.open(0, h.hdr, body, 0, len)) != null) {
        if (h.hsDec != null) {
          noteOnce("missed-finished-" + h.dir, h.dir.sender()
              + "'s Finished was not seen; application keys took effect at offset " + start);
        }
        h.epoch13 = 2;
        h.seq = 1;
        h.lastOkSeq = 0;
        h.hs.reset();
      } else if (h.hsDec == null) {
        h.uncertain |= small; // a handshake-epoch record without the handshake secret
        return;
      } else if (h.dir == Direction.CLIENT_TO_SERVER && !h.hsOk && offeredEarlyData) {
        noteOnce("early-data", "client record at offset " + start
            + " is 0-RTT early data (not decrypted)");
        return;
      } else {
        keysFailed(h, start);
        h.uncertain |= small;
        return;
      }
    } else {
      pt = h.appDec.open(h.seq, h.hdr, body, 0, len);
      if (pt == null) {
        pt = recoverKeyUpdate(h, body, len, start);
      }
      if (pt == null) {
        keysFailed(h, start);
        h.uncertain = true;
        return;
      }
      h.lastOkSeq = h.seq;
      h.seq++;
    }
    decryptedAny = true;
    inner13(h, pt, start, end);
    if (h.finishedSeen && h.epoch13 == 1) {
      h.finishedSeen = false;
      h.epoch13 = 2;
      h.seq = 0;
      h.lastOkSeq = -1;
      h.hs.reset();
    }
    if (h.keyUpdateSeen) {
      h.keyUpdateSeen = false;
      if (h.appSecret != null) {
        h.appSecret = nextSecret(h.appSecret);
        h.appDec = decryptor13(h.appSecret);
        h.seq = 0;
        h.lastOkSeq = -1;
      }
    }
  }

  private byte[] nextSecret(byte[] secret) {
    return Kdf.expandLabel(suite.hash(), secret, "traffic upd", new byte[0], suite.hashLength());
  }

  /**
   * The record does not open under the current key: perhaps a KeyUpdate sat in a record too large
   * to decrypt since the last one that opened. Tries the next secret at each sequence number that
   * position allows.
   */
  private byte[] recoverKeyUpdate(Half h, byte[] body, int len, long start) {
    if (h.appSecret == null) {
      return null;
    }
    long maxSeq = Math.min(h.seq - h.lastOkSeq - 2, KEY_UPDATE_SEARCH);
    if (maxSeq < 0) {
      return null;
    }
    byte[] next = nextSecret(h.appSecret);
    RecordDecryptor d = decryptor13(next);
    for (long j = 0; j <= maxSeq; j++) {
      byte[] pt = d.open(j, h.hdr, body, 0, len);
      if (pt != null) {
        noteOnce("keyupdate-recovered-" + h.dir, h.dir.sender()
            + "'s KeyUpdate was in a record too large to decrypt; the next key opened the record"
            + " at offset " + start);
        h.appSecret = next;
        h.appDec = d;
        h.seq = j;
        return pt;
      }
    }
    return null;
  }

  private void inner13(Half h, byte[] pt, long start, long end) {
    int i = pt.length - 1;
    while (i >= 0 && pt[i] == 0) {
      i--;
    }
    if (i < 0) {
      noteOnce("no-type-" + h.dir, h.dir.sender() + "'s record at offset " + start
          + " has no content type (all padding)");
      return;
    }
    int type = pt[i] & 0xff;
    switch (type) {
      case 21 -> readAlerts(h, pt, 0, i, start, end, true);
      case 22 -> {
        if (h.epoch13 == 2) {
          h.hs.reset(); // post-handshake messages are read record by record
        }
        h.hs.feed(pt, 0, i, (t, b, have, full) -> {
          if (t == HandshakeReader.FINISHED && h.epoch13 == 1) {
            h.finishedSeen = true;
          } else if (t == HandshakeReader.KEY_UPDATE && h.epoch13 == 2) {
            h.keyUpdateSeen = true;
          }
        });
      }
      case 23 -> {}
      default -> noteOnce("inner-type-" + h.dir, h.dir.sender() + "'s record at offset "
          + start + " has inner content type " + type);
    }
  }

  // ---------------------------------------------------------------------------------- alerts

  private void readAlerts(Half h, byte[] b, int off, int len, long start, long end,
      boolean encrypted) {
    if (len < 2 || len % 2 != 0) {
      noteOnce("alert-len-" + h.dir, h.dir.sender() + "'s alert record at offset " + start
          + " holds " + len + " bytes (an alert is 2)");
    }
    for (int i = off; i + 1 < off + len; i += 2) {
      int level = b[i] & 0xff;
      int desc = b[i + 1] & 0xff;
      addAlert(new TlsSummary.Alert(h.dir, start, end, Alerts.levelName(level),
          Alerts.descriptionName(desc), desc, encrypted, false));
      if (desc == Alerts.CLOSE_NOTIFY && !h.closeNotify) {
        h.closeNotify = true;
        h.closeNotifyEnd = end;
      }
    }
  }

  private void undecryptedAlert(Half h, long start, long end) {
    addAlert(new TlsSummary.Alert(h.dir, start, end, null, null, -1, true, true));
    h.uncertain = true;
  }

  private void addAlert(TlsSummary.Alert a) {
    if (alerts.size() < MAX_ALERTS) {
      alerts.add(a);
    } else {
      noteOnce("alerts", "more than " + MAX_ALERTS + " alerts; the rest are not listed");
    }
  }

  // ------------------------------------------------------------------------- waiting, stopping

  private void hold(Half h, byte[] b, int off, int len) {
    if (len == 0) {
      return;
    }
    if (h.heldLen + len > HELD_MAX) {
      note(h.dir.sender() + "'s stream ran more than " + HELD_MAX + " bytes ahead of the "
          + (h == client ? "ServerHello" : "ClientHello") + "; the rest of it is unknown");
      h.unknownRest = true;
      stop(h);
      return;
    }
    if (h.held == null || h.heldLen + len > h.held.length) {
      int cap = Math.min(HELD_MAX, Math.max(256, Math.max(h.heldLen + len,
          h.held == null ? 0 : h.held.length * 2)));
      h.held = h.held == null ? new byte[cap] : Arrays.copyOf(h.held, cap);
    }
    System.arraycopy(b, off, h.held, h.heldLen, len);
    h.heldLen += len;
  }

  private void resumeWaiting() {
    while (!notTls) {
      Half h;
      if (server.state == PAUSED && clientRandom != null) {
        h = server;
      } else if (client.state == PAUSED && version >= 0) {
        h = client;
      } else {
        return;
      }
      byte[] data = h.held;
      int n = h.heldLen;
      h.held = null;
      h.heldLen = 0;
      h.state = RUNNING;
      if (data != null) {
        parse(h, data, 0, n);
      }
    }
  }

  private void stop(Half h) {
    h.state = STOPPED;
    h.held = null;
    h.heldLen = 0;
    h.body = null;
    h.buffering = false;
  }

  private void garbage(Half h, String why) {
    note(h.dir.sender() + "'s stream stops looking like TLS at offset " + h.recStartOrPos()
        + ": " + why + "; the rest of it is not read");
    h.unknownRest = true;
    stop(h);
  }

  private void notTls(String why) {
    notTls = true;
    note("not TLS: " + why);
    stop(client);
    stop(server);
  }

  private void keysFailed(Half h, long start) {
    note(h.dir.sender() + "'s record at offset " + start
        + " does not decrypt with the key log's secrets; later records are not decrypted");
    h.keysUnusable = true;
    h.dec12 = null;
    h.hsDec = null;
    h.appDec = null;
  }

  private void noKeys() {
    noteOnce("no-keys", keys.isEmpty()
        ? "no key log: encrypted records are not decrypted"
        : "the key log has no secrets for client random " + HexFormat.of().formatHex(clientRandom));
  }

  private void internalError(Half h, RuntimeException e) {
    note("internal error while reading " + h.dir.sender() + "'s stream at offset " + h.pos + ": "
        + e);
    h.unknownRest = true;
    stop(h);
  }

  private void note(String s) {
    if (notes.size() < MAX_NOTES) {
      notes.add(s);
    }
  }

  private void noteOnce(String key, String s) {
    if (onceKeys.add(key)) {
      note(s);
    }
  }

  // -------------------------------------------------------------------------------- helpers

  private static int u16(byte[] b, int p) {
    return ((b[p] & 0xff) << 8) | (b[p + 1] & 0xff);
  }

  static String versionName(int v) {
    return switch (v) {
      case -1 -> null;
      case 0x0300 -> "SSL 3.0";
      case 0x0301 -> "1.0";
      case 0x0302 -> "1.1";
      case 0x0303 -> "1.2";
      case 0x0304 -> "1.3";
      default -> String.format("0x%04X", v);
    };
  }
}
