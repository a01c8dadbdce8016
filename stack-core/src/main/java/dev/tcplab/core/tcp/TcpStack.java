package dev.tcplab.core.tcp;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import dev.tcplab.core.time.Clock;
import dev.tcplab.core.time.TimerScheduler;
import dev.tcplab.core.wire.Segment;
import dev.tcplab.core.wire.SeqNum;
import dev.tcplab.core.wire.TcpFlags;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One host's TCP: the connection table (demultiplexing by 4-tuple), listeners, ephemeral ports, ISNs,
 * segments to no connection (RFC 9293 §3.10.7.1) and the observers. Time, randomness and output are
 * injected, so two stacks can be driven by hand over an in-memory link.
 */
public final class TcpStack {
  /** Linux's ip_local_port_range. */
  static final int EPHEMERAL_LOW = 32768;

  static final int EPHEMERAL_HIGH = 60999;

  /** Where segments go: the link, the simulator, or a test's list. */
  @FunctionalInterface
  public interface SegmentOutput {
    void send(InetAddress src, InetAddress dst, Segment segment);
  }

  /** The congestion controllers on offer. */
  public enum CongestionAlgorithm {
    NEWRENO,
    CUBIC
  }

  private final InetAddress address;
  private final Clock clock;
  private final TimerScheduler scheduler;
  private final SegmentOutput output;
  private final Random random;
  private final Profile profile;
  private final int mss;
  private final int defaultSendBuffer;
  private final int defaultReceiveBuffer;
  private final CongestionAlgorithm congestion;
  private final HashFunction isnHash;
  private final String name;

  private final ConnectionTable connections = new ConnectionTable();
  private final Map<Integer, TcpListener> listeners = new HashMap<>();
  private final Map<Integer, TcpConnection> passiveOpens = new HashMap<>();
  /** Copied on change, so that the per-segment loops over it allocate nothing. */
  private TcpObserver[] observers = new TcpObserver[0];
  private int nextEphemeral;
  /** The connection the last segment went to: a bulk flow finds it without a table lookup. */
  private TcpConnection lastHit;

  private TcpStack(Builder b) {
    this.address = b.address;
    this.clock = b.clock;
    this.scheduler = b.scheduler;
    this.output = b.output;
    this.random = b.random;
    this.profile = b.profile;
    this.mss = b.mss;
    this.defaultSendBuffer = b.sendBuffer;
    this.defaultReceiveBuffer = b.receiveBuffer;
    this.congestion = b.congestion;
    this.name = b.name == null ? address.getHostAddress() : b.name;
    // RFC 6528: ISN = M + F(4-tuple, secretkey), F a keyed hash; the key comes from the seeded random.
    this.isnHash = Hashing.sipHash24(random.nextLong(), random.nextLong());
    this.nextEphemeral = EPHEMERAL_LOW + random.nextInt(EPHEMERAL_HIGH - EPHEMERAL_LOW + 1);
  }

  public static Builder builder() {
    return new Builder();
  }

  // ---------------------------------------------------------------------------------------------
  // Public API

  public InetAddress address() {
    return address;
  }

  public String name() {
    return name;
  }

  public Profile profile() {
    return profile;
  }

  /** The MSS this host announces (the link MTU less 40 bytes of headers). */
  public int mss() {
    return mss;
  }

  public void addObserver(TcpObserver observer) {
    checkNotNull(observer);
    TcpObserver[] grown = Arrays.copyOf(observers, observers.length + 1);
    grown[observers.length] = observer;
    observers = grown;
  }

  public void removeObserver(TcpObserver observer) {
    List<TcpObserver> l = new ArrayList<>(Arrays.asList(observers));
    l.remove(observer);
    observers = l.toArray(new TcpObserver[0]);
  }

  /** Active OPEN to {@code remote:port} from an ephemeral port. */
  public TcpSocket connect(InetAddress remote, int remotePort) {
    return connect(remote, remotePort, 0, null);
  }

  /**
   * Active OPEN from {@code localPort} (0 = ephemeral); {@code configure} may set socket options before
   * the SYN is built (buffer sizes decide the window scale).
   */
  public TcpSocket connect(
      InetAddress remote, int remotePort, int localPort, java.util.function.Consumer<TcpSocket> configure) {
    checkNotNull(remote, "remote");
    checkArgument(remotePort > 0 && remotePort <= 0xffff, "Remote port out of range: %s", remotePort);
    int port = localPort == 0 ? ephemeralPort(remote, remotePort) : localPort;
    ConnectionId id = new ConnectionId(address, port, remote, remotePort);
    if (connections.contains(id)) throw new TcpSocketException(SocketError.EADDRINUSE, id.toString());
    TcpConnection c = new TcpConnection(this);
    TcpSocket s = new TcpSocket(c);
    if (configure != null) configure.accept(s);
    c.id = id;
    connections.put(c);
    c.openActive();
    return s;
  }

  /** A Berkeley listener on {@code port} with an accept backlog. */
  public TcpListener listen(int port, int backlog) {
    checkArgument(port > 0 && port <= 0xffff, "Port out of range: %s", port);
    checkArgument(backlog > 0, "Backlog must be positive: %s", backlog);
    if (listeners.containsKey(port) || passiveOpens.containsKey(port)) {
      throw new TcpSocketException(SocketError.EADDRINUSE, "port " + port);
    }
    TcpListener l = new TcpListener(this, port, backlog);
    listeners.put(port, l);
    return l;
  }

  /**
   * RFC 9293 §3.10.1 passive OPEN of a single TCB on {@code port}: it waits in LISTEN for one peer, and
   * {@link TcpSocket#connect} turns it into an active OPEN (LISTEN to SYN-SENT).
   */
  public TcpSocket openPassive(int port) {
    checkArgument(port > 0 && port <= 0xffff, "Port out of range: %s", port);
    if (listeners.containsKey(port) || passiveOpens.containsKey(port)) {
      throw new TcpSocketException(SocketError.EADDRINUSE, "port " + port);
    }
    TcpConnection c = new TcpConnection(this);
    c.passivePort = port;
    TcpSocket s = new TcpSocket(c);
    passiveOpens.put(port, c);
    c.openPassive();
    return s;
  }

  /** LISTEN to SYN-SENT: a single-TCB passive OPEN told where to connect (RFC 9293 §3.10.2). */
  void connectFromListen(TcpConnection c, InetAddress remote, int remotePort) {
    ConnectionId id = new ConnectionId(address, c.passivePort, remote, remotePort);
    if (connections.contains(id)) throw new TcpSocketException(SocketError.EADDRINUSE, id.toString());
    passiveOpens.remove(c.passivePort, c);
    c.id = id;
    connections.put(c);
    c.openActive();
  }

  void closeListener(TcpListener l) {
    listeners.remove(l.port(), l);
  }

  /** Connections in the table (every state but LISTEN and CLOSED). */
  public int connectionCount() {
    return connections.size();
  }

  /** A snapshot of the connection table: id and state. */
  public Map<ConnectionId, TcpState> connectionStates() {
    Map<ConnectionId, TcpState> m = new HashMap<>();
    connections.forEach(c -> m.put(c.id, c.state));
    return m;
  }

  /**
   * SEGMENT ARRIVES at this host from {@code src} (RFC 9293 §3.10.7): demultiplexed to its connection,
   * a listener, or answered as a segment to no connection.
   */
  public void receive(InetAddress src, InetAddress dst, Segment seg) {
    for (TcpObserver o : observers) o.segmentReceived(src, dst, seg);
    TcpConnection c = lastHit;
    if (c == null || !c.matches(src, dst, seg)) {
      c = connections.get(dst, seg.dstPort(), src, seg.srcPort());
      lastHit = c;
    }
    long reopenIss = -1;
    if (c != null && c.state == TcpState.TIME_WAIT && seg.isSyn() && !seg.isAck()
        && SeqNum.gt(seg.seq(), c.tcb.rcvNxt) && hasListener(seg.dstPort())) {
      // RFC 9293 §3.10.7.4 / RFC 1122 §4.2.2.13: a new SYN with a higher sequence number may reopen.
      reopenIss = Integer.toUnsignedLong(reopenIss(c));
      c.event("new SYN in TIME-WAIT: reopening with ISS " + reopenIss);
      c.setState(TcpState.CLOSED, true, "new SYN in TIME-WAIT");
      c.terminate(ConnectionEnd.CLOSED_GRACEFULLY);
      c = null;
    }
    if (c != null) {
      c.segmentArrives(seg);
      return;
    }
    ConnectionId id = new ConnectionId(dst, seg.dstPort(), src, seg.srcPort());
    TcpConnection passive = passiveOpens.get(seg.dstPort());
    if (passive != null) {
      listenArrives(seg, id, () -> passive, null, reopenIss);
      return;
    }
    TcpListener l = listeners.get(seg.dstPort());
    if (l != null) {
      listenArrives(seg, id, () -> l.newChild(), l, reopenIss);
      return;
    }
    resetNoConnection(src, dst, seg);
  }

  // ---------------------------------------------------------------------------------------------
  // Internals

  private boolean hasListener(int port) {
    return listeners.containsKey(port) || passiveOpens.containsKey(port);
  }

  /** LISTEN (RFC 9293 §3.10.7.2). */
  /**
   * RFC 1122 §4.2.2.13 (1): the ISS of a connection reopened from TIME-WAIT lies above every sequence
   * number the old incarnation used (Linux: old SND.NXT + 65537; see {@link Profile#timeWaitIsnGap()}).
   */
  private int reopenIss(TcpConnection old) {
    int oldNxt = old.tcb.sndNxt;
    if (profile.timeWaitIsnGap() > 0) {
      int iss = oldNxt + profile.timeWaitIsnGap();
      return iss == 0 ? 1 : iss; // Linux never uses ISN 0 here
    }
    int iss = isn(old.id);
    return SeqNum.gt(iss, oldNxt) ? iss : oldNxt + 1;
  }

  /** LISTEN (RFC 9293 §3.10.7.2); {@code reopenIss} is the ISS to use, or -1 for a fresh RFC 6528 one. */
  private void listenArrives(
      Segment seg, ConnectionId id, java.util.function.Supplier<TcpConnection> tcb, TcpListener l,
      long reopenIss) {
    if (seg.isRst()) return; // first, check for an RST: ignore it
    if (seg.isAck()) {
      // second, check for an ACK: <SEQ=SEG.ACK><CTL=RST>
      sendReset(id.remoteAddress(), id.localAddress(), seg, "ACK to a listening port");
      return;
    }
    if (!seg.isSyn()) return; // fourth, other text or control: drop it
    if (l != null && !l.admits()) {
      emitEvent(null, "SYN dropped: backlog of port " + id.localPort() + " full");
      return;
    }
    TcpConnection c = tcb.get();
    if (l == null) passiveOpens.remove(id.localPort());
    c.id = id;
    connections.put(c);
    c.listenArrives(seg, reopenIss >= 0 ? (int) reopenIss : isn(id));
  }

  /** CLOSED (RFC 9293 §3.10.7.1): a segment to no connection draws a RST unless it is one. */
  private void resetNoConnection(InetAddress src, InetAddress dst, Segment seg) {
    if (seg.isRst()) return;
    sendReset(src, dst, seg, "segment to no connection");
  }

  /**
   * <SEQ=SEG.ACK><CTL=RST> for a segment with ACK, otherwise <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>
   * (RFC 9293 §3.10.7.1).
   */
  private void sendReset(InetAddress src, InetAddress dst, Segment seg, String why) {
    Segment.Builder b = Segment.builder().srcPort(seg.dstPort()).dstPort(seg.srcPort());
    if (seg.isAck()) {
      b.seq(seg.ack()).flags(TcpFlags.RST);
    } else {
      b.seq(0).ack(seg.seq() + seg.seqLength()).flags(TcpFlags.RST | TcpFlags.ACK);
    }
    Segment rst = b.build();
    for (TcpObserver o : observers) o.event(null, "RST for " + why + ": " + rst);
    emit(dst, src, rst);
  }

  private int ephemeralPort(InetAddress remote, int remotePort) {
    int span = EPHEMERAL_HIGH - EPHEMERAL_LOW + 1;
    for (int i = 0; i < span; i++) {
      int p = nextEphemeral;
      nextEphemeral = p == EPHEMERAL_HIGH ? EPHEMERAL_LOW : p + 1;
      if (!listeners.containsKey(p)
          && !passiveOpens.containsKey(p)
          && connections.get(address, p, remote, remotePort) == null) {
        return p;
      }
    }
    throw new TcpSocketException(SocketError.EADDRINUSE, "no ephemeral port left");
  }

  /** RFC 6528 ISN: a 4-microsecond clock plus a keyed hash of the 4-tuple. */
  int isn(ConnectionId id) {
    int m = (int) (clock.nanos() / 4_000L);
    int f =
        isnHash
            .newHasher()
            .putBytes(id.localAddress().getAddress())
            .putInt(id.localPort())
            .putBytes(id.remoteAddress().getAddress())
            .putInt(id.remotePort())
            .hash()
            .asInt();
    return m + f;
  }

  CongestionControl newCongestionControl(int smss) {
    return congestion == CongestionAlgorithm.CUBIC
        ? new Cubic(smss, profile.initialWindowSegments())
        : new NewReno(smss, profile.initialWindowSegments());
  }

  /** The clock this stack runs on (layers above use it, never the wall clock). */
  public Clock clock() {
    return clock;
  }

  /** The timer scheduler this stack runs on. */
  public TimerScheduler scheduler() {
    return scheduler;
  }

  Random random() {
    return random;
  }

  int defaultSendBuffer() {
    return defaultSendBuffer;
  }

  int defaultReceiveBuffer() {
    return defaultReceiveBuffer;
  }

  void transmit(TcpConnection c, Segment seg) {
    emit(c.id.localAddress(), c.id.remoteAddress(), seg);
  }

  private void emit(InetAddress src, InetAddress dst, Segment seg) {
    for (TcpObserver o : observers) o.segmentSent(src, dst, seg);
    output.send(src, dst, seg);
  }

  void stateChanged(TcpConnection c, Transition t, String reason) {
    for (TcpObserver o : observers) o.stateChanged(c.id, t, reason);
  }

  void event(TcpConnection c, String description) {
    emitEvent(c.id, description);
  }

  private void emitEvent(ConnectionId id, String description) {
    for (TcpObserver o : observers) o.event(id, description);
  }

  /** The handshake completed. */
  void established(TcpConnection c) {
    if (c.parent != null) c.parent.childEstablished(c);
    if (c.socket != null) c.socket.fireConnected();
  }

  /** A reset SYN-RECEIVED child went back to LISTEN (RFC 9293 §3.10.7.4 second). */
  void embryonicReset(TcpConnection c) {
    if (lastHit == c) lastHit = null;
    connections.remove(c);
    c.timers.cancelAll();
    if (c.parent != null) {
      c.parent.childGone(c);
    } else {
      // A single-TCB passive OPEN listens again.
      c.terminateQueues();
      passiveOpens.put(c.passivePort, c);
    }
  }

  void readable(TcpConnection c) {
    if (c.socket != null) c.socket.fireReadable();
  }

  boolean hasWritableInterest(TcpConnection c) {
    return c.socket != null && c.socket.hasListener();
  }

  void writable(TcpConnection c) {
    if (c.socket != null) c.socket.fireWritable();
  }

  /** The application is told the connection's fate before the TCB goes (TIME-WAIT entry). */
  void endReported(TcpConnection c, ConnectionEnd how) {
    if (c.socket != null) c.socket.fireClosed(how);
  }

  /** The TCB was deleted. */
  void removed(TcpConnection c, ConnectionEnd how) {
    if (lastHit == c) lastHit = null;
    if (c.id != null) connections.remove(c);
    if (c.passivePort != 0) passiveOpens.remove(c.passivePort, c);
    if (c.parent != null) c.parent.childGone(c);
    if (how != null) {
      for (TcpObserver o : observers) o.connectionEnded(c.id, how);
      if (c.socket != null) c.socket.fireClosed(how);
    }
  }

  /** The application let go of a connection that had already ended. */
  void forget(TcpConnection c) {
    if (c.id != null && c.state == TcpState.CLOSED) connections.remove(c);
  }

  @Override
  public String toString() {
    return "TcpStack[" + name + ", profile " + profile.name() + ", " + connections.size()
        + " connections]";
  }

  /** Debug view of the connection table, one line each. */
  public List<String> describeConnections() {
    List<String> l = new ArrayList<>();
    connections.forEach(c -> l.add(c.toString()));
    l.sort(null);
    return l;
  }

  /** Builds a {@link TcpStack}; address, clock, scheduler and output are required. */
  public static final class Builder {
    private InetAddress address;
    private Clock clock;
    private TimerScheduler scheduler;
    private SegmentOutput output;
    private Random random = new Random(0);
    private Profile profile = Profile.LINUX;
    private int mss = 1460;
    private int sendBuffer = 262_144; // tcp_wmem[1] as packetdrill's defaults.sh sets it
    private int receiveBuffer = 540_000; // tcp_rmem[1] as packetdrill's defaults.sh sets it
    private CongestionAlgorithm congestion = CongestionAlgorithm.NEWRENO;
    private String name;

    private Builder() {}

    public Builder address(InetAddress address) {
      this.address = checkNotNull(address);
      return this;
    }

    /** A clock that is also the timer scheduler (such as {@code ManualClock}). */
    public <T extends Clock & TimerScheduler> Builder time(T time) {
      this.clock = time;
      this.scheduler = time;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = checkNotNull(clock);
      return this;
    }

    public Builder scheduler(TimerScheduler scheduler) {
      this.scheduler = checkNotNull(scheduler);
      return this;
    }

    public Builder output(SegmentOutput output) {
      this.output = checkNotNull(output);
      return this;
    }

    /** The seeded source of ISN keys, timestamp offsets and ephemeral ports. */
    public Builder random(Random random) {
      this.random = checkNotNull(random);
      return this;
    }

    public Builder profile(Profile profile) {
      this.profile = checkNotNull(profile);
      return this;
    }

    /** The MSS to announce (MTU - 40 for IPv4 without options). */
    public Builder mss(int mss) {
      checkArgument(mss >= 64 && mss <= 65495, "MSS out of range: %s", mss);
      this.mss = mss;
      return this;
    }

    public Builder sendBuffer(int bytes) {
      checkArgument(bytes > 0, "Send buffer must be positive: %s", bytes);
      this.sendBuffer = bytes;
      return this;
    }

    public Builder receiveBuffer(int bytes) {
      checkArgument(bytes > 0, "Receive buffer must be positive: %s", bytes);
      this.receiveBuffer = bytes;
      return this;
    }

    public Builder congestionControl(CongestionAlgorithm algorithm) {
      this.congestion = checkNotNull(algorithm);
      return this;
    }

    /** A name for traces; the address by default. */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    public TcpStack build() {
      checkState(address != null, "address is required");
      checkState(clock != null && scheduler != null, "clock and scheduler are required");
      checkState(output != null, "output is required");
      return new TcpStack(this);
    }
  }
}
