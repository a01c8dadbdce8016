package dev.tcplab.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML ladder view as people see it: headless Chromium renders the demo's page to a screenshot,
 * and the picture must show the diagram — arrows, and the red mark of the dropped packet.
 */
class LadderInBrowserTest {
  static String chromium() {
    for (String c : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
      if (new File(c).canExecute()) return c;
    }
    return null;
  }

  @Test
  void theDemoLadderRendersInChromium(@TempDir Path dir) throws Exception {
    String browser = chromium();
    assumeTrue(browser != null, "chromium not installed: apt-get install chromium");
    TcpLabCliTest.Run demo = TcpLabCliTest.tcplab("demo", "--out", dir.toString());
    assertThat(demo.code()).isZero();
    Path html = dir.resolve("demo.ladder.html");
    Path png = dir.resolve("ladder.png");
    Process p = new ProcessBuilder(browser, "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--user-data-dir=" + dir.resolve("profile"),
        "--window-size=1400,1600", "--screenshot=" + png, html.toUri().toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("chromium.log").toFile()).start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("chromium finished").isTrue();
    assertThat(png).as(Files.readString(dir.resolve("chromium.log"))).exists();
    BufferedImage img = ImageIO.read(png.toFile());
    assertThat(img.getWidth()).isEqualTo(1400);
    int red = 0;
    int blue = 0;
    int ink = 0;
    for (int y = 0; y < img.getHeight(); y += 2) {
      for (int x = 0; x < img.getWidth(); x += 2) {
        int rgb = img.getRGB(x, y);
        int r = (rgb >> 16) & 0xff;
        int g = (rgb >> 8) & 0xff;
        int b = rgb & 0xff;
        if (r + g + b < 600) ink++;
        if (r > 180 && g < 90 && b < 90) red++;
        if (b > 150 && r < 100 && g < 140) blue++;
      }
    }
    assertThat(ink).as("drawn pixels").isGreaterThan(5_000);
    assertThat(blue).as("blue arrows of the client's packets").isGreaterThan(200);
    assertThat(red).as("the red mark of the dropped packet").isGreaterThan(10);
  }
}
