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
  /**
   * Packets on their way to {@code to} in arrival order, each with the event-loop insertion number
   * ({@link dev.tcplab.core.time.ManualClock#reserveSequence}) that an event of its own would have had;
   * only the first has an event in the loop ({@link #deliverFirst}), which schedules the next. A link
   * delivers in the order it sends, so this holds nearly every packet: the loop's queue stays a few
   * entries long instead of one per packet in flight (10 000 and more on a fast link), and the
   * arrivals run exactly where one event per packet would have run them. A packet due before the last
   * one queued (it overtakes a packet held back by reordering or a middlebox delay) gets an event of its
   * own instead.
   */
  private final Arrivals arrivals = new Arrivals();
  private final Runnable deliverFirst = this::deliverFirst;
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
    if (arrivals.isEmpty() || arrive >= arrivals.lastAt()) {
      // In order behind the packets already on their way (the usual case): queued on the link.
      long sequence = net.loop().reserveSequence();
      arrivals.add(arrive, sequence, arriving, packet, host != null);
      if (arrivals.size() == 1) net.loop().scheduleReserved(arrive, sequence, deliverFirst);
    } else if (host != null) {
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

  /**
   * The event of the first packet in {@link #arrivals}: puts the next one's event into the loop, then
   * hands this one to its node.
   */
  private void deliverFirst() {
    byte[] bytes = arrivals.firstBytes();
    long packet = arrivals.firstPacket();
    boolean intact = arrivals.firstIntact();
    arrivals.removeFirst();
    if (!arrivals.isEmpty()) {
      net.loop().scheduleReserved(arrivals.firstAt(), arrivals.firstSequence(), deliverFirst);
    }
    if (intact) {
      toHost.receiveIntact(bytes, packet);
    } else {
      to.receive(bytes, packet);
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

  /**
   * A FIFO of packets in flight as parallel ring arrays (power-of-two capacity): arrival time,
   * insertion number, bytes, packet number, and whether the bytes go to {@link Host#receiveIntact}.
   * Nothing is allocated per packet.
   */
  private static final class Arrivals {
    private long[] at = new long[16];
    private long[] sequence = new long[16];
    private byte[][] bytes = new byte[16][];
    private long[] packet = new long[16];
    private boolean[] intact = new boolean[16];
    private int head;
    private int size;

    boolean isEmpty() {
      return size == 0;
    }

    int size() {
      return size;
    }

    long lastAt() {
      return at[(head + size - 1) & (at.length - 1)];
    }

    long firstAt() {
      return at[head];
    }

    long firstSequence() {
      return sequence[head];
    }

    byte[] firstBytes() {
      return bytes[head];
    }

    long firstPacket() {
      return packet[head];
    }

    boolean firstIntact() {
      return intact[head];
    }

    void removeFirst() {
      bytes[head] = null; // the packet is not kept alive by the ring
      head = (head + 1) & (at.length - 1);
      size--;
    }

    void add(long time, long seq, byte[] b, long number, boolean toHostIntact) {
      if (size == at.length) grow();
      int i = (head + size) & (at.length - 1);
      at[i] = time;
      sequence[i] = seq;
      bytes[i] = b;
      packet[i] = number;
      intact[i] = toHostIntact;
      size++;
    }

    private void grow() {
      int n = at.length;
      long[] newAt = new long[2 * n];
      long[] newSequence = new long[2 * n];
      byte[][] newBytes = new byte[2 * n][];
      long[] newPacket = new long[2 * n];
      boolean[] newIntact = new boolean[2 * n];
      for (int k = 0; k < size; k++) {
        int i = (head + k) & (n - 1);
        newAt[k] = at[i];
        newSequence[k] = sequence[i];
        newBytes[k] = bytes[i];
        newPacket[k] = packet[i];
        newIntact[k] = intact[i];
      }
      at = newAt;
      sequence = newSequence;
      bytes = newBytes;
      packet = newPacket;
      intact = newIntact;
      head = 0;
    }
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
