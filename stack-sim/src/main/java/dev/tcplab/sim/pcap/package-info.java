/**
 * Pcap capture files of simulated traffic: {@link dev.tcplab.sim.pcap.PcapWriter} writes raw IP
 * packets with nanosecond virtual timestamps, {@link dev.tcplab.sim.pcap.PcapReader} reads capture
 * files back. Both go through pcap4j and so need the native libpcap library; without it they throw
 * {@link dev.tcplab.sim.pcap.PcapUnavailableException}.
 */
package dev.tcplab.sim.pcap;
