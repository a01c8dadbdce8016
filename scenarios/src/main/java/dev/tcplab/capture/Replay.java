package dev.tcplab.capture;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.tcplab.core.tcp.Profile;
import dev.tcplab.core.tcp.TcpStack;
import dev.tcplab.core.wire.Segment;
import dev.tcplab.script.ScriptParser;
import dev.tcplab.script.ScriptRunner;
import dev.tcplab.script.ScriptSyntaxException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code tcplab replay}: one side of a captured connection, played by TcpLab's stack against the
 * other side's recorded packets. While a {@link CaptureAnalysis} reads the capture, the replay
 * records the segments of one connection; it then writes them as a packetdrill script ({@link
 * ReplayScript}) and runs that script, so a difference is reported as a script mismatch: the line,
 * what the recorded side sent and what the stack sent (or that it sent nothing).
 *
 * <p>The stack is set up as the recorded side was, as far as its SYN tells: the same MSS, the same
 * window scale (the profile's window-scale buffer chosen to give that shift), and the same options
 * offered (timestamps, SACK, window scaling). Everything else comes from the profile.
 */
public final class Replay {
  /** Longest connection replayed: a script of more lines is of no use to anyone reading it. */
  public static final int MAX_SEGMENTS = 100_000;

  private static final int WRITE_BUFFER = 64 << 20;

  private final int connection;
  private final List<ReplayScript.Captured> segments = new ArrayList<>();
  private TrackedConnection chosen;
  private long firstMissing = -1;

  /**
   * @param connection the connection's number in the analysis (1-based), or 0 for the first
   *     connection whose handshake the capture holds
   */
  public Replay(int connection) {
    checkArgument(connection >= 0, "connection number must not be negative: %s", connection);
    this.connection = connection;
  }

  /** Records the chosen connection while {@code analysis} reads the capture. */
  public void attach(CaptureAnalysis analysis) {
    analysis.listen(this::segment);
  }

  private void segment(
      TrackedConnection c, Side from, Segment s, int onWire, long packet, long time) {
    if (chosen == null) {
      boolean wanted = connection == 0
          ? from == Side.CLIENT && s.isSyn() && !s.isAck()
          : c.number == connection;
      if (!wanted) return;
      chosen = c;
    }
    if (c != chosen) return;
    if (segments.size() >= MAX_SEGMENTS) {
      if (firstMissing < 0) firstMissing = packet;
      return;
    }
    Segment header = s.toBuilder().payloadView(new byte[0], 0, 0).build();
    segments.add(new ReplayScript.Captured(from, time, packet, header, onWire));
  }

  /** The connection replayed: {@code "#2 10.0.0.1:40000 -> 10.0.0.2:443"}. */
  public String connectionName() {
    requireConnection();
    return "#" + chosen.number + " " + chosen.client.endpoint + " -> " + chosen.server.endpoint;
  }

  /** The packetdrill script for {@code side}; {@code source} names the capture. */
  public String script(Side side, String source) {
    requireConnection();
    return new ReplayScript(segments, side, source + " connection " + connectionName()).text();
  }

  /**
   * Runs the script for {@code side} against TcpLab's stack.
   *
   * @param toleranceNanos how far from the recorded time an outbound packet may leave
   */
  public ScriptRunner.Outcome run(Side side, String source, Profile profile, long toleranceNanos) {
    checkNotNull(profile, "profile");
    ReplayScript rs = new ReplayScript(segments, side, source + " " + connectionName());
    String text = rs.text();
    Segment syn = rs.recordedSyn();
    Profile p = profile;
    int mss = -1;
    int receiveBuffer = -1;
    if (syn != null) {
      p = profile.withOptions(syn.hasTimestamps(), syn.sackPermitted(), syn.windowScale() >= 0);
      if (syn.windowScale() >= 0) {
        // The largest buffer for which the profile picks the recorded shift (RFC 7323 §2.3).
        receiveBuffer = 0xffff << Math.min(syn.windowScale(), 14);
        p = p.toBuilder().maxWindowScaleBuffer(receiveBuffer).build();
      }
      mss = syn.mss();
    }
    int stackMss = mss >= 64 ? Math.min(mss, 65495) : -1;
    int stackBuffer = receiveBuffer;
    ScriptRunner runner = new ScriptRunner(p, toleranceNanos, b -> {
      // Every write of the recorded side fits at once: its writes are inferred, not its buffer.
      TcpStack.Builder s = b.sendBuffer(WRITE_BUFFER);
      if (stackBuffer > 0) s = s.receiveBuffer(stackBuffer);
      return stackMss > 0 ? s.mss(stackMss) : s;
    });
    try {
      return runner.run(ScriptParser.parse(source + " (replay)", text));
    } catch (ScriptSyntaxException e) {
      throw new IllegalStateException("replay wrote a script it cannot parse: " + e.getMessage(), e);
    }
  }

  /** Segments beyond {@link #MAX_SEGMENTS} were left out from this packet on, or -1. */
  public long truncatedAt() {
    return firstMissing;
  }

  private void requireConnection() {
    if (chosen == null) {
      throw new IllegalArgumentException(connection == 0
          ? "the capture holds no TCP handshake (no SYN) to replay"
          : "the capture has no connection #" + connection);
    }
  }
}
