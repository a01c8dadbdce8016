package dev.tcplab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
  @Test
  void drawsOnOneLineAndClearsItself() {
    StringWriter err = new StringWriter();
    ProgressBar bar = new ProgressBar(new PrintWriter(err), true);
    bar.update(50, 100, 65_536);
    assertThat(err.toString())
        .isEqualTo("\r[###############               ]  50%  65,536 packets");
    bar.update(100, 100, 131_072);
    assertThat(err.toString()).endsWith("\r[##############################] 100%  131,072 packets");
    bar.done();
    assertThat(err.toString()).endsWith("\r" + " ".repeat(70) + "\r");
  }

  @Test
  void silentWithoutATerminal() {
    StringWriter err = new StringWriter();
    ProgressBar bar = new ProgressBar(new PrintWriter(err), false);
    bar.update(50, 100, 65_536);
    bar.done();
    assertThat(err.toString()).isEmpty();
  }
}
