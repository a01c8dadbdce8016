/**
 * Capture files. {@link dev.tcplab.sim.pcap.PcapWriter} writes the simulator's raw IP packets with
 * nanosecond virtual timestamps; {@link dev.tcplab.sim.pcap.PcapReader} reads a whole (small) file
 * back as a list; {@link dev.tcplab.sim.pcap.CaptureReader} streams real-world pcap and pcapng
 * files (Ethernet with VLAN tags, Linux cooked v1/v2, raw IP, BSD and OpenBSD loopback) record by
 * record and finds the IP packet in each, for analysing large captures.
 *
 * <p>All of them go through pcap4j and libpcap: pcap4j opens, flushes and closes, libpcap reads and
 * writes the bytes, and the per-record calls ({@code pcap_dump}, {@code pcap_next_ex}) are made
 * directly through JNA direct mapping ({@code LibpcapDirect}) because pcap4j's own per-record path
 * costs microseconds. Without the native libpcap library they throw {@link
 * dev.tcplab.sim.pcap.PcapUnavailableException}.
 */
package dev.tcplab.sim.pcap;
