package dev.tcplab.capture.tls;

import java.util.List;

/**
 * What a {@link TlsStreamObserver} found on one TCP connection.
 *
 * <p>The close_notify flags are three-valued: {@code TRUE} the side's close_notify was seen (in
 * clear or decrypted); {@code FALSE} it certainly was not sent in the bytes observed (the whole
 * stream was parsed, and every record that could hold an alert was readable: in clear, decrypted,
 * or — TLS 1.2 — no alert record at all); {@code null} it cannot be told (an encrypted alert
 * without keys, TLS 1.3 without keys, bytes missing, or the stream stopped looking like TLS).
 *
 * @param isTls the client's stream begins with a TLS handshake record holding a ClientHello
 * @param version "1.2", "1.3", "1.1", "1.0", "SSL 3.0", {@code 0xHHHH}; null before a ServerHello
 * @param cipherSuite the IANA name of the negotiated suite ({@code 0xHHHH} if unknown), or null
 * @param decrypted the key log held this connection's secrets and at least one record decrypted
 * @param clientCloseNotify the client sent close_notify (see above)
 * @param serverCloseNotify the server sent close_notify
 * @param clientCloseNotifyEnd stream offset just after the record holding the client's
 *     close_notify, -1 if none was seen
 * @param serverCloseNotifyEnd the same for the server
 * @param alerts every alert record seen, in the order the observer read them
 * @param clientRecords records seen in the client's stream
 * @param serverRecords records seen in the server's stream
 * @param notes why something is unknown, what was skipped, where parsing stopped; for people
 */
public record TlsSummary(
    boolean isTls,
    String version,
    String cipherSuite,
    boolean decrypted,
    Boolean clientCloseNotify,
    Boolean serverCloseNotify,
    long clientCloseNotifyEnd,
    long serverCloseNotifyEnd,
    List<Alert> alerts,
    long clientRecords,
    long serverRecords,
    List<String> notes) {

  public TlsSummary {
    alerts = List.copyOf(alerts);
    notes = List.copyOf(notes);
  }

  /** The close_notify flag of the side sending in {@code dir}. */
  public Boolean closeNotify(Direction dir) {
    return dir == Direction.CLIENT_TO_SERVER ? clientCloseNotify : serverCloseNotify;
  }

  /** The end offset of {@code dir}'s close_notify record, -1 if none. */
  public long closeNotifyEnd(Direction dir) {
    return dir == Direction.CLIENT_TO_SERVER ? clientCloseNotifyEnd : serverCloseNotifyEnd;
  }

  /** The alerts sent in {@code dir}. */
  public List<Alert> alerts(Direction dir) {
    return alerts.stream().filter(a -> a.direction() == dir).toList();
  }

  /**
   * One alert record (for TLS 1.2, one alert of a record; a record may hold several).
   *
   * @param direction who sent it
   * @param offset stream offset of the record's first header byte
   * @param end stream offset just after the record
   * @param level "warning", "fatal", {@code unknown(N)}; null when not decrypted
   * @param description RFC 8446 §6 name (retired TLS 1.2 codes end in {@code _RESERVED}),
   *     {@code unknown(N)}; null when not decrypted
   * @param code the description's number, -1 when not decrypted
   * @param encrypted the record was encrypted on the wire
   * @param undecrypted encrypted and not decrypted (no keys, or keys that do not fit)
   */
  public record Alert(
      Direction direction,
      long offset,
      long end,
      String level,
      String description,
      int code,
      boolean encrypted,
      boolean undecrypted) {

    public boolean isCloseNotify() {
      return code == Alerts.CLOSE_NOTIFY;
    }

    public boolean isFatal() {
      return "fatal".equals(level);
    }

    @Override
    public String toString() {
      String what = undecrypted ? "encrypted alert (not decrypted)" : level + " " + description
          + (encrypted ? " (decrypted)" : "");
      return direction.sender() + " " + what + " at " + offset + ".." + end;
    }
  }
}
