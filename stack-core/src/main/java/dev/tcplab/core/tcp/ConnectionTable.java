package dev.tcplab.core.tcp;

import static com.google.common.base.Preconditions.checkArgument;

import java.net.InetAddress;
import java.util.function.Consumer;

/**
 * The connection table of one stack: connections by 4-tuple (RFC 9293 §3.3.1 "socket pair"), each
 * keyed by its own {@link TcpConnection#id}. An open-addressing table (linear probing, at most half
 * full, backward-shift deletion) that stores the connections themselves: no entry object per
 * connection, and a lookup from a segment's addresses and ports allocates nothing.
 *
 * <p>Iteration follows the slots, which depend only on the 4-tuples ({@link InetAddress#hashCode} is
 * a function of the address), so it is the same from run to run.
 */
final class ConnectionTable {
  private static final int INITIAL_CAPACITY = 16;
  /** 2^32 / golden ratio: Fibonacci hashing spreads the tuple hash over the table's index bits. */
  private static final int SPREAD = 0x9E3779B9;

  /** A power of two in length; null marks a free slot. */
  private TcpConnection[] slots = new TcpConnection[INITIAL_CAPACITY];

  private int size;

  int size() {
    return size;
  }

  /** The connection with this 4-tuple, or null. */
  TcpConnection get(InetAddress local, int localPort, InetAddress remote, int remotePort) {
    TcpConnection[] t = slots;
    int mask = t.length - 1;
    for (int i = slot(t, hash(local, localPort, remote, remotePort)); ; i = (i + 1) & mask) {
      TcpConnection c = t[i];
      if (c == null) return null;
      if (matches(c.id, local, localPort, remote, remotePort)) return c;
    }
  }

  boolean contains(ConnectionId id) {
    return get(id.localAddress(), id.localPort(), id.remoteAddress(), id.remotePort()) != null;
  }

  /** Adds {@code c} under its {@link TcpConnection#id}, replacing a connection with the same id. */
  void put(TcpConnection c) {
    checkArgument(c.id != null, "a connection needs its 4-tuple before it enters the table");
    if (2 * (size + 1) > slots.length) grow();
    TcpConnection[] t = slots;
    int mask = t.length - 1;
    ConnectionId id = c.id;
    for (int i = slot(t, hash(id)); ; i = (i + 1) & mask) {
      TcpConnection e = t[i];
      if (e == null) {
        t[i] = c;
        size++;
        return;
      }
      if (e.id.equals(id)) {
        t[i] = c;
        return;
      }
    }
  }

  /** Removes {@code c} itself (not another connection with its id); false if it was not there. */
  boolean remove(TcpConnection c) {
    TcpConnection[] t = slots;
    int mask = t.length - 1;
    for (int i = slot(t, hash(c.id)); ; i = (i + 1) & mask) {
      TcpConnection e = t[i];
      if (e == null) return false;
      if (e == c) {
        deleteAt(t, i);
        size--;
        return true;
      }
    }
  }

  /** Every connection, in slot order. */
  void forEach(Consumer<? super TcpConnection> action) {
    for (TcpConnection c : slots) {
      if (c != null) action.accept(c);
    }
  }

  /**
   * Empties slot {@code free} and moves later entries of its probe run back into the gap, so that no
   * entry is ever separated from its home slot by a free one (Knuth, TAOCP 6.4, Algorithm R).
   */
  private static void deleteAt(TcpConnection[] t, int free) {
    int mask = t.length - 1;
    for (int j = (free + 1) & mask; t[j] != null; j = (j + 1) & mask) {
      int home = slot(t, hash(t[j].id));
      // The entry at j may move to the gap unless its home lies cyclically in (free, j].
      boolean stays = free <= j ? free < home && home <= j : free < home || home <= j;
      if (!stays) {
        t[free] = t[j];
        free = j;
      }
    }
    t[free] = null;
  }

  private void grow() {
    TcpConnection[] old = slots;
    TcpConnection[] t = new TcpConnection[old.length * 2];
    int mask = t.length - 1;
    for (TcpConnection c : old) {
      if (c == null) continue;
      int i = slot(t, hash(c.id));
      while (t[i] != null) i = (i + 1) & mask;
      t[i] = c;
    }
    slots = t;
  }

  private static int slot(TcpConnection[] t, int hash) {
    // The top bits of the spread hash: as many as the table has index bits.
    return (hash * SPREAD) >>> Integer.numberOfLeadingZeros(t.length - 1);
  }

  private static int hash(ConnectionId id) {
    return hash(id.localAddress(), id.localPort(), id.remoteAddress(), id.remotePort());
  }

  private static int hash(InetAddress local, int localPort, InetAddress remote, int remotePort) {
    int h = remote.hashCode();
    h = 31 * h + remotePort;
    h = 31 * h + local.hashCode();
    return 31 * h + localPort;
  }

  private static boolean matches(
      ConnectionId id, InetAddress local, int localPort, InetAddress remote, int remotePort) {
    return id.localPort() == localPort
        && id.remotePort() == remotePort
        && id.remoteAddress().equals(remote)
        && id.localAddress().equals(local);
  }
}
