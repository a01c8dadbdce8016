package dev.tcplab.cli;

import dev.tcplab.core.tcp.Profile;
import dev.tcplab.core.tcp.TcpStack;
import dev.tcplab.sim.LinkConfig;
import dev.tcplab.sim.LossModel;
import dev.tcplab.sim.Network;
import dev.tcplab.sim.Outputs;
import dev.tcplab.sim.app.CloseMode;
import dev.tcplab.sim.app.Transfer;
import dev.tcplab.tls.RstPolicy;
import dev.tcplab.tls.TlsVersion;
import dev.tcplab.tls.scenario.ServerEnding;
import dev.tcplab.tls.scenario.TlsTransfer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/** {@code tcplab sim}: one transfer over a simulated link, every knob on the command line. */
@Command(
    name = "sim",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Simulates a client sending data to a server over one link, then closing as told.",
      "Writes a pcap (as seen on the client), the trace and a ladder diagram when asked."
    })
final class SimCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--seed", description = "Seed of every random choice (default: ${DEFAULT-VALUE}).")
  long seed = 1;

  @Option(names = "--delay", converter = Units.Duration.class, paramLabel = "TIME",
      description = "One-way delay, e.g. 10ms (default: 10ms).")
  long delay = 10_000_000L;

  @Option(names = "--bandwidth", converter = Units.Rate.class, paramLabel = "RATE",
      description = "Link rate, e.g. 10Mbit; 0 = unlimited (default: 100Mbit).")
  long bandwidth = 100_000_000L;

  @Option(names = "--queue", paramLabel = "PACKETS",
      description = "Drop-tail queue limit (default: ${DEFAULT-VALUE}).")
  int queue = 1000;

  @Option(names = "--mtu", description = "Link MTU in bytes (default: ${DEFAULT-VALUE}).")
  int mtu = 1500;

  @Option(names = "--loss", converter = Units.Probability.class, paramLabel = "P",
      description = "Random loss per packet, e.g. 1%% (default: 0).")
  double loss;

  @Option(names = "--burst-loss", paramLabel = "P,R,K,H",
      description = "Gilbert-Elliott loss: good->bad P, bad->good R, loss in good K and in bad H,"
          + " e.g. 1%%,30%%,0,50%% (replaces --loss).")
  String burstLoss;

  @Option(names = "--duplicate", converter = Units.Probability.class, paramLabel = "P",
      description = "Chance a packet arrives twice (default: 0).")
  double duplicate;

  @Option(names = "--reorder", converter = Units.Probability.class, paramLabel = "P",
      description = "Chance a packet is held back by --reorder-delay (default: 0).")
  double reorder;

  @Option(names = "--reorder-delay", converter = Units.Duration.class, paramLabel = "TIME",
      description = "Extra delay of a reordered packet (default: 5ms).")
  long reorderDelay = 5_000_000L;

  @Option(names = "--corrupt", converter = Units.Probability.class, paramLabel = "P",
      description = "Chance a bit of a packet is flipped (default: 0).")
  double corrupt;

  @Option(names = "--bytes", converter = Units.Size.class, paramLabel = "SIZE",
      description = "Bytes the client sends, e.g. 100k (default: 100k).")
  int bytes = 100_000;

  @Option(names = "--profile", paramLabel = "NAME",
      description = "Stack profile: linux or rfc9293 (default: ${DEFAULT-VALUE}).")
  String profile = "linux";

  @Option(names = "--cc", paramLabel = "ALGO", converter = CongestionConverter.class,
      description = "Congestion control: newreno or cubic (default: newreno).")
  TcpStack.CongestionAlgorithm cc = TcpStack.CongestionAlgorithm.NEWRENO;

  @Option(names = "--client-close", converter = CloseConverter.class, paramLabel = "HOW",
      description = "close, shutdown, abort, linger0 or none (default: close).")
  CloseMode clientClose = CloseMode.CLOSE;

  @Option(names = "--client-close-at", converter = Units.Duration.class, paramLabel = "TIME",
      description = "When the client closes (default: once all is written).")
  long clientCloseAt = -1;

  @Option(names = "--server-close", converter = CloseConverter.class, paramLabel = "HOW",
      description = "close, shutdown, abort, linger0 or none (default: close).")
  CloseMode serverClose = CloseMode.CLOSE;

  @Option(names = "--server-close-at", converter = Units.Duration.class, paramLabel = "TIME",
      description = "When the server closes (default: after the client's EOF).")
  long serverCloseAt = -1;

  @Option(names = "--server-no-read", description = "The server application never reads.")
  boolean serverNoRead;

  @Option(names = "--user-timeout", converter = Units.Duration.class, paramLabel = "TIME",
      description = "TCP_USER_TIMEOUT on the client (default: off).")
  long userTimeout;

  @Option(names = "--limit", converter = Units.Duration.class, paramLabel = "TIME",
      description = "Stop the simulation at this virtual time (default: 600s).")
  long limit = 600_000_000_000L;

  @Option(names = "--tls", paramLabel = "VERSION",
      description = "Run the TLS experiment instead: the client asks, the server answers with --bytes"
          + " over TLS 1.2 or 1.3, then ends as --server-ending says.")
  String tls;

  @Option(names = "--rst-policy", paramLabel = "POLICY",
      description = "With --tls: the server's RST policy, immediate or defer (default: defer).")
  String rstPolicy = "defer";

  @Option(names = "--server-ending", paramLabel = "HOW",
      description = "With --tls: abort-after-close-notify (default), abort-after-peer-close-notify,"
          + " abort-while-established, close, fin-without-close-notify, rst-without-close-notify.")
  String serverEnding = "abort-after-close-notify";

  @Option(names = "--client-rcvbuf", converter = Units.Size.class, paramLabel = "SIZE",
      description = "With --tls: the client's receive buffer (default: 540k).")
  int clientRcvbuf = 540_000;

  @Option(names = "--keylog", paramLabel = "FILE",
      description = "With --tls: write the NSS key log (for tshark -o tls.keylog_file:FILE).")
  Path keylog;

  @Option(names = "--pcap", paramLabel = "FILE", description = "Write a pcap as seen on the client.")
  Path pcap;

  @Option(names = "--trace", paramLabel = "FILE", description = "Write the trace as text lines.")
  Path trace;

  @Option(names = "--json", paramLabel = "FILE", description = "Write the trace as JSON lines.")
  Path json;

  @Option(names = "--ladder", paramLabel = "FILE",
      description = "Write a ladder diagram: FILE.txt, FILE.svg or FILE.html.")
  Path ladder;

  @Option(names = "--print-trace", description = "Print every event as it happens.")
  boolean printTrace;

  @Option(names = "--print-ladder", description = "Print the ladder diagram at the end.")
  boolean printLadder;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Transfer t = transfer();
    Outputs outputs = new Outputs().pcap(pcap).traceText(trace).traceJson(json);
    if (ladder != null) {
      try {
        outputs.ladder(ladder);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), "--ladder: " + e.getMessage());
      }
    }
    if (tls != null) return runTls(outputs, out, err);
    Transfer.Result r = runWith(t, outputs, out, err, false, printTrace);
    if (printLadder) out.println(Outputs.ladderDiagram(r.network()).toText(140));
    out.print(r.summary());
    out.flush();
    return 0;
  }

  private Integer runTls(Outputs outputs, PrintWriter out, PrintWriter err) {
    Transfer t = transfer();
    TlsTransfer tt = new TlsTransfer(seed, t.link(), tlsVersion(spec, tls), policy(), ending(),
        bytes, clientRcvbuf, limit);
    TlsTransfer.Result r = Runs.run(tt, outputs, keylog, out, err, false);
    if (printLadder) out.println(Outputs.ladderDiagram(r.network()).toText(140));
    out.println(r.outcome());
    out.flush();
    return 0;
  }

  static TlsVersion tlsVersion(CommandSpec spec, String text) {
    try {
      return TlsVersion.parse(text);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--tls: " + e.getMessage());
    }
  }

  private RstPolicy policy() {
    try {
      return RstPolicy.parse(rstPolicy);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--rst-policy: " + e.getMessage());
    }
  }

  private ServerEnding ending() {
    try {
      return ServerEnding.valueOf(serverEnding.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--server-ending: '" + serverEnding
          + "' is not one of abort-after-close-notify, abort-after-peer-close-notify,"
          + " abort-while-established, close, fin-without-close-notify, rst-without-close-notify");
    }
  }

  Transfer transfer() {
    Profile p;
    try {
      p = Profile.named(profile);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--profile: " + e.getMessage());
    }
    LossModel lossModel = loss > 0 ? new LossModel.Bernoulli(loss) : LossModel.NONE;
    if (burstLoss != null) lossModel = gilbertElliott(burstLoss);
    LinkConfig link;
    try {
      link = LinkConfig.builder().delay(delay).bandwidth(bandwidth).queue(queue).mtu(mtu)
          .loss(lossModel).duplication(duplicate).reordering(reorder, reorderDelay)
          .corruption(corrupt).build();
      return new Transfer(seed, link, p, cc, bytes, clientClose, clientCloseAt, serverClose,
          serverCloseAt, !serverNoRead, userTimeout, limit);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  private LossModel gilbertElliott(String spec4) {
    String[] parts = spec4.split(",");
    if (parts.length != 4) {
      throw new ParameterException(spec.commandLine(),
          "--burst-loss needs four probabilities P,R,K,H, e.g. 1%,30%,0,50%; got '" + spec4 + "'");
    }
    Units.Probability p = new Units.Probability();
    try {
      return new LossModel.GilbertElliott(p.convert(parts[0]), p.convert(parts[1]),
          p.convert(parts[2]), p.convert(parts[3]));
    } catch (TypeConversionException e) {
      throw new ParameterException(spec.commandLine(), "--burst-loss: " + e.getMessage());
    }
  }

  /** Runs {@code t} with its outputs, printing the trace live when asked and the files written. */
  static Transfer.Result runWith(
      Transfer t, Outputs outputs, PrintWriter out, PrintWriter err, boolean pcapOptional,
      boolean live) {
    Network net = t.network();
    if (live) net.trace().addListener(e -> out.println(e.toLine()));
    return Runs.run(net, t::run, outputs, out, err, pcapOptional);
  }

  static final class CloseConverter implements ITypeConverter<CloseMode> {
    @Override
    public CloseMode convert(String value) {
      return switch (value.toLowerCase(Locale.ROOT)) {
        case "close" -> CloseMode.CLOSE;
        case "shutdown" -> CloseMode.SHUTDOWN;
        case "abort" -> CloseMode.ABORT;
        case "linger0" -> CloseMode.LINGER_ZERO;
        case "none" -> CloseMode.NONE;
        default -> throw new TypeConversionException(
            "'" + value + "' is not a way to close: use close, shutdown, abort, linger0 or none");
      };
    }
  }

  static final class CongestionConverter implements ITypeConverter<TcpStack.CongestionAlgorithm> {
    @Override
    public TcpStack.CongestionAlgorithm convert(String value) {
      return switch (value.toLowerCase(Locale.ROOT)) {
        case "newreno" -> TcpStack.CongestionAlgorithm.NEWRENO;
        case "cubic" -> TcpStack.CongestionAlgorithm.CUBIC;
        default -> throw new TypeConversionException(
            "'" + value + "' is not a congestion control: use newreno or cubic");
      };
    }
  }
}
