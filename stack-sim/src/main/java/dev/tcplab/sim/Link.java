package dev.tcplab.sim;

import dev.tcplab.core.wire.IpPacket;
import dev.tcplab.core.wire.IpPacketCodec;
import dev.tcplab.core.wire.MalformedPacketException;
import dev.tcplab.core.wire.Segment;
import dev.tcplab.sim.trace.TraceEvent;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/**
 * One direction of a link from one node to another: middlebox rules, MTU, random loss, a drop-tail
 * queue with serialisation at the link's bandwidth, propagation delay, reordering, corruption and
 * duplication, in that order. Every random draw comes from the link's own seeded generator, in a fixed
 * order, so a run is repeatable.
 */
public final class Link {
  private final Network net;
  private final String name;
  private final Node to;
  /** {@code to} if it is a host: intact packets go to {@link Host#receiveIntact}. */
  private final Host toHost;
  private final LinkConfig config;
  private final Random random;
  private final LossModel.Process loss;
  private final Middlebox middlebox = new Middlebox();
  /**
   * Departure times of the packets still being queued or serialised, oldest first: a ring of {@code
   * departureCount} times from {@code departureHead} (a power-of-two capacity; no boxing).
   */
  private long[] departures = new long[16];
  private int departureHead;
  private int departureCount;
  private final Map<InetAddress, int[]> counters = new HashMap<>();
  private long busyUntil;

  Link(Network net, String name, Node to, LinkConfig config, long seed) {
    this.net = net;
    this.name = name;
    this.to = to;
    this.toHost = to instanceof Host h ? h : null;
    this.config = config;
    this.random = new Random(seed);
    this.loss = config.loss().start();
  }

  public String name() {
    return name;
  }

  public LinkConfig config() {
    return config;
  }

  /** The rules and injections on this link; add them before the run starts. */
  public Middlebox middlebox() {
    return middlebox;
  }

  Node destination() {
    return to;
  }

  /** Schedules the middlebox's injections (called when the run starts). */
  void scheduleInjections() {
    for (Middlebox.Injection i : middlebox.injections()) {
      net.loop().schedule(i.atNanos(), () -> {
        byte[] bytes = IpPacketCodec.encode(i.src(), i.dst(), 64, 0, i.segment());
        long packet = net.nextPacketNumber();
        net.trace(TraceEvent.Kind.INJECTED, name, packet, i.src(), i.dst(), i.segment(), "forged");
        transmitAfter(bytes, packet, i.src(), i.dst(), i.segment(), 0, true);
      });
    }
  }

  /** A node puts a packet on the link. */
  void send(byte[] bytes, long packet, InetAddress src, InetAddress dst, Segment seg) {
    send(bytes, packet, src, dst, seg, false);
  }

  /**
   * A node puts a packet on the link; {@code intact} says that {@code bytes} are exactly what {@link
   * IpPacketCodec} encoded (a host's own packet), so that its checksums hold unless this link damages
   * it.
   */
  void send(
      byte[] bytes, long packet, InetAddress src, InetAddress dst, Segment seg, boolean intact) {
    long extraDelay = 0;
    if (!middlebox.isEmpty() && seg != null) {
      int[] c = counters.computeIfAbsent(src, k -> new int[2]);
      c[0]++;
      if (seg.payloadLength() > 0) c[1]++;
      Middlebox.Rule rule =
          middlebox.match(new Middlebox.Packet(net.now(), src, dst, seg, c[0], c[1]));
      if (rule != null) {
        if (rule.action instanceof Middlebox.Action.Drop) {
          net.trace(TraceEvent.Kind.DROPPED, name, packet, src, dst, seg, "middlebox: " + rule.name);
          return;
        } else if (rule.action instanceof Middlebox.Action.Delay d) {
          extraDelay = d.nanos();
          net.trace(TraceEvent.Kind.REWRITTEN, name, packet, src, dst, seg,
              "middlebox: " + rule.name + ", held " + d.nanos() / 1_000 + " us");
        } else if (rule.action instanceof Middlebox.Action.Rewrite r) {
          seg = r.change().apply(seg);
          bytes = IpPacketCodec.encode(src, dst, 64, 0, seg);
          intact = true;
          net.trace(TraceEvent.Kind.REWRITTEN, name, packet, src, dst, seg,
              "middlebox: " + rule.name);
        }
      }
    }
    transmitAfter(bytes, packet, src, dst, seg, extraDelay, intact);
  }

  private void transmitAfter(
      byte[] bytes, long packet, InetAddress src, InetAddress dst, Segment seg, long extraDelay,
      boolean intact) {
    long now = net.now();
    if (bytes.length > config.mtu()) {
      net.trace(TraceEvent.Kind.DROPPED, name, packet, src, dst, seg,
          bytes.length + " bytes exceed the MTU of " + config.mtu());
      return;
    }
    if (loss.lose(random)) {
      net.trace(TraceEvent.Kind.DROPPED, name, packet, src, dst, seg, "random loss");
      return;
    }
    long depart = now;
    if (config.bitsPerSecond() > 0) {
      int mask = departures.length - 1;
      while (departureCount > 0 && departures[departureHead] <= now) {
        departureHead = (departureHead + 1) & mask;
        departureCount--;
      }
      if (config.queuePackets() > 0 && departureCount >= config.queuePackets()) {
        net.trace(TraceEvent.Kind.DROPPED, name, packet, src, dst, seg,
            "queue full (" + config.queuePackets() + " packets)");
        return;
      }
      long serialise = (bytes.length * 8L * 1_000_000_000L) / config.bitsPerSecond();
      depart = Math.max(now, busyUntil) + serialise;
      busyUntil = depart;
      addDeparture(depart);
    }
    long arrive = depart + config.delayNanos() + extraDelay;
    if (config.reorderProbability() > 0 && random.nextDouble() < config.reorderProbability()) {
      arrive += config.reorderDelayNanos();
      net.trace(TraceEvent.Kind.REWRITTEN, name, packet, src, dst, seg,
          "reordered: held " + config.reorderDelayNanos() / 1_000 + " us");
    }
    byte[] delivered = bytes;
    if (config.corruptProbability() > 0 && random.nextDouble() < config.corruptProbability()) {
      delivered = bytes.clone();
      intact = false;
      int bit = random.nextInt(delivered.length * 8);
      delivered[bit >> 3] ^= (byte) (1 << (bit & 7));
      net.trace(TraceEvent.Kind.CORRUPTED, name, packet, src, dst, seg,
          "bit " + bit + " flipped");
    }
    boolean duplicate =
        config.duplicateProbability() > 0 && random.nextDouble() < config.duplicateProbability();
    final byte[] arriving = delivered;
    // An intact packet that reaches a host skips the checksum verification, which it would pass.
    final Host host = intact ? toHost : null;
    if (host != null) {
      net.loop().schedule(arrive, () -> host.receiveIntact(arriving, packet));
    } else {
      net.loop().schedule(arrive, () -> to.receive(arriving, packet));
    }
    if (duplicate) {
      long copy = net.nextPacketNumber();
      net.trace(TraceEvent.Kind.DUPLICATED, name, copy, src, dst, seg, "copy of #" + packet);
      if (host != null) {
        net.loop().schedule(arrive, () -> host.receiveIntact(arriving.clone(), copy));
      } else {
        net.loop().schedule(arrive, () -> to.receive(arriving.clone(), copy));
      }
    }
  }

  private void addDeparture(long depart) {
    if (departureCount == departures.length) {
      long[] bigger = new long[departures.length * 2];
      for (int i = 0; i < departureCount; i++) {
        bigger[i] = departures[(departureHead + i) & (departures.length - 1)];
      }
      departures = bigger;
      departureHead = 0;
    }
    departures[(departureHead + departureCount) & (departures.length - 1)] = depart;
    departureCount++;
  }

  /** Decodes a packet for rules and traces; null when it is not a well-formed TCP packet. */
  static IpPacket decodeOrNull(byte[] bytes) {
    try {
      return IpPacketCodec.decode(bytes, 0, bytes.length);
    } catch (MalformedPacketException e) {
      return null;
    }
  }

  @Override
  public String toString() {
    return "Link[" + name + ", " + config + "]";
  }
}
