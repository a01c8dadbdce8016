package dev.tcplab.core.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManualClockTest {
  @Test
  void runsTasksInTimeThenInsertionOrder() {
    ManualClock clock = new ManualClock();
    List<String> ran = new ArrayList<>();
    clock.schedule(20, () -> ran.add("b@" + clock.nanos()));
    clock.schedule(10, () -> ran.add("a@" + clock.nanos()));
    clock.schedule(20, () -> ran.add("c@" + clock.nanos()));
    clock.schedule(10, () -> clock.schedule(10, () -> ran.add("d@" + clock.nanos())));
    clock.advanceTo(30);
    assertThat(ran).containsExactly("a@10", "d@10", "b@20", "c@20");
    assertThat(clock.nanos()).isEqualTo(30);
  }

  @Test
  void aReservedTaskRunsWhereItWouldHaveRunIfScheduledAtOnce() {
    ManualClock clock = new ManualClock();
    List<String> ran = new ArrayList<>();
    clock.schedule(10, () -> ran.add("a"));
    long early = clock.reserveSequence();
    clock.schedule(10, () -> ran.add("c"));
    clock.schedule(5, () -> ran.add("first"));
    long late = clock.reserveSequence();
    for (int i = 0; i < 20; i++) clock.schedule(10, () -> ran.add("x"));
    clock.schedule(20, () -> ran.add("z"));
    // Scheduled after all the others, in the places their numbers were taken.
    clock.scheduleReserved(10, late, () -> ran.add("d"));
    clock.scheduleReserved(10, early, () -> ran.add("b"));
    clock.advanceTo(30);
    assertThat(ran.subList(0, 5)).containsExactly("first", "a", "b", "c", "d");
    assertThat(ran).hasSize(26).endsWith("x", "z");
    assertThatThrownBy(() -> clock.scheduleReserved(40, 1_000, () -> {}))
        .hasMessageContaining("Not a reserved sequence number");
  }

  @Test
  void cancelledTasksDoNotRun() {
    ManualClock clock = new ManualClock();
    List<String> ran = new ArrayList<>();
    TimerScheduler.Timer t = clock.schedule(5, () -> ran.add("x"));
    t.cancel();
    clock.advanceBy(10);
    assertThat(ran).isEmpty();
    assertThat(clock.nextDeadline()).isEqualTo(-1);
  }

  @Test
  void timeNeverGoesBack() {
    ManualClock clock = new ManualClock(100);
    assertThatThrownBy(() -> clock.advanceTo(50)).hasMessageContaining("cannot go back");
    assertThatThrownBy(() -> clock.advanceBy(-1)).hasMessageContaining("Negative step");
  }
}
