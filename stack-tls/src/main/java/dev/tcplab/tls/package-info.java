/** TLS 1.2 and 1.3 over TcpLab's TCP, close_notify semantics and the PH01192 RST policy. */
package dev.tcplab.tls;
