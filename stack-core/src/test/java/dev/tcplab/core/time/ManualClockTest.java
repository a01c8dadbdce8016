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
