package dev.tcplab.sim.app;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.tcplab.core.tcp.ConnectionEnd;
import dev.tcplab.core.tcp.Profile;
import dev.tcplab.core.tcp.TcpStack;
import dev.tcplab.sim.Host;
import dev.tcplab.sim.LinkConfig;
import dev.tcplab.sim.Network;
import dev.tcplab.sim.Topology;

/**
 * The standard experiment: a client sends {@code bytes} to a server over one link, and each side ends the
 * connection as told. What {@code tcplab sim} and {@code tcplab demo} run, and what the property tests
 * drive with random settings.
 *
 * @param seed the run's seed
 * @param link both directions of the link
 * @param profile the stacks' profile
 * @param congestion the congestion controller of both stacks
 * @param bytes how much the client sends
 * @param clientClose how the client ends its side
 * @param clientCloseAtNanos when (-1: once everything is written)
 * @param serverClose how the server ends its side
 * @param serverCloseAtNanos when (-1: after the client's EOF)
 * @param serverReads false for a server that never reads (its close resets)
 * @param userTimeoutNanos TCP_USER_TIMEOUT on both sides (0: off)
 * @param limitNanos the simulation stops at this virtual time at the latest
 */
public record Transfer(
    long seed,
    LinkConfig link,
    Profile profile,
    TcpStack.CongestionAlgorithm congestion,
    int bytes,
    CloseMode clientClose,
    long clientCloseAtNanos,
    CloseMode serverClose,
    long serverCloseAtNanos,
    boolean serverReads,
    long userTimeoutNanos,
    long limitNanos) {

  public static final int PORT = 5001; // no dissector of its own in Wireshark: shown as plain TCP data

  public Transfer {
    checkNotNull(link, "link");
    checkNotNull(profile, "profile");
    checkNotNull(congestion, "congestion");
    checkNotNull(clientClose, "clientClose");
    checkNotNull(serverClose, "serverClose");
    checkArgument(bytes >= 0, "bytes must not be negative: %s", bytes);
    checkArgument(limitNanos > 0, "the time limit must be positive: %s", limitNanos);
    checkArgument(userTimeoutNanos >= 0, "user timeout must not be negative: %s", userTimeoutNanos);
  }

  /** 100 kB over the default link, graceful close from the client, seed 1, 10 minutes at most. */
  public static Transfer defaults() {
    return new Transfer(1, LinkConfig.DEFAULT, Profile.LINUX, TcpStack.CongestionAlgorithm.NEWRENO,
        100_000, CloseMode.CLOSE, -1, CloseMode.CLOSE, -1, true, 0, 600_000_000_000L);
  }

  /** What happened. */
  public record Result(
      Network network,
      BulkSender client,
      Sink server,
      boolean finished,
      long endNanos) {

    /** Every byte written arrived, in order, and both ends closed gracefully. */
    public boolean deliveredIntact() {
      return server.bytesRead() == client.size()
          && server.readDigest() == client.writtenDigest()
          && client.bytesWritten() == client.size();
    }

    /** One line per side and a verdict, for people. */
    public String summary() {
      StringBuilder sb = new StringBuilder();
      sb.append(String.format("client: wrote %d of %d bytes, ended %s%s%n", client.bytesWritten(),
          client.size(), client.end(), client.error() == null ? "" : " (" + client.error() + ")"));
      sb.append(String.format("server: read %d bytes%s, ended %s%s%n", server.bytesRead(),
          server.sawEof() ? " and EOF" : "", server.end(),
          server.error() == null ? "" : " (" + server.error() + ")"));
      String verdict;
      if (deliveredIntact()) {
        verdict = "every byte arrived intact";
      } else if (server.bytesRead() < client.bytesWritten()) {
        verdict = "data lost: " + (client.bytesWritten() - server.bytesRead())
            + " bytes written by the client never reached the server application";
      } else {
        verdict = "the bytes read differ from the bytes written";
      }
      String how;
      if (finished) {
        how = "ended";
      } else if (stoppedAtLimit()) {
        how = "stopped at its time limit";
      } else {
        how = "ran out of events with " + (client.end() == null ? "the client's" : "the server's")
            + " connection still open";
      }
      sb.append(String.format("verdict: %s; simulation %s at %.6f s%n", verdict, how,
          endNanos / 1e9));
      return sb.toString();
    }

    /**
     * True when the run was cut off by its time limit with events still to come; false when it
     * finished, or when nothing was left to happen (a connection no timer will ever end, such as the
     * idle side of a half-open connection without keepalive).
     */
    public boolean stoppedAtLimit() {
      return !finished && network.loop().nextDeadline() >= 0;
    }

    /** True when both connections have ended. */
    public boolean bothEnded() {
      return client.end() != null && server.end() != null;
    }

    /** The client's end, or null. */
    public ConnectionEnd clientEnd() {
      return client.end();
    }

    public ConnectionEnd serverEnd() {
      return server.end();
    }
  }

  /** Builds the network for this transfer; call {@link #run(Network)} after attaching outputs. */
  public Network network() {
    return Topology.twoHosts(seed, link, b -> b.profile(profile).congestionControl(congestion));
  }

  /** Runs on a network made by {@link #network()}. */
  public Result run(Network net) {
    Host clientHost = net.host(Topology.CLIENT);
    Host serverHost = net.host(Topology.SERVER);
    Sink server = new Sink(net, serverHost, serverClose, serverReads, serverCloseAtNanos).listen(PORT);
    BulkSender client =
        new BulkSender(net, clientHost, bytes, seed, clientClose, clientCloseAtNanos)
            .connectAt(0, serverHost.address(), PORT);
    if (userTimeoutNanos > 0) {
      net.at(0, () -> {
        if (client.socket() != null) client.socket().setUserTimeout(userTimeoutNanos);
      });
    }
    boolean finished =
        net.runUntil(() -> stackIdle(net) && client.end() != null && server.end() != null,
            limitNanos);
    return new Result(net, client, server, finished, net.now());
  }

  /** Convenience: build and run. */
  public Result run() {
    return run(network());
  }

  private static boolean stackIdle(Network net) {
    for (Host h : net.hosts()) {
      if (h.stack().connectionCount() > 0) return false;
    }
    return true;
  }
}
