package dev.tcplab.sim;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/**
 * One direction of a link: propagation delay, bandwidth (serialisation delay), a drop-tail queue, MTU
 * and the random faults. Immutable; the {@code with…} methods return changed copies.
 *
 * @param delayNanos one-way propagation delay
 * @param bitsPerSecond bandwidth; 0 means infinitely fast (no serialisation delay, no queue)
 * @param queuePackets drop-tail queue limit in packets waiting to be serialised; 0 means unlimited
 * @param mtu largest IP packet the link carries; larger ones are dropped (DF is always set)
 * @param loss random loss
 * @param duplicateProbability chance that a packet arrives twice
 * @param reorderProbability chance that a packet is held back by {@code reorderDelayNanos}
 * @param reorderDelayNanos the extra delay of a reordered packet
 * @param corruptProbability chance that one bit of a packet is flipped (the receiver's checksum catches it)
 */
public record LinkConfig(
    long delayNanos,
    long bitsPerSecond,
    int queuePackets,
    int mtu,
    LossModel loss,
    double duplicateProbability,
    double reorderProbability,
    long reorderDelayNanos,
    double corruptProbability) {

  /** 10 ms, 100 Mbit/s, 1000 packets of queue, MTU 1500, no faults. */
  public static final LinkConfig DEFAULT =
      new LinkConfig(10_000_000L, 100_000_000L, 1000, 1500, LossModel.NONE, 0, 0, 0, 0);

  public LinkConfig {
    checkArgument(delayNanos >= 0, "Delay must not be negative: %s", delayNanos);
    checkArgument(bitsPerSecond >= 0, "Bandwidth must not be negative: %s", bitsPerSecond);
    checkArgument(queuePackets >= 0, "Queue limit must not be negative: %s", queuePackets);
    checkArgument(mtu >= 68 && mtu <= 65535, "MTU must be in [68, 65535]: %s", mtu);
    checkNotNull(loss, "loss");
    checkProbability("duplicate", duplicateProbability);
    checkProbability("reorder", reorderProbability);
    checkProbability("corrupt", corruptProbability);
    checkArgument(reorderDelayNanos >= 0, "Reorder delay must not be negative: %s", reorderDelayNanos);
  }

  private static void checkProbability(String what, double p) {
    checkArgument(p >= 0 && p <= 1, "%s probability must be in [0, 1]: %s", what, p);
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  public static Builder builder() {
    return new Builder(DEFAULT);
  }

  /** Builds a {@link LinkConfig}, starting from {@link #DEFAULT} or another config. */
  public static final class Builder {
    private long delayNanos;
    private long bitsPerSecond;
    private int queuePackets;
    private int mtu;
    private LossModel loss;
    private double duplicateProbability;
    private double reorderProbability;
    private long reorderDelayNanos;
    private double corruptProbability;

    private Builder(LinkConfig c) {
      delayNanos = c.delayNanos;
      bitsPerSecond = c.bitsPerSecond;
      queuePackets = c.queuePackets;
      mtu = c.mtu;
      loss = c.loss;
      duplicateProbability = c.duplicateProbability;
      reorderProbability = c.reorderProbability;
      reorderDelayNanos = c.reorderDelayNanos;
      corruptProbability = c.corruptProbability;
    }

    public Builder delay(long nanos) {
      this.delayNanos = nanos;
      return this;
    }

    /** Bits per second; 0 for an infinitely fast link. */
    public Builder bandwidth(long bps) {
      this.bitsPerSecond = bps;
      return this;
    }

    public Builder queue(int packets) {
      this.queuePackets = packets;
      return this;
    }

    public Builder mtu(int bytes) {
      this.mtu = bytes;
      return this;
    }

    public Builder loss(LossModel model) {
      this.loss = model;
      return this;
    }

    public Builder duplication(double p) {
      this.duplicateProbability = p;
      return this;
    }

    public Builder reordering(double p, long extraDelayNanos) {
      this.reorderProbability = p;
      this.reorderDelayNanos = extraDelayNanos;
      return this;
    }

    public Builder corruption(double p) {
      this.corruptProbability = p;
      return this;
    }

    public LinkConfig build() {
      return new LinkConfig(delayNanos, bitsPerSecond, queuePackets, mtu, loss,
          duplicateProbability, reorderProbability, reorderDelayNanos, corruptProbability);
    }
  }
}
