package dev.tcplab.script;

/**
 * {@code start:end(length)}: the packet's sequence range as written (packetdrill numbers are relative
 * to the connection's initial sequence numbers). The parser checks {@code end == start + length}.
 *
 * @param start first sequence number, an unsigned 32-bit value
 * @param end the sequence number after the payload, an unsigned 32-bit value
 * @param length payload bytes, 0..65535
 */
public record SeqSpec(long start, long end, int length) {}
