package dev.tcplab.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcplab.core.tcp.ConnectionEnd;
import dev.tcplab.sim.app.Transfer;
import org.junit.jupiter.api.Test;

class TransferSmokeTest {
  @Test
  void aCleanTransferDeliversEveryByteAndClosesGracefully() {
    Transfer.Result r = Transfer.defaults().run();
    assertThat(r.finished()).as(r.summary()).isTrue();
    assertThat(r.deliveredIntact()).as(r.summary()).isTrue();
    assertThat(r.clientEnd()).isEqualTo(ConnectionEnd.CLOSED_GRACEFULLY);
    assertThat(r.serverEnd()).isEqualTo(ConnectionEnd.CLOSED_GRACEFULLY);
    System.out.println(r.summary());
    r.network().trace().lines().stream().limit(30).forEach(System.out::println);
  }
}
