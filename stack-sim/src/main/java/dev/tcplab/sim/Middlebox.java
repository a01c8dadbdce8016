package dev.tcplab.sim;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.tcplab.core.wire.Segment;
import dev.tcplab.core.wire.TcpFlags;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Rules on a link that drop, delay or rewrite chosen segments, and injections of forged ones: how
 * close-semantics tests build the nasty cases ("drop the 3rd data segment from A", "inject a RST with
 * seq X at t", "drop every FIN once"). The first matching rule acts; each rule may be limited to a number
 * of uses.
 */
public final class Middlebox {
  /** What a rule sees of a packet. {@code index} and {@code dataIndex} count from 1 per sender. */
  public record Packet(
      long timeNanos, InetAddress src, InetAddress dst, Segment segment, int index, int dataIndex) {}

  /** A condition on a packet. */
  @FunctionalInterface
  public interface Match {
    boolean test(Packet p);

    default Match and(Match other) {
      return p -> test(p) && other.test(p);
    }

    /** Packets from {@code address}. */
    static Match from(InetAddress address) {
      checkNotNull(address);
      return p -> p.src().equals(address);
    }

    /** Segments with all of {@code flags} set (see {@link TcpFlags}). */
    static Match flags(int flags) {
      return p -> (p.segment().flags() & flags) == flags;
    }

    /** The {@code n}-th segment carrying data from its sender on this link (from 1). */
    static Match dataSegment(int n) {
      checkArgument(n >= 1, "Data segments count from 1: %s", n);
      return p -> p.segment().payloadLength() > 0 && p.dataIndex() == n;
    }

    /** The {@code n}-th packet from its sender on this link (from 1). */
    static Match packet(int n) {
      checkArgument(n >= 1, "Packets count from 1: %s", n);
      return p -> p.index() == n;
    }

    /** Any packet. */
    static Match any() {
      return p -> true;
    }

    /**
     * The first transmission of each segment: a retransmission (same sender, sequence number, length
     * and SYN/FIN) no longer matches. "Drop every FIN once" is {@code flags(FIN).and(firstTime())}.
     */
    static Match firstTime() {
      Set<List<Object>> seen = new HashSet<>();
      return p -> {
        Segment s = p.segment();
        List<Object> key =
            List.of(p.src(), s.seq(), s.payloadLength(), s.flags() & (TcpFlags.SYN | TcpFlags.FIN));
        return seen.add(key);
      };
    }
  }

  /** What a rule does. */
  public sealed interface Action {
    /** The packet is lost. */
    record Drop() implements Action {}

    /** The packet is held back by {@code nanos} more. */
    record Delay(long nanos) implements Action {
      public Delay {
        checkArgument(nanos >= 0, "Delay must not be negative: %s", nanos);
      }
    }

    /** The packet's segment is replaced (checksum recomputed). */
    record Rewrite(UnaryOperator<Segment> change) implements Action {
      public Rewrite {
        checkNotNull(change);
      }
    }
  }

  /** A rule: a name for the trace, a match, an action and how often it may still act (-1: always). */
  static final class Rule {
    final String name;
    final Match match;
    final Action action;
    int usesLeft;

    Rule(String name, Match match, Action action, int uses) {
      this.name = name;
      this.match = match;
      this.action = action;
      this.usesLeft = uses;
    }
  }

  /** A segment to forge onto the link at a time. */
  record Injection(long atNanos, InetAddress src, InetAddress dst, Segment segment) {}

  private final List<Rule> rules = new ArrayList<>();
  private final List<Injection> injections = new ArrayList<>();

  /** Adds a rule that acts on every matching packet. */
  public Middlebox rule(String name, Match match, Action action) {
    return rule(name, match, action, -1);
  }

  /** Adds a rule that acts at most {@code uses} times. */
  public Middlebox rule(String name, Match match, Action action, int uses) {
    checkNotNull(name);
    checkNotNull(match);
    checkNotNull(action);
    checkArgument(uses == -1 || uses > 0, "Uses must be positive or -1 for always: %s", uses);
    rules.add(new Rule(name, match, action, uses));
    return this;
  }

  public Middlebox drop(String name, Match match) {
    return rule(name, match, new Action.Drop());
  }

  /** Forges {@code segment} from {@code src} to {@code dst} onto the link at {@code atNanos}. */
  public Middlebox inject(long atNanos, InetAddress src, InetAddress dst, Segment segment) {
    checkArgument(atNanos >= 0, "Injection time must not be negative: %s", atNanos);
    injections.add(new Injection(atNanos, checkNotNull(src), checkNotNull(dst), checkNotNull(segment)));
    return this;
  }

  List<Injection> injections() {
    return injections;
  }

  /** The first rule that matches and still has uses; its use is counted. Null if none. */
  Rule match(Packet p) {
    for (Rule r : rules) {
      if (r.usesLeft != 0 && r.match.test(p)) {
        if (r.usesLeft > 0) r.usesLeft--;
        return r;
      }
    }
    return null;
  }

  boolean isEmpty() {
    return rules.isEmpty() && injections.isEmpty();
  }

  @Override
  public String toString() {
    List<String> names = new ArrayList<>();
    for (Rule r : rules) names.add(r.name);
    return "Middlebox" + names + (injections.isEmpty() ? "" : " + " + injections.size() + " injections");
  }
}
