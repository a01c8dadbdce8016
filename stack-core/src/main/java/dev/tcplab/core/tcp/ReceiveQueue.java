package dev.tcplab.core.tcp;

/**
 * In-order bytes received and not yet read by the application (RFC 9293 §3.10.7.4 seventh: "the text
 * of the segment is moved to the receive buffer"). Holds views of received payloads; bytes are copied
 * once, when the application reads them.
 */
final class ReceiveQueue {
  private final SliceQueue bytes = new SliceQueue();

  long size() {
    return bytes.size();
  }

  boolean isEmpty() {
    return bytes.isEmpty();
  }

  void add(byte[] array, int offset, int length) {
    bytes.add(new ByteSlice(array, offset, length));
  }

  int read(byte[] dst, int off, int len) {
    return bytes.read(dst, off, len);
  }

  void clear() {
    bytes.clear();
  }
}
