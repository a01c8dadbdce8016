package dev.tcplab.bench;

import dev.tcplab.core.tcp.ConnectionEnd;
import dev.tcplab.core.tcp.TcpListener;
import dev.tcplab.core.tcp.TcpSocket;
import dev.tcplab.core.tcp.TcpSocketException;
import dev.tcplab.sim.Host;
import dev.tcplab.sim.LinkConfig;
import dev.tcplab.sim.LossModel;
import dev.tcplab.sim.Network;
import dev.tcplab.sim.Topology;
import dev.tcplab.sim.app.Reactor;
import dev.tcplab.sim.pcap.PcapWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Random;

/**
 * Writes a large capture of real TCP conversations, for benchmarks of capture reading and analysis:
 * the simulator runs many request/response connections between client 10.0.0.1 and server
 * 10.0.0.2 (port 5001) and {@link PcapWriter} records what the client sends and receives (raw IP,
 * nanosecond timestamps) until the file holds the number of packets asked for; the connections
 * still open then are cut off, as in any capture.
 *
 * <p>The conversations: a new connection about every millisecond of virtual time (exponential
 * gaps; at most 64 open), the client sends a 300-byte request, the server answers with 1-20 kB (80
 * %), 20-200 kB (18 %) or 0.2-2 MB (2 %) and closes, the client reads to the end and closes. The
 * link: 1 Gbit/s, 5 ms each way, 1000 packets of queue, 0.1 % random loss (so there are
 * retransmissions, SACK blocks and duplicate ACKs; the capture point is the client, so it misses
 * what the link lost on the way to it, as a real capture would). The same seed gives the same
 * file.
 *
 * <p>{@link #cached} keeps the file in the temporary directory between runs, since making a million
 * packets takes a few seconds.
 */
public final class CaptureGenerator {
  /** Server port; the client's ports are ephemeral. */
  public static final int PORT = 5001;

  static final int REQUEST = 300;
  static final int MAX_OPEN = 64;
  static final long MS = 1_000_000L;
  static final LinkConfig LINK =
      LinkConfig.builder()
          .delay(5 * MS)
          .bandwidth(1_000_000_000L)
          .queue(1000)
          .loss(new LossModel.Bernoulli(0.001))
          .build();

  private final Network net;
  private final Host client;
  private final Host server;
  private final Random random;
  private final long packets;
  private final byte[] junk = new byte[64 * 1024];
  private final byte[] sink = new byte[64 * 1024];
  private long captured;
  private int open;
  private long conversations;

  private CaptureGenerator(long seed, long packets) {
    this.packets = packets;
    this.random = new Random(seed);
    random.nextBytes(junk);
    net = Topology.twoHosts(seed, LINK, b -> b.sendBuffer(1 << 20).receiveBuffer(1 << 20));
    net.setTracing(false);
    client = net.host(Topology.CLIENT);
    server = net.host(Topology.SERVER);
  }

  /**
   * {@code tcplab-capture-PACKETS-sSEED.pcap} in the temporary directory, written first if it is not
   * there yet (to a temporary name, then moved, so a broken run leaves no half file behind).
   */
  public static Path cached(long packets, long seed) throws IOException {
    Path file =
        Path.of(System.getProperty("java.io.tmpdir"), "tcplab-capture-" + packets + "-s" + seed + ".pcap");
    if (Files.isRegularFile(file)) return file;
    Path part = Files.createTempFile(file.getParent(), "tcplab-capture", ".part");
    try {
      long n = generate(part, packets, seed);
      System.err.printf("CaptureGenerator: %s, %d packets, %d conversations, %d bytes%n",
          file, packets, n, Files.size(part));
      Files.move(part, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(part);
    }
    return file;
  }

  /**
   * Writes {@code packets} packets to {@code file}; returns how many conversations were started.
   */
  public static long generate(Path file, long packets, long seed) throws IOException {
    CaptureGenerator g = new CaptureGenerator(seed, packets);
    try (PcapWriter w = PcapWriter.open(file)) {
      g.net.capture(g.client, (t, h, bytes) -> {
        if (g.captured < g.packets) {
          w.write(t, bytes);
          g.captured++;
        }
      });
      g.run();
    }
    return g.conversations;
  }

  private void run() {
    TcpListener listener = server.stack().listen(PORT, 1024);
    listener.onAcceptable(() -> net.at(net.now(), () -> {
      TcpSocket s;
      while ((s = listener.accept()) != null) new ServerSide(s);
    }));
    net.at(net.now() + MS, this::arrival);
    if (!net.runUntil(() -> captured >= packets, Long.MAX_VALUE)) {
      throw new IllegalStateException("the simulation ran dry at " + captured + " packets");
    }
  }

  /** A new conversation (unless too many are open), and the next arrival. */
  private void arrival() {
    if (open < MAX_OPEN) new ClientSide(client.stack().connect(server.address(), PORT));
    long gap = (long) (-Math.log(1 - random.nextDouble()) * MS);
    net.at(net.now() + Math.max(1, gap), this::arrival);
  }

  private int responseSize() {
    int p = random.nextInt(100);
    if (p < 80) return 1_000 + random.nextInt(19_000);
    if (p < 98) return 20_000 + random.nextInt(180_000);
    return 200_000 + random.nextInt(1_800_000);
  }

  /** One side of a conversation, reacting to readiness as the simulator's applications do. */
  private abstract class Side extends Reactor {
    final TcpSocket socket;
    boolean done;

    Side(TcpSocket socket) {
      super(net);
      this.socket = socket;
      socket.setListener(this);
    }

    @Override
    protected boolean stopped() {
      return done;
    }

    @Override
    public void closed(TcpSocket s, ConnectionEnd how) {
      if (!done) finish();
    }

    void finish() {
      done = true;
    }

    /** Reads what is there; -1 at EOF or on an error. */
    int drain() {
      try {
        int n;
        int total = 0;
        while ((n = socket.read(sink)) > 0) total += n;
        return n < 0 ? -1 : total;
      } catch (TcpSocketException e) {
        return -1;
      }
    }

    /** Writes up to {@code left} bytes; how many went. */
    int send(int left) {
      int sent = 0;
      try {
        while (left - sent > 0) {
          int n = socket.write(junk, 0, Math.min(junk.length, left - sent));
          if (n <= 0) break;
          sent += n;
        }
      } catch (TcpSocketException e) {
        finish();
      }
      return sent;
    }
  }

  /** Sends the request, reads the answer to the end, closes. */
  private final class ClientSide extends Side {
    private int requestLeft = REQUEST;

    ClientSide(TcpSocket socket) {
      super(socket);
      open++;
      conversations++;
    }

    @Override
    protected void step() {
      if (requestLeft > 0) requestLeft -= send(requestLeft);
      if (drain() < 0) {
        socket.close();
        finish();
      }
    }

    @Override
    void finish() {
      if (!done) open--;
      super.finish();
    }
  }

  /** Reads the request, writes the answer, closes. */
  private final class ServerSide extends Side {
    private int requestRead;
    private int answerLeft = -1;

    ServerSide(TcpSocket socket) {
      super(socket);
      step();
    }

    @Override
    protected void step() {
      int n = drain();
      if (n > 0) requestRead += n;
      if (answerLeft < 0 && requestRead >= REQUEST) answerLeft = responseSize();
      if (answerLeft > 0) answerLeft -= send(answerLeft);
      if (answerLeft == 0 || n < 0) {
        socket.close();
        finish();
      }
    }
  }

  /** {@code [file] [packets] [seed]}: writes a capture (default: the cached million). */
  public static void main(String[] args) throws IOException {
    long packets = args.length > 1 ? Long.parseLong(args[1]) : 1_000_000L;
    long seed = args.length > 2 ? Long.parseLong(args[2]) : 1;
    long t0 = System.nanoTime();
    if (args.length > 0) {
      long n = generate(Path.of(args[0]), packets, seed);
      System.out.printf("%s: %d packets, %d conversations%n", args[0], packets, n);
    } else {
      System.out.println(cached(packets, seed));
    }
    System.out.printf("%.1f s%n", (System.nanoTime() - t0) / 1e9);
  }
}
