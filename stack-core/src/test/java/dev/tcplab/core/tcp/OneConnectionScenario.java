package dev.tcplab.core.tcp;

import static dev.tcplab.core.tcp.TwoStacks.MS;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The base of scenario tests on one connection: {@link #connect} sets up two stacks, connects the client
 * to the server's port 80 and views the wire relative to both ISNs; the test and its helper steps then
 * share {@link #net}, {@link #p} and {@link #w} (JUnit makes a new instance per test).
 */
abstract class OneConnectionScenario {
  TwoStacks net;
  TwoStacks.Pair p;
  WireView w;

  /** The client connected to the server's port 80, both stacks with {@code profile}. */
  void connect(Profile profile) {
    net = new TwoStacks(profile);
    p = net.connect();
    w = new WireView(net);
  }

  /** {@link #connect(Profile)} with the LINUX profile. */
  void connect() {
    connect(Profile.LINUX);
  }

  /** The client closes; 100 ms later its FIN is acknowledged: it is in FIN-WAIT-2, the server in CLOSE-WAIT. */
  void clientClosesIntoFinWait2() {
    p.client().close();
    net.run(100 * MS);
    assertThat(p.client().state()).isEqualTo(TcpState.FIN_WAIT_2);
    assertThat(p.server().state()).isEqualTo(TcpState.CLOSE_WAIT);
  }
}
