package dev.tcplab.sim.pcap;

/**
 * The native libpcap library that pcap4j needs for file I/O could not be loaded. The message is one
 * line that says what to install; the JNA error is summarised in it rather than attached as a
 * cause, so printing this exception does not print a native-loader stack trace.
 */
public final class PcapUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  PcapUnavailableException(String message) {
    super(message);
  }
}
