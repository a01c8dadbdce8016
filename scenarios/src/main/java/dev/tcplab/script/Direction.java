package dev.tcplab.script;

/** A packet's direction as seen from the stack under test. */
public enum Direction {
  /** {@code <}: injected into the stack under test. */
  INBOUND,
  /** {@code >}: expected from the stack under test. */
  OUTBOUND
}
