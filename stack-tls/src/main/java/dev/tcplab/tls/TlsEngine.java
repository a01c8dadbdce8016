package dev.tcplab.tls;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Vector;
import java.util.function.Consumer;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.AlertLevel;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.NamedGroup;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SecurityParameters;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsClientProtocol;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsFatalAlertReceived;
import org.bouncycastle.tls.TlsProtocol;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.TlsServerProtocol;
import org.bouncycastle.tls.crypto.TlsSecret;

/**
 * One side of a TLS 1.2 or 1.3 connection as a byte-in/byte-out state machine, independent of any
 * transport: feed it what arrived from TCP ({@link #offerInput}), send what it produced ({@link
 * #pendingOutput} / {@link #readOutput}). Wraps Bouncy Castle's non-blocking {@link
 * TlsClientProtocol} / {@link TlsServerProtocol}.
 *
 * <h2>Negotiation</h2>
 *
 * The client offers exactly the requested version and one cipher suite; the server accepts exactly
 * its version: TLS 1.3 uses TLS_AES_128_GCM_SHA256, TLS 1.2 TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
 * (groups x25519 and secp256r1, ECDSA P-256 server certificate from a {@link TlsIdentity}). A
 * version mismatch fails with a protocol_version alert. The client accepts any server certificate
 * (no PKI in the simulator) but BC still verifies the server's signature with the certificate's
 * key.
 *
 * <h2>Determinism</h2>
 *
 * All randomness (randoms, key shares, ECDSA signatures, TLS 1.3 legacy_session_id) comes from a
 * {@link SeededTlsCrypto} seeded with the engine's {@code seed} and role, and no clock is read, so
 * the same seeds on both sides and the same sequence of calls give byte-identical output. The
 * records' AES-GCM runs on the JDK's intrinsic cipher ({@link JdkAesGcm}); it writes the same bytes
 * Bouncy Castle's own GCM would.
 *
 * <h2>close_notify</h2>
 *
 * Closing is explicit and per direction, for both versions. {@link #closeNotify()} sends
 * close_notify (after any data written before it; if called during the handshake it is sent once
 * the handshake completes); the engine still accepts and decrypts input afterwards. A received
 * close_notify is reported ({@link Listener#closeNotifyReceived()}, {@link #closeNotifyReceived()},
 * {@link #readApplicationData} returns -1 once drained) but is <em>not</em> answered automatically
 * — the application decides when to call {@link #closeNotify()} and may still write data before
 * (TLS 1.3 half-close). Bytes that arrive after the peer's close_notify are ignored ({@link
 * #ignoredInputBytes()}). BC's own {@code close()} would answer at once and shut both directions,
 * so the engine intercepts close_notify itself. A transport EOF without close_notify (truncation)
 * is the caller's business.
 *
 * <h2>Callbacks and threading</h2>
 *
 * Not thread-safe: drive an engine from one thread (the simulator's). Listener callbacks run on the
 * calling thread after Bouncy Castle has returned, at the end of the public method that caused
 * them, so a listener may call back into the engine.
 */
public final class TlsEngine {

  /** Which end of the connection an engine is. */
  public enum Role {
    CLIENT,
    SERVER
  }

  /**
   * Events of one engine. Levels and descriptions are the RFC codes (Bouncy Castle's {@link
   * AlertLevel} / {@link AlertDescription} constants; {@link #alertName(short)} gives the name).
   * All methods default to no-ops.
   */
  public interface Listener {
    /** The handshake finished; application data may flow. */
    default void handshakeComplete(TlsVersion version, String cipherSuite) {}

    /** The peer's close_notify arrived (after {@link #alertReceived} for it). */
    default void closeNotifyReceived() {}

    /** Any alert arrived, warning or fatal, including close_notify. */
    default void alertReceived(short level, short description) {}

    /** This engine sent an alert (close_notify, or a fatal alert when it fails). */
    default void alertSent(short level, short description) {}
  }

  /**
   * Largest record body let through before the header reaches BC (2^14 + 2048, the TLS 1.2 limit).
   */
  private static final int MAX_RECORD_BODY = (1 << 14) + 2048;

  private static final int RECORD_HEADER = 5;

  private final Role role;
  private final TlsVersion version;
  private final KeyLog keyLog;
  private final TlsIdentity identity;
  private final SeededTlsCrypto crypto;
  private final TlsProtocol protocol;
  private final CloseNotifySender closeSender;

  private final List<Listener> listeners = new ArrayList<>();
  private final ArrayDeque<Consumer<Listener>> events = new ArrayDeque<>();
  private boolean firing;

  private boolean started;
  private boolean handshakeComplete;
  private boolean closeRequested;
  private boolean closeNotifySent;
  private boolean closeNotifyReceived;
  private TlsFailure failure;
  private short lastFatalSent = -1;
  private String lastFatalSentMessage;
  private String cipherSuite;
  private X509CertificateHolder peerCertificate;

  private byte[] inBuf = new byte[8192];
  private int inStart;
  private int inEnd;
  private long ignoredInputBytes;
  private final ByteArrayOutputStream pendingWrites = new ByteArrayOutputStream();

  private TlsEngine(Role role, TlsVersion version, TlsIdentity identity, long seed, KeyLog keyLog,
      SeededTlsCrypto.Gcm gcm) {
    this.role = Objects.requireNonNull(role);
    this.version = Objects.requireNonNull(version, "version");
    this.identity = identity;
    this.keyLog = keyLog;
    this.crypto = new SeededTlsCrypto(
        seed, role == Role.CLIENT ? "tcplab-tls-client" : "tcplab-tls-server", gcm);
    if (role == Role.CLIENT) {
      ClientProtocol p = new ClientProtocol();
      this.protocol = p;
      this.closeSender = p;
    } else {
      ServerProtocol p = new ServerProtocol();
      this.protocol = p;
      this.closeSender = p;
    }
  }

  /**
   * A client offering exactly {@code version}. {@code keyLog} may be null. Call {@link #start()} to
   * produce the ClientHello.
   */
  public static TlsEngine client(TlsVersion version, long seed, KeyLog keyLog) {
    return client(version, seed, keyLog, SeededTlsCrypto.Gcm.JDK);
  }

  /** A client whose records use {@code gcm}'s AES-GCM (tests compare the implementations). */
  static TlsEngine client(TlsVersion version, long seed, KeyLog keyLog, SeededTlsCrypto.Gcm gcm) {
    return new TlsEngine(Role.CLIENT, version, null, seed, keyLog, gcm);
  }

  /**
   * A server accepting exactly {@code version} and presenting {@code identity}. {@code keyLog} may
   * be null. {@link #start()} is optional for a server (the first {@link #offerInput} starts it).
   */
  public static TlsEngine server(
      TlsVersion version, TlsIdentity identity, long seed, KeyLog keyLog) {
    return server(version, identity, seed, keyLog, SeededTlsCrypto.Gcm.JDK);
  }

  /** A server whose records use {@code gcm}'s AES-GCM (tests compare the implementations). */
  static TlsEngine server(TlsVersion version, TlsIdentity identity, long seed, KeyLog keyLog,
      SeededTlsCrypto.Gcm gcm) {
    return new TlsEngine(
        Role.SERVER, version, Objects.requireNonNull(identity, "identity"), seed, keyLog, gcm);
  }

  /** Replaces every registered listener with {@code listener} (null: none). */
  public TlsEngine setListener(Listener listener) {
    listeners.clear();
    if (listener != null) {
      listeners.add(listener);
    }
    return this;
  }

  /** Adds a listener; listeners are called in registration order. */
  public TlsEngine addListener(Listener listener) {
    listeners.add(Objects.requireNonNull(listener));
    return this;
  }

  public void removeListener(Listener listener) {
    listeners.remove(listener);
  }

  // ----------------------------------------------------------------------------------------------
  // driving

  /**
   * Begins the handshake: a client queues its ClientHello, a server starts waiting for one.
   * Idempotent.
   */
  public void start() {
    checkNotFailed();
    if (started) {
      return;
    }
    try {
      start0();
    } finally {
      fireEvents();
    }
  }

  private void start0() {
    started = true;
    try {
      if (role == Role.CLIENT) {
        ((ClientProtocol) protocol).connect(new Client());
      } else {
        ((ServerProtocol) protocol).accept(new Server());
      }
    } catch (IOException e) {
      throw fail(e);
    }
  }

  /**
   * Bytes received from the transport, any split. Complete records are processed at once; a partial
   * record is kept until the rest arrives. May queue output (handshake messages, alerts) and make
   * application data available.
   *
   * @throws TlsFailure on a fatal error (a fatal alert is then pending in the output) or a fatal
   *     alert received
   * @throws IllegalStateException for a client that was not {@link #start() started}
   */
  public void offerInput(byte[] b, int off, int len) {
    Objects.checkFromIndexSize(off, len, b.length);
    checkNotFailed();
    if (!started) {
      if (role == Role.CLIENT) {
        throw new IllegalStateException(
            "call start() before offering input to a TLS client engine");
      }
      start0();
    }
    try {
      if (closeNotifyReceived) {
        ignoredInputBytes += len;
        return;
      }
      append(b, off, len);
      feedRecords();
      afterProtocolStep();
    } catch (IOException e) {
      throw fail(e);
    } finally {
      fireEvents();
    }
  }

  /**
   * Bytes waiting to be sent on the transport. Still drainable after a failure (the fatal alert).
   */
  public int pendingOutput() {
    return protocol.getAvailableOutputBytes();
  }

  /** Moves up to {@code len} pending output bytes to {@code dst}; returns how many. */
  public int readOutput(byte[] dst, int off, int len) {
    Objects.checkFromIndexSize(off, len, dst.length);
    return protocol.readOutput(dst, off, len);
  }

  /** All pending output. */
  public byte[] drainOutput() {
    byte[] out = new byte[pendingOutput()];
    int n = readOutput(out, 0, out.length);
    return n == out.length ? out : Arrays.copyOf(out, n);
  }

  /**
   * Encrypts application data (split into records of at most 16 KiB) into the pending output.
   * Before the handshake completes the data is buffered and sent right after it.
   *
   * @throws IllegalStateException after {@link #closeNotify()}
   */
  public void writeApplicationData(byte[] b, int off, int len) {
    Objects.checkFromIndexSize(off, len, b.length);
    checkNotFailed();
    if (closeRequested) {
      throw new IllegalStateException(
          "close_notify already sent or requested: no more application data");
    }
    if (len == 0) {
      return;
    }
    if (!handshakeComplete) {
      pendingWrites.write(b, off, len);
      return;
    }
    try {
      protocol.writeApplicationData(b, off, len);
    } catch (IOException e) {
      throw fail(e);
    } finally {
      fireEvents();
    }
  }

  /** Decrypted application data ready to be read. */
  public int availableInput() {
    return protocol.getAvailableInputBytes();
  }

  /**
   * Reads decrypted application data: the number of bytes copied, 0 if none is available yet, or -1
   * once the peer's close_notify has arrived and everything before it was read.
   */
  public int readApplicationData(byte[] dst, int off, int len) {
    Objects.checkFromIndexSize(off, len, dst.length);
    int avail = protocol.getAvailableInputBytes();
    if (avail == 0) {
      return closeNotifyReceived && len > 0 ? -1 : 0;
    }
    return protocol.readInput(dst, off, Math.min(len, avail));
  }

  /**
   * Sends close_notify: this side will write no more application data. Data written before is sent
   * first; during the handshake the alert is deferred until the handshake completes. Reading
   * continues. Idempotent.
   */
  public void closeNotify() {
    checkNotFailed();
    if (closeRequested) {
      return;
    }
    closeRequested = true;
    try {
      afterProtocolStep();
    } catch (IOException e) {
      throw fail(e);
    } finally {
      fireEvents();
    }
  }

  // ------------------------------------------------------------------------------------------------ state

  public Role role() {
    return role;
  }

  /**
   * The version this engine offers/accepts (and, once the handshake completed, the negotiated one).
   */
  public TlsVersion version() {
    return version;
  }

  public boolean started() {
    return started;
  }

  public boolean handshakeComplete() {
    return handshakeComplete;
  }

  /** The negotiated cipher suite's IANA name, once the handshake completed. */
  public Optional<String> cipherSuite() {
    return Optional.ofNullable(cipherSuite);
  }

  /**
   * close_notify was requested with {@link #closeNotify()} (it may still wait for the handshake).
   */
  public boolean closeNotifyRequested() {
    return closeRequested;
  }

  /** Our close_notify is in the output (or was already read from it). */
  public boolean closeNotifySent() {
    return closeNotifySent;
  }

  public boolean closeNotifyReceived() {
    return closeNotifyReceived;
  }

  /** Both close_notify alerts were exchanged, or the engine failed. */
  public boolean closed() {
    return failure != null || (closeNotifySent && closeNotifyReceived);
  }

  public boolean failed() {
    return failure != null;
  }

  public Optional<TlsFailure> failure() {
    return Optional.ofNullable(failure);
  }

  /**
   * The server's leaf certificate as received by a client (empty for a server or before it
   * arrived).
   */
  public Optional<X509CertificateHolder> peerCertificate() {
    return Optional.ofNullable(peerCertificate);
  }

  /** Input bytes discarded because they arrived after the peer's close_notify. */
  public long ignoredInputBytes() {
    return ignoredInputBytes;
  }

  /** Bytes of an incomplete record waiting for the rest. */
  public int partialRecordBytes() {
    return inEnd - inStart;
  }

  /** The name of an alert description, e.g. {@code protocol_version}. */
  public static String alertName(short description) {
    return AlertDescription.getName(description);
  }

  /** IANA name of the two suites we negotiate, else {@code 0xHHHH}. */
  static String cipherSuiteName(int suite) {
    switch (suite) {
      case CipherSuite.TLS_AES_128_GCM_SHA256:
        return "TLS_AES_128_GCM_SHA256";
      case CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:
        return "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
      default:
        return String.format("0x%04X", suite);
    }
  }

  static int cipherSuiteFor(TlsVersion version) {
    return version == TlsVersion.TLS_1_3
        ? CipherSuite.TLS_AES_128_GCM_SHA256
        : CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
  }

  @Override
  public String toString() {
    return "TlsEngine["
        + role
        + " TLS "
        + version.display()
        + (handshakeComplete ? " established" : started ? " handshaking" : " new")
        + (closeNotifySent ? " close_notify-sent" : "")
        + (closeNotifyReceived ? " close_notify-received" : "")
        + (failure != null ? " failed:" + failure.alertName() : "")
        + "]";
  }

  // -------------------------------------------------------------------------------------------
  // internals

  private void append(byte[] b, int off, int len) {
    if (inStart == inEnd) {
      inStart = 0;
      inEnd = 0;
    }
    if (inEnd + len > inBuf.length) {
      int live = inEnd - inStart;
      if (live + len <= inBuf.length) {
        System.arraycopy(inBuf, inStart, inBuf, 0, live);
      } else {
        byte[] bigger = new byte[Math.max(inBuf.length * 2, live + len)];
        System.arraycopy(inBuf, inStart, bigger, 0, live);
        inBuf = bigger;
      }
      inStart = 0;
      inEnd = live;
    }
    System.arraycopy(b, off, inBuf, inEnd, len);
    inEnd += len;
  }

  /**
   * Hands BC one complete record at a time so that nothing after a close_notify is processed (BC
   * would otherwise consume every record in the buffer in one call).
   */
  private void feedRecords() throws IOException {
    while (failure == null && !closeNotifyReceived) {
      int avail = inEnd - inStart;
      if (avail < RECORD_HEADER) {
        break;
      }
      int bodyLen = ((inBuf[inStart + 3] & 0xff) << 8) | (inBuf[inStart + 4] & 0xff);
      // An oversized length: give BC just the header so that it raises record_overflow right away.
      int n = bodyLen > MAX_RECORD_BODY ? RECORD_HEADER : RECORD_HEADER + bodyLen;
      if (avail < n) {
        break;
      }
      int at = inStart;
      inStart += n;
      protocol.offerInput(inBuf, at, n);
    }
    if (closeNotifyReceived && inEnd > inStart) {
      ignoredInputBytes += inEnd - inStart;
      inStart = inEnd;
    }
  }

  /** Once the handshake is done: flush data written early, then a requested close_notify. */
  private void afterProtocolStep() throws IOException {
    if (!handshakeComplete || failure != null) {
      return;
    }
    if (pendingWrites.size() > 0) {
      byte[] early = pendingWrites.toByteArray();
      pendingWrites.reset();
      protocol.writeApplicationData(early, 0, early.length);
    }
    if (closeRequested && !closeNotifySent) {
      closeSender.sendCloseNotify();
      closeNotifySent = true;
    }
  }

  private void checkNotFailed() {
    if (failure != null) {
      throw failure;
    }
  }

  private TlsFailure fail(IOException e) {
    if (failure == null) {
      String phase = handshakeComplete ? "after the handshake" : "during the handshake";
      if (e instanceof TlsFatalAlertReceived) {
        short description = ((TlsFatalAlertReceived) e).getAlertDescription();
        failure = new TlsFailure(TlsFailure.Origin.PEER, description, phase, e);
      } else {
        short description =
            lastFatalSent >= 0
                ? lastFatalSent
                : e instanceof TlsFatalAlert
                    ? ((TlsFatalAlert) e).getAlertDescription()
                    : AlertDescription.internal_error;
        failure =
            new TlsFailure(TlsFailure.Origin.LOCAL, description, phase + detail(description, e), e);
      }
    }
    return failure;
  }

  /** BC's reason for the alert plus the exception's own message when it adds something. */
  private String detail(short description, IOException e) {
    StringBuilder sb = new StringBuilder();
    String raised = lastFatalSentMessage;
    String own = e.getMessage();
    if (own != null && own.equals(AlertDescription.getText(description))) {
      own = null; // just "protocol_version(70)"
    }
    if (raised != null) {
      sb.append(": ").append(raised);
    }
    if (own != null && !own.equals(raised)) {
      sb.append(raised != null ? " (" + own + ")" : ": " + own);
    }
    Throwable cause = e.getCause();
    if (cause != null && cause.getMessage() != null) {
      sb.append(", caused by ").append(cause);
    }
    return sb.toString();
  }

  private void post(Consumer<Listener> event) {
    events.add(event);
  }

  private void fireEvents() {
    if (firing) {
      return; // a listener called back into the engine: the outer loop delivers the rest in order
    }
    firing = true;
    try {
      Consumer<Listener> event;
      while ((event = events.poll()) != null) {
        for (Listener l : List.copyOf(listeners)) {
          event.accept(l);
        }
      }
    } finally {
      firing = false;
    }
  }

  // BC callbacks (called while BC is processing; only record state and queue events here)

  private void onAlertRaised(short level, short description, String message) {
    if (level == AlertLevel.fatal && lastFatalSent < 0) {
      lastFatalSent = description;
      lastFatalSentMessage = message;
    }
    post(l -> l.alertSent(level, description));
  }

  private void onAlertReceived(short level, short description) {
    post(l -> l.alertReceived(level, description));
  }

  /** Called instead of BC's handleClose: record it, do not answer, stop feeding input. */
  private void onCloseNotifyReceived() {
    closeNotifyReceived = true;
    post(Listener::closeNotifyReceived);
  }

  private void onHandshakeComplete(TlsContext context) {
    SecurityParameters sp = context.getSecurityParametersConnection();
    ProtocolVersion negotiated = sp.getNegotiatedVersion();
    TlsVersion v = TlsVersion.fromBc(negotiated);
    if (v != version) {
      throw new IllegalStateException(
          "negotiated " + negotiated + " although only " + version + " is enabled");
    }
    cipherSuite = cipherSuiteName(sp.getCipherSuite());
    handshakeComplete = true;
    if (keyLog != null) {
      logSecrets(sp);
    }
    String suite = cipherSuite;
    post(l -> l.handshakeComplete(v, suite));
  }

  /**
   * Copies the secrets without destroying them ({@code extract()} would). At handshake completion
   * BC still holds the TLS 1.3 handshake traffic secrets as the "base keys" (used for Finished) and
   * the application traffic secrets as the current traffic secrets.
   */
  private void logSecrets(SecurityParameters sp) {
    byte[] clientRandom = sp.getClientRandom();
    if (version == TlsVersion.TLS_1_3) {
      logSecret(KeyLog.CLIENT_HANDSHAKE_TRAFFIC_SECRET, clientRandom, sp.getBaseKeyClient());
      logSecret(KeyLog.SERVER_HANDSHAKE_TRAFFIC_SECRET, clientRandom, sp.getBaseKeyServer());
      logSecret(KeyLog.CLIENT_TRAFFIC_SECRET_0, clientRandom, sp.getTrafficSecretClient());
      logSecret(KeyLog.SERVER_TRAFFIC_SECRET_0, clientRandom, sp.getTrafficSecretServer());
      logSecret(KeyLog.EXPORTER_SECRET, clientRandom, sp.getExporterMasterSecret());
    } else {
      logSecret(KeyLog.CLIENT_RANDOM, clientRandom, sp.getMasterSecret());
    }
  }

  private void logSecret(String label, byte[] clientRandom, TlsSecret secret) {
    if (secret == null || !secret.isAlive()) {
      return;
    }
    try {
      keyLog.add(label, clientRandom, secret.encrypt((b, o, l) -> Arrays.copyOfRange(b, o, o + l)));
    } catch (IOException e) {
      throw new IllegalStateException("cannot copy the " + label + " secret", e);
    }
  }

  // ------------------------------------------------------------------------------ Bouncy Castle
  // adapters

  /** Sends close_notify without BC's {@code close()}, which would also shut the read side. */
  private interface CloseNotifySender {
    void sendCloseNotify() throws IOException;
  }

  private final class ClientProtocol extends TlsClientProtocol implements CloseNotifySender {
    @Override
    protected void handleAlertWarningMessage(short description) throws IOException {
      if (description == AlertDescription.close_notify && handshakeComplete) {
        onCloseNotifyReceived();
        return;
      }
      super.handleAlertWarningMessage(description);
    }

    @Override
    public void sendCloseNotify() throws IOException {
      raiseAlertWarning(AlertDescription.close_notify, "close_notify");
    }
  }

  private final class ServerProtocol extends TlsServerProtocol implements CloseNotifySender {
    @Override
    protected void handleAlertWarningMessage(short description) throws IOException {
      if (description == AlertDescription.close_notify && handshakeComplete) {
        onCloseNotifyReceived();
        return;
      }
      super.handleAlertWarningMessage(description);
    }

    @Override
    public void sendCloseNotify() throws IOException {
      raiseAlertWarning(AlertDescription.close_notify, "close_notify");
    }
  }

  private final class Client extends DefaultTlsClient {
    Client() {
      super(crypto);
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
      return new ProtocolVersion[] {version.bcVersion()};
    }

    @Override
    protected int[] getSupportedCipherSuites() {
      return new int[] {cipherSuiteFor(version)};
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    protected Vector getSupportedGroups(Vector namedGroupRoles) {
      Vector groups = new Vector();
      groups.add(NamedGroup.x25519);
      groups.add(NamedGroup.secp256r1);
      return groups;
    }

    @Override
    public boolean shouldUseGMTUnixTime() {
      return false; // never put the wall clock into the TLS 1.2 client random
    }

    @Override
    public TlsAuthentication getAuthentication() {
      return new TlsAuthentication() {
        @Override
        public void notifyServerCertificate(TlsServerCertificate serverCertificate)
            throws IOException {
          Certificate chain = serverCertificate.getCertificate();
          if (chain == null || chain.isEmpty()) {
            throw new TlsFatalAlert(AlertDescription.bad_certificate, "empty server certificate");
          }
          peerCertificate = new X509CertificateHolder(chain.getCertificateAt(0).getEncoded());
        }

        @Override
        public TlsCredentials getClientCredentials(CertificateRequest certificateRequest) {
          return null;
        }
      };
    }

    @Override
    public void notifyAlertRaised(short level, short description, String message, Throwable cause) {
      onAlertRaised(level, description, message);
    }

    @Override
    public void notifyAlertReceived(short level, short description) {
      onAlertReceived(level, description);
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
      super.notifyHandshakeComplete();
      onHandshakeComplete(context);
    }
  }

  private final class Server extends DefaultTlsServer {
    Server() {
      super(crypto);
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
      return new ProtocolVersion[] {version.bcVersion()};
    }

    @Override
    protected int[] getSupportedCipherSuites() {
      return new int[] {cipherSuiteFor(version)};
    }

    @Override
    public boolean shouldUseGMTUnixTime() {
      return false; // never put the wall clock into the TLS 1.2 server random
    }

    @Override
    public TlsCredentials getCredentials() throws IOException {
      // DefaultTlsServer returns null for TLS 1.3; one ECDSA signer serves both versions.
      return identity.signerCredentials(context, crypto);
    }

    @Override
    public void notifyAlertRaised(short level, short description, String message, Throwable cause) {
      onAlertRaised(level, description, message);
    }

    @Override
    public void notifyAlertReceived(short level, short description) {
      onAlertReceived(level, description);
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
      super.notifyHandshakeComplete();
      onHandshakeComplete(context);
    }
  }
}
