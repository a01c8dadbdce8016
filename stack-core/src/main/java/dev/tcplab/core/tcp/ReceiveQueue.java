package dev.tcplab.core.tcp;

/**
 * In-order bytes received and not yet read by the application (RFC 9293 §3.10.7.4 seventh: "the text
 * of the segment is moved to the receive buffer"). Holds views of received payloads; bytes are copied
 * once, when the application reads them.
 */
final class ReceiveQueue extends SliceQueue {
  void add(byte[] array, int offset, int length) {
    add(slice(array, offset, length));
  }
}
