package dev.tcplab.tls;

import org.bouncycastle.tls.AlertDescription;

/**
 * A fatal TLS error. {@link Origin#LOCAL}: this side detected the problem and sent the fatal alert
 * (it is in the engine's pending output, so the caller can still deliver it). {@link Origin#PEER}:
 * a fatal alert was received. Once an engine has failed every further input/write call rethrows the
 * same failure.
 */
public final class TlsFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Which side raised the alert. */
  public enum Origin {
    /** We detected the error and sent the alert. */
    LOCAL,
    /** The peer sent us the alert. */
    PEER
  }

  private final Origin origin;
  private final short alertDescription;

  TlsFailure(Origin origin, short alertDescription, String detail, Throwable cause) {
    super(message(origin, alertDescription, detail), cause);
    this.origin = origin;
    this.alertDescription = alertDescription;
  }

  private static String message(Origin origin, short description, String detail) {
    String what =
        origin == Origin.LOCAL
            ? "TLS fatal alert " + AlertDescription.getName(description) + " sent"
            : "TLS fatal alert " + AlertDescription.getName(description) + " received from peer";
    return detail == null || detail.isEmpty() ? what : what + " " + detail;
  }

  public Origin origin() {
    return origin;
  }

  /** The alert's description code (RFC 8446 section 6), e.g. 70 for protocol_version. */
  public short alertDescription() {
    return alertDescription;
  }

  /**
   * The alert's name, e.g. {@code protocol_version}, {@code handshake_failure}, {@code
   * bad_record_mac}.
   */
  public String alertName() {
    return AlertDescription.getName(alertDescription);
  }
}
