/**
 * packetdrill's script language (the {@code .pkt} files of Linux's TCP tests), parsed into an immutable
 * AST: {@link dev.tcplab.script.ScriptParser} turns text into a {@link dev.tcplab.script.Script} or a
 * {@link dev.tcplab.script.ScriptSyntaxException} naming file, line and column.
 *
 * <p>Supported: the time column (absolute, {@code +}relative, {@code *}, ranges {@code a~b} and
 * {@code +a~+b}, blocking ends {@code +0...0.1}); TCP packets ({@code <} injected, {@code >} expected)
 * with flags, {@code start:end(len)}, {@code ack}, {@code win}, {@code urg} and options or
 * {@code <...>}; system calls with packetdrill's expressions and {@code = result ERRNO (text)};
 * {@code --name=value} settings before the first event. {@code %{ python }%} blocks and
 * {@code `shell`} commands become {@link dev.tcplab.script.Unsupported} nodes. Not supported (reported
 * as syntax errors): UDP/ICMP packets, IP-level annotations ({@code [ect0]}, {@code (tos 0x..)}, ports,
 * encapsulation), AccECN's ACE digits, fuzz annotations.
 */
package dev.tcplab.script;
