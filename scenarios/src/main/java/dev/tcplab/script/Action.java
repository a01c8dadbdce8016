package dev.tcplab.script;

/** What an event does: a packet, a system call, or something this simulator does not run. */
public sealed interface Action permits PacketEvent, SyscallEvent, Unsupported {}
