package dev.tcplab.core.wire;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/**
 * A packet as a capture holds it ({@link IpPacketCodec#decodeCaptured}).
 *
 * @param packet the headers, and the payload bytes that were captured
 * @param payloadOnWire the TCP payload length the IP and TCP headers declare: what was on the wire
 * @param headerCut whether the snapshot length cut the TCP options short (the segment holds those
 *     that fit)
 */
public record CapturedPacket(IpPacket packet, int payloadOnWire, boolean headerCut) {
  public CapturedPacket {
    checkNotNull(packet);
    checkArgument(payloadOnWire >= 0, "negative payload length: %s", payloadOnWire);
  }
}
