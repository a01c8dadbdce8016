package dev.tcplab.core.tcp;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.net.InetAddress;

/** A connection's 4-tuple from the local side's point of view (RFC 9293 §3.3.1 "socket pair"). */
public record ConnectionId(
    InetAddress localAddress, int localPort, InetAddress remoteAddress, int remotePort) {
  public ConnectionId {
    checkNotNull(localAddress, "localAddress");
    checkNotNull(remoteAddress, "remoteAddress");
    checkArgument(localPort > 0 && localPort <= 0xffff, "Local port out of range: %s", localPort);
    checkArgument(remotePort > 0 && remotePort <= 0xffff, "Remote port out of range: %s", remotePort);
  }

  @Override
  public String toString() {
    return localAddress.getHostAddress()
        + ":"
        + localPort
        + " <-> "
        + remoteAddress.getHostAddress()
        + ":"
        + remotePort;
  }
}
