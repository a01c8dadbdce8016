package dev.tcplab.cli;

import dev.tcplab.capture.CaptureInput;
import java.io.PrintWriter;

/**
 * A one-line progress bar on standard error, drawn only when a person is watching (a terminal):
 * redirected output and tests never see it.
 */
final class ProgressBar implements CaptureInput.Progress {
  private static final int WIDTH = 30;

  private final PrintWriter err;
  private final boolean on;
  private boolean drawn;

  ProgressBar(PrintWriter err, boolean on) {
    this.err = err;
    this.on = on;
  }

  /** A bar that draws only if the JVM runs on a terminal. */
  static ProgressBar onTerminal(PrintWriter err) {
    return new ProgressBar(err, System.console() != null);
  }

  @Override
  public void update(long bytesRead, long fileSize, long packets) {
    if (!on || fileSize <= 0) return;
    int filled = (int) Math.min(WIDTH, bytesRead * WIDTH / fileSize);
    err.print(String.format(java.util.Locale.ROOT, "\r[%s%s] %3d%%  %,d packets", "#".repeat(filled),
        " ".repeat(WIDTH - filled), Math.min(100, bytesRead * 100 / fileSize), packets));
    err.flush();
    drawn = true;
  }

  /** Clears the bar. */
  void done() {
    if (!drawn) return;
    err.print("\r" + " ".repeat(WIDTH + 40) + "\r");
    err.flush();
  }
}
