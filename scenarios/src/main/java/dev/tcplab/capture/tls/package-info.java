/**
 * TLS as seen in a captured TCP connection: {@link dev.tcplab.capture.tls.TlsStreamObserver} reads
 * the two reassembled byte streams of one connection, recognises TLS, the version and the cipher
 * suite, and finds the alerts — close_notify above all — decrypting them with an NSS key log
 * ({@link dev.tcplab.capture.tls.NssKeyLog}) when one is given. Used by {@code tcplab analyze}.
 * Depends only on the JDK, Guava and Bouncy Castle (the fallback AEAD implementation).
 */
package dev.tcplab.capture.tls;
