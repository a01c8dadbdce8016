package dev.tcplab.core.tcp;

/** The eleven connection states of RFC 9293 §3.3.2. */
public enum TcpState {
  CLOSED,
  LISTEN,
  SYN_SENT,
  SYN_RECEIVED,
  ESTABLISHED,
  FIN_WAIT_1,
  FIN_WAIT_2,
  CLOSE_WAIT,
  CLOSING,
  LAST_ACK,
  TIME_WAIT;

  /** The RFC's spelling, e.g. {@code FIN-WAIT-1}. */
  public String rfcName() {
    return name().replace('_', '-');
  }

  /** True from ESTABLISHED on: both sequence numbers are known (RFC 9293 §3.5). */
  public boolean isSynchronized() {
    return this != CLOSED && this != LISTEN && this != SYN_SENT && this != SYN_RECEIVED;
  }

  /** True in the states where we may still send data (RFC 9293 §3.10.2). */
  public boolean canSend() {
    return this == ESTABLISHED || this == CLOSE_WAIT;
  }

  /** True once our FIN has been queued. */
  public boolean finQueued() {
    return this == FIN_WAIT_1
        || this == FIN_WAIT_2
        || this == CLOSING
        || this == LAST_ACK
        || this == TIME_WAIT;
  }

  /** True once the peer's FIN has been received. */
  public boolean finReceived() {
    return this == CLOSE_WAIT || this == CLOSING || this == LAST_ACK || this == TIME_WAIT;
  }

  @Override
  public String toString() {
    return rfcName();
  }
}
