package dev.tcplab.tls.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcplab.tls.RstPolicy;
import org.junit.jupiter.api.Test;

class Ph01192SmokeTest {
  @Test
  void bothPolicies() {
    for (RstPolicy p : RstPolicy.values()) {
      TlsTransfer.Result r = TlsTransfer.ph01192(p).run();
      System.out.println(r.outcome());
      r.network().trace().lines().stream().filter(l -> l.contains("STACK") || l.contains("APP"))
          .forEach(System.out::println);
      assertThat(r.finished()).isTrue();
    }
  }
}
