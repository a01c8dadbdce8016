package dev.tcplab.bench;

import dev.tcplab.core.link.InMemoryLink;
import dev.tcplab.core.tcp.Profile;
import dev.tcplab.core.tcp.TcpObserver;
import dev.tcplab.core.tcp.TcpStack;
import dev.tcplab.core.time.ManualClock;
import dev.tcplab.core.wire.Segment;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Random;

/**
 * Two stacks, client 10.0.0.1 and server 10.0.0.2, over an {@link InMemoryLink} with the wire log off,
 * driven by a {@link ManualClock}; each stack carries a {@link SegmentCounter}.
 */
final class BenchNet {
  static final InetAddress CLIENT_ADDR = addr("10.0.0.1");
  static final InetAddress SERVER_ADDR = addr("10.0.0.2");
  static final long MS = 1_000_000L;
  static final long SECOND = 1_000 * MS;

  final ManualClock clock = new ManualClock(1_000 * SECOND);
  final InMemoryLink link;
  final TcpStack client;
  final TcpStack server;
  final SegmentCounter clientCounter = new SegmentCounter();
  final SegmentCounter serverCounter = new SegmentCounter();

  BenchNet(long oneWayDelayNanos, int mss, int sendBuffer, int receiveBuffer) {
    link = new InMemoryLink(clock, oneWayDelayNanos);
    link.setLogging(false);
    client = stack("client", CLIENT_ADDR, 1, mss, sendBuffer, receiveBuffer);
    server = stack("server", SERVER_ADDR, 2, mss, sendBuffer, receiveBuffer);
    link.attach(client);
    link.attach(server);
    client.addObserver(clientCounter);
    server.addObserver(serverCounter);
  }

  private TcpStack stack(String name, InetAddress a, long seed, int mss, int snd, int rcv) {
    return TcpStack.builder()
        .address(a)
        .time(clock)
        .output(link)
        .random(new Random(seed))
        .profile(Profile.LINUX)
        .mss(mss)
        .sendBuffer(snd)
        .receiveBuffer(rcv)
        .name(name)
        .build();
  }

  /** Segments sent by both stacks so far. */
  long segmentsSent() {
    return clientCounter.sent + serverCounter.sent;
  }

  /** Segments with payload sent by both stacks so far. */
  long dataSegmentsSent() {
    return clientCounter.dataSent + serverCounter.dataSent;
  }

  /** Counts segments leaving a stack; nothing else, so it adds no allocation. */
  static final class SegmentCounter implements TcpObserver {
    long sent;
    long dataSent;

    @Override
    public void segmentSent(InetAddress src, InetAddress dst, Segment segment) {
      sent++;
      if (segment.payloadLength() > 0) dataSent++;
    }
  }

  static InetAddress addr(String s) {
    try {
      return InetAddress.getByName(s);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
