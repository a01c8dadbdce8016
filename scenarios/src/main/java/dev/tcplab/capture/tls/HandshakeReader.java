package dev.tcplab.capture.tls;

/**
 * Splits a handshake byte stream (RFC 8446 §4: type, 24-bit length, body) into messages, across
 * record boundaries. Keeps the body (up to one record's worth) only of the messages the observer
 * reads: ClientHello, ServerHello, KeyUpdate; for the others it reports just the type.
 */
final class HandshakeReader {
  static final int CLIENT_HELLO = 1;
  static final int SERVER_HELLO = 2;
  static final int FINISHED = 20;
  static final int KEY_UPDATE = 24;

  /** Receives each complete message. */
  interface Sink {
    /**
     * @param body the first {@code have} bytes of the body, or null when not kept
     * @param length the body's full length
     */
    void message(int type, byte[] body, int have, int length);
  }

  private final byte[] head = new byte[4];
  private int headHave;
  private int type;
  private int length;
  private int got;
  private byte[] keep;
  private int keepHave;

  void reset() {
    headHave = 0;
    keep = null;
    got = 0;
  }

  void feed(byte[] b, int off, int len, Sink sink) {
    while (len > 0) {
      if (headHave < 4) {
        int n = Math.min(4 - headHave, len);
        System.arraycopy(b, off, head, headHave, n);
        headHave += n;
        off += n;
        len -= n;
        if (headHave < 4) {
          return;
        }
        type = head[0] & 0xff;
        length = ((head[1] & 0xff) << 16) | ((head[2] & 0xff) << 8) | (head[3] & 0xff);
        got = 0;
        keepHave = 0;
        keep = kept(type) ? new byte[Math.min(length, TlsStreamObserver.MAX_RECORD_BODY)] : null;
        if (length == 0) {
          deliver(sink);
        }
        continue;
      }
      int n = Math.min(length - got, len);
      if (keep != null && keepHave < keep.length) {
        int k = Math.min(n, keep.length - keepHave);
        System.arraycopy(b, off, keep, keepHave, k);
        keepHave += k;
      }
      got += n;
      off += n;
      len -= n;
      if (got == length) {
        deliver(sink);
      }
    }
  }

  private void deliver(Sink sink) {
    byte[] k = keep;
    int h = keepHave;
    headHave = 0;
    keep = null;
    sink.message(type, k, h, length);
  }

  private static boolean kept(int type) {
    return type == CLIENT_HELLO || type == SERVER_HELLO || type == KEY_UPDATE;
  }
}
