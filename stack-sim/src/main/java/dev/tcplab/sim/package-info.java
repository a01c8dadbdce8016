/** The deterministic discrete-event network: hosts, links with faults, middleboxes, pcap and traces. */
package dev.tcplab.sim;
