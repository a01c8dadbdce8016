package dev.tcplab.script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.tcplab.core.wire.TcpFlags;
import dev.tcplab.core.wire.TcpOption;
import dev.tcplab.script.Expr.Array;
import dev.tcplab.script.Expr.Call;
import dev.tcplab.script.Expr.Ellipsis;
import dev.tcplab.script.Expr.Field;
import dev.tcplab.script.Expr.IntLit;
import dev.tcplab.script.Expr.Or;
import dev.tcplab.script.Expr.StrLit;
import dev.tcplab.script.Expr.Struct;
import dev.tcplab.script.Expr.Symbol;
import dev.tcplab.script.ScriptOption.Block;
import dev.tcplab.script.ScriptOption.Mss;
import dev.tcplab.script.ScriptOption.Nop;
import dev.tcplab.script.ScriptOption.Sack;
import dev.tcplab.script.ScriptOption.SackPermitted;
import dev.tcplab.script.ScriptOption.Timestamps;
import dev.tcplab.script.ScriptOption.WindowScale;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** packetdrill scripts in the style of Linux's gtests/net/tcp, parsed into the AST, and bad ones. */
class ScriptParserTest {
  private static final long MS = 1_000_000L;

  private static final Ellipsis ANY = Ellipsis.INSTANCE;
  private static final Nop NOP = Nop.INSTANCE;

  // ------------------------------------------------------------------------------ scripts

  /** Passive open, a request and a response, an orderly close. */
  static final String SERVER =
      """
      // Passive open, a request and a response, then an orderly close.
      `../common/defaults.sh`

      0     socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
      +0    setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
      +0    bind(3, ..., ...) = 0
      +0    listen(3, 1) = 0

      +0    < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>
      +0    > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
      +.1   < . 1:1(0) ack 1 win 257
      +0    accept(3, ..., ...) = 4

      +0    < P. 1:101(100) ack 1 win 257
      +0    > . 1:1(0) ack 101
      +0    read(4, ..., 100) = 100
      +0    write(4, ..., 1000) = 1000
      +0    > P. 1:1001(1000) ack 101
      +.01  < . 101:101(0) ack 1001 win 257

      +0    close(4) = 0
      +0    > F. 1001:1001(0) ack 101
      +.01  < F. 101:101(0) ack 1002 win 257
      +0    > . 1002:1002(0) ack 102
      """;

  /** Active open with timestamps, non-blocking socket, SO_LINGER 0, a peer's RST. */
  static final String CLIENT_RESET =
      """
      0    socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
      +0   fcntl(3, F_GETFL) = 0x2 (flags O_RDWR)
      +0   fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
      +0   connect(3, {sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr("192.0.2.1")}, 16) = -1 EINPROGRESS (Operation now in progress)
      +0   > S 0:0(0) <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 8>
      +.05 < S. 0:0(0) ack 1 win 65535 <mss 1460,nop,wscale 7,sackOK,TS val 700 ecr 100>
      +0   > . 1:1(0) ack 1 <nop,nop,TS val 150 ecr 700>
      +0   setsockopt(3, SOL_SOCKET, SO_LINGER, {onoff=1, linger=0}, 8) = 0
      +0   poll([{fd=3,
                  events=POLLIN|POLLOUT|POLLERR,
                  revents=POLLOUT}], 1, 0) = 1
      +.1  < R. 1:1(0) ack 1 win 0
      +0   read(3, ..., 1000) = -1 ECONNRESET (Connection reset by peer)
      +0   read(3, ..., 1000) = -1 EAGAIN (Resource temporarily unavailable)
      +0   shutdown(3, SHUT_RDWR) = -1
      +0   close(3) = 0
      """;

  /** Settings, shell commands, python, time ranges, '*', ECN flags, SACK, '<...>', blocking. */
  static final String ODDS_AND_ENDS =
      """
      --tolerance_usecs=10000
      --remote_ip=192.0.2.1
      `../common/defaults.sh
       sysctl -q net.ipv4.tcp_ecn=1`

      0.000 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
      0.000 setsockopt(3, IPPROTO_TCP, TCP_NODELAY, [1], 4) = 0
      0.100 < SEW 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>
      0.100 > SE. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
      .2 < . 1:1(0) ack 1 win 257
      +0 accept(3, ..., ...) = 4
         +0 %{ assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd }%
      +0...0.300 read(4, ..., 1000) = 1000 /* blocks until the data comes */
      +.1 < P. 1:1001(1000) ack 1 win 257 urg 0
      +0~+.04 > . 1:1(0) ack 1001 <...>
      0.5~0.6 > P. 1:11(10) ack 1001
      * > . 11:11(0) ack 1001 win 256 <nop,nop,sack 1:100 200:300>
      +0 > - 11:11(0) ack 1001
      +0 `echo done`
      `/tmp/sysctl_restore_${PPID}.sh`
      """;

  /** More expression forms: strings, hex, negative numbers, msghdr/iovec-style structures. */
  static final String EXPRESSIONS =
      """
      0 setsockopt(3, SOL_TCP, TCP_CONGESTION, "re" "no", 4) = 0
      +0 setsockopt(3, SOL_SOCKET, SO_RCVBUF, [0x10000], 4) = 0
      +0 setsockopt(3, SOL_TCP, TCP_USER_TIMEOUT, [-1], 4) = -1 EINVAL (Invalid argument)
      +0 write(3, "hello"..., 5) = 5
      +0 sendmsg(3, {msg_name(...)=..., msg_iov(1)=[{..., 10}], msg_flags=0}, 0) = 10
      +0 getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) = 0
      +0 getpid() = 1234
      +0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK|htons(1)) = 0
      """;

  static Script parse(String text) throws ScriptSyntaxException {
    return ScriptParser.parse("test.pkt", text);
  }

  static PacketEvent packet(Event e) {
    assertThat(e.action()).isInstanceOf(PacketEvent.class);
    return (PacketEvent) e.action();
  }

  static SyscallEvent call(Event e) {
    assertThat(e.action()).isInstanceOf(SyscallEvent.class);
    return (SyscallEvent) e.action();
  }

  static Symbol sym(String name) {
    return new Symbol(name);
  }

  static IntLit num(long n) {
    return new IntLit(n);
  }

  // ------------------------------------------------------------------------------ valid scripts

  @Test
  void passiveOpenDataAndCloseParseExactly() throws Exception {
    Script s = parse(SERVER);
    assertThat(s.path()).isEqualTo("test.pkt");
    assertThat(s.settings()).isEmpty();
    List<Event> ev = s.events();
    assertThat(ev).hasSize(19);

    assertThat(ev.get(0))
        .isEqualTo(
            new Event(
                2,
                1,
                TimeSpec.none(),
                new Unsupported(Unsupported.Kind.SHELL, "../common/defaults.sh", 2, 1)));
    assertThat(ev.get(1))
        .isEqualTo(
            new Event(
                4,
                1,
                TimeSpec.absolute(0),
                new SyscallEvent(
                    "socket", List.of(ANY, sym("SOCK_STREAM"), sym("IPPROTO_TCP")), num(3))));
    assertThat(call(ev.get(2)))
        .isEqualTo(
            new SyscallEvent(
                "setsockopt",
                List.of(num(3), sym("SOL_SOCKET"), sym("SO_REUSEADDR"), new Array(List.of(num(1))), num(4)),
                num(0)));
    assertThat(call(ev.get(3)).args()).containsExactly(num(3), ANY, ANY);
    assertThat(call(ev.get(4))).isEqualTo(new SyscallEvent("listen", List.of(num(3), num(1)), num(0)));

    assertThat(ev.get(5))
        .isEqualTo(
            new Event(
                9,
                1,
                TimeSpec.relative(0),
                new PacketEvent(
                    Direction.INBOUND,
                    TcpFlags.SYN,
                    new SeqSpec(0, 0, 0),
                    null,
                    32792,
                    null,
                    List.of(new Mss(1000), SackPermitted.INSTANCE, NOP, NOP, NOP, new WindowScale(7)),
                    false)));
    assertThat(packet(ev.get(6)))
        .isEqualTo(
            new PacketEvent(
                Direction.OUTBOUND,
                TcpFlags.SYN | TcpFlags.ACK,
                new SeqSpec(0, 0, 0),
                1L,
                null,
                null,
                List.of(new Mss(1460), NOP, NOP, SackPermitted.INSTANCE, NOP, new WindowScale(8)),
                false));
    assertThat(ev.get(7).time()).isEqualTo(TimeSpec.relative(100 * MS));
    assertThat(packet(ev.get(7)))
        .isEqualTo(
            new PacketEvent(
                Direction.INBOUND, TcpFlags.ACK, new SeqSpec(1, 1, 0), 1L, 257, null, null, false));
    assertThat(packet(ev.get(9)).seq()).isEqualTo(new SeqSpec(1, 101, 100));
    assertThat(packet(ev.get(9)).flags()).isEqualTo(TcpFlags.PSH | TcpFlags.ACK);
    assertThat(packet(ev.get(9)).psh()).isTrue();
    assertThat(call(ev.get(11))).isEqualTo(new SyscallEvent("read", List.of(num(4), ANY, num(100)), num(100)));
    assertThat(packet(ev.get(13)).seq()).isEqualTo(new SeqSpec(1, 1001, 1000));
    assertThat(ev.get(14).time()).isEqualTo(TimeSpec.relative(10 * MS));
    assertThat(ev.get(13).line()).isEqualTo(18);
    assertThat(ev.get(14).line()).isEqualTo(19);

    PacketEvent fin = packet(ev.get(16));
    assertThat(fin.fin()).isTrue();
    assertThat(fin.ackFlag()).isTrue();
    assertThat(fin.syn()).isFalse();
    assertThat(fin.ack()).isEqualTo(101L);
    assertThat(fin.win()).isNull();
    assertThat(fin.options()).isNull();
    assertThat(fin.optionsOrEmpty()).isEmpty();
    assertThat(fin.anyOptions()).isFalse();
    assertThat(packet(ev.get(18)))
        .isEqualTo(
            new PacketEvent(
                Direction.OUTBOUND, TcpFlags.ACK, new SeqSpec(1002, 1002, 0), 102L, null, null, null,
                false));
    assertThat(ev.get(18).line()).isEqualTo(24);
  }

  @Test
  void activeOpenLingerPollAndResetParseExactly() throws Exception {
    List<Event> ev = parse(CLIENT_RESET).events();
    assertThat(ev).hasSize(14);

    assertThat(call(ev.get(1)))
        .isEqualTo(
            new SyscallEvent("fcntl", List.of(num(3), sym("F_GETFL")), num(2), null, null, "flags O_RDWR"));
    assertThat(call(ev.get(2)).args())
        .containsExactly(num(3), sym("F_SETFL"), new Or(List.of(sym("O_RDWR"), sym("O_NONBLOCK"))));

    SyscallEvent connect = call(ev.get(3));
    assertThat(connect.args().get(1))
        .isEqualTo(
            new Struct(
                List.of(
                    new Field("sa_family", sym("AF_INET")),
                    new Field("sin_port", new Call("htons", List.of(num(8080)))),
                    new Field(
                        "sin_addr", new Call("inet_addr", List.of(new StrLit("192.0.2.1")))))));
    assertThat(((Struct) connect.args().get(1)).get("sin_port"))
        .isEqualTo(new Call("htons", List.of(num(8080))));
    assertThat(connect.result()).isEqualTo(num(-1));
    assertThat(connect.errno()).isEqualTo("EINPROGRESS");
    assertThat(connect.errnoText()).isEqualTo("Operation now in progress");
    assertThat(connect.note()).isNull();

    assertThat(packet(ev.get(4)).options())
        .containsExactly(
            new Mss(1460), SackPermitted.INSTANCE, new Timestamps(100, 0), NOP, new WindowScale(8));
    assertThat(packet(ev.get(4)).win()).isNull();
    PacketEvent synAck = packet(ev.get(5));
    assertThat(synAck.direction()).isEqualTo(Direction.INBOUND);
    assertThat(synAck.win()).isEqualTo(65535);
    assertThat(synAck.options()).endsWith(new Timestamps(700, 100));
    assertThat(ev.get(5).time()).isEqualTo(TimeSpec.relative(50 * MS));

    assertThat(call(ev.get(7)))
        .isEqualTo(
            new SyscallEvent(
                "setsockopt",
                List.of(
                    num(3),
                    sym("SOL_SOCKET"),
                    sym("SO_LINGER"),
                    new Struct(List.of(new Field("onoff", num(1)), new Field("linger", num(0)))),
                    num(8)),
                num(0)));

    Event poll = ev.get(8);
    assertThat(poll.line()).isEqualTo(9);
    assertThat(call(poll))
        .isEqualTo(
            new SyscallEvent(
                "poll",
                List.of(
                    new Array(
                        List.of(
                            new Struct(
                                List.of(
                                    new Field("fd", num(3)),
                                    new Field(
                                        "events",
                                        new Or(List.of(sym("POLLIN"), sym("POLLOUT"), sym("POLLERR")))),
                                    new Field("revents", sym("POLLOUT")))))),
                    num(1),
                    num(0)),
                num(1)));
    assertThat(ev.get(9).line()).isEqualTo(12);

    PacketEvent rst = packet(ev.get(9));
    assertThat(rst.rst()).isTrue();
    assertThat(rst.ackFlag()).isTrue();
    assertThat(rst.win()).isZero();

    assertThat(call(ev.get(10)))
        .isEqualTo(
            new SyscallEvent(
                "read",
                List.of(num(3), ANY, num(1000)),
                num(-1),
                "ECONNRESET",
                "Connection reset by peer",
                null));
    assertThat(call(ev.get(11)).errno()).isEqualTo("EAGAIN");
    assertThat(call(ev.get(11)).errnoText()).isEqualTo("Resource temporarily unavailable");
    assertThat(call(ev.get(12)))
        .isEqualTo(new SyscallEvent("shutdown", List.of(num(3), sym("SHUT_RDWR")), num(-1)));
  }

  @Test
  void settingsCommandsPythonTimeRangesAndOptionsParseExactly() throws Exception {
    Script s = parse(ODDS_AND_ENDS);
    assertThat(s.settings())
        .containsExactly(
            new Script.Setting("tolerance_usecs", "10000", 1, 1),
            new Script.Setting("remote_ip", "192.0.2.1", 2, 1));
    List<Event> ev = s.events();
    assertThat(ev).hasSize(16);

    assertThat(ev.get(0).action())
        .isEqualTo(
            new Unsupported(
                Unsupported.Kind.SHELL, "../common/defaults.sh\n sysctl -q net.ipv4.tcp_ecn=1", 3, 1));
    assertThat(ev.get(1).time()).isEqualTo(TimeSpec.absolute(0));
    assertThat(call(ev.get(2)).args())
        .containsExactly(num(3), sym("IPPROTO_TCP"), sym("TCP_NODELAY"), new Array(List.of(num(1))), num(4));

    PacketEvent ecnSyn = packet(ev.get(3));
    assertThat(ev.get(3).time()).isEqualTo(TimeSpec.absolute(100 * MS));
    assertThat(ecnSyn.flags()).isEqualTo(TcpFlags.SYN | TcpFlags.ECE | TcpFlags.CWR);
    assertThat(ecnSyn.ece()).isTrue();
    assertThat(ecnSyn.cwr()).isTrue();
    assertThat(packet(ev.get(4)).flags()).isEqualTo(TcpFlags.SYN | TcpFlags.ECE | TcpFlags.ACK);
    assertThat(packet(ev.get(4)).cwr()).isFalse();
    assertThat(ev.get(5).time()).isEqualTo(TimeSpec.absolute(200 * MS));

    Event python = ev.get(7);
    assertThat(python)
        .isEqualTo(
            new Event(
                12,
                4,
                TimeSpec.relative(0),
                new Unsupported(
                    Unsupported.Kind.PYTHON, "assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd", 12, 7)));
    assertThat(((Unsupported) python.action()).describe())
        .isEqualTo("12:7: %{ python }% block not supported: assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd");

    Event read = ev.get(8);
    assertThat(read.time()).isEqualTo(TimeSpec.relative(0).withBlockingEnd(300 * MS));
    assertThat(read.time().isBlocking()).isTrue();
    assertThat(call(read)).isEqualTo(new SyscallEvent("read", List.of(num(4), ANY, num(1000)), num(1000)));

    PacketEvent urgent = packet(ev.get(9));
    assertThat(urgent.urg()).isZero();
    assertThat(urgent.win()).isEqualTo(257);

    assertThat(ev.get(10).time()).isEqualTo(TimeSpec.range(true, 0, 40 * MS));
    assertThat(packet(ev.get(10)))
        .isEqualTo(
            new PacketEvent(
                Direction.OUTBOUND, TcpFlags.ACK, new SeqSpec(1, 1, 0), 1001L, null, null, null, true));
    assertThat(ev.get(11).time()).isEqualTo(TimeSpec.range(false, 500 * MS, 600 * MS));
    assertThat(ev.get(12).time()).isEqualTo(TimeSpec.any());
    assertThat(packet(ev.get(12)).options())
        .containsExactly(NOP, NOP, new Sack(List.of(new Block(1, 100), new Block(200, 300))));
    assertThat(packet(ev.get(13)).flags()).isZero();
    assertThat(ev.get(14))
        .isEqualTo(
            new Event(
                19, 1, TimeSpec.relative(0), new Unsupported(Unsupported.Kind.SHELL, "echo done", 19, 4)));
    assertThat(ev.get(15))
        .isEqualTo(
            new Event(
                20,
                1,
                TimeSpec.none(),
                new Unsupported(Unsupported.Kind.SHELL, "/tmp/sysctl_restore_${PPID}.sh", 20, 1)));
  }

  @Test
  void expressionFormsParseExactly() throws Exception {
    List<Event> ev = parse(EXPRESSIONS).events();
    assertThat(call(ev.get(0)).args().get(3)).isEqualTo(new StrLit("reno"));
    assertThat(call(ev.get(1)).args().get(3)).isEqualTo(new Array(List.of(num(0x10000))));
    assertThat(call(ev.get(2)).args().get(3)).isEqualTo(new Array(List.of(num(-1))));
    assertThat(call(ev.get(2)).errno()).isEqualTo("EINVAL");
    assertThat(call(ev.get(3)).args().get(1)).isEqualTo(new StrLit("hello", true));
    assertThat(call(ev.get(4)).args().get(1))
        .isEqualTo(
            new Struct(
                List.of(
                    new Field("msg_name", List.of(ANY), ANY),
                    new Field(
                        "msg_iov",
                        List.of(num(1)),
                        new Array(
                            List.of(
                                new Struct(
                                    List.of(new Field(null, ANY), new Field(null, num(10))))))),
                    new Field("msg_flags", num(0)))));
    assertThat(call(ev.get(5)).args())
        .containsExactly(
            num(3), sym("SOL_SOCKET"), sym("SO_ERROR"), new Array(List.of(num(0))), new Array(List.of(num(4))));
    assertThat(call(ev.get(6)).args()).isEmpty();
    assertThat(call(ev.get(7)).args().get(2))
        .isEqualTo(
            new Or(List.of(sym("O_RDWR"), sym("O_NONBLOCK"), new Call("htons", List.of(num(1))))));
  }

  @Test
  void timesAreNanosecondsAndNumbersMayStartWithAPoint() throws Exception {
    List<Event> ev =
        parse(
                """
                0 close(3) = 0
                1.5 close(3) = 0
                +.000001 close(3) = 0
                +2 close(3) = 0
                0.1~0.2 > . 1:1(0)
                +0~+.04 > . 1:1(0)
                +0...0.010 poll([], 0, 10) = 0
                2.000...2.5 accept(3, ..., ...) = 4
                """)
            .events();
    assertThat(ev)
        .extracting(Event::time)
        .containsExactly(
            TimeSpec.absolute(0),
            TimeSpec.absolute(1_500 * MS),
            TimeSpec.relative(1_000),
            TimeSpec.relative(2_000 * MS),
            TimeSpec.range(false, 100 * MS, 200 * MS),
            TimeSpec.range(true, 0, 40 * MS),
            TimeSpec.relative(0).withBlockingEnd(10 * MS),
            TimeSpec.absolute(2_000 * MS).withBlockingEnd(2_500 * MS));
    assertThat(call(ev.get(6)).args().get(0)).isEqualTo(new Array(List.of()));
  }

  @Test
  void aPacketMayContinueOnTheNextLineAsInPacketdrill() throws Exception {
    List<Event> ev =
        parse(
                """
                0 > S. 0:0(0) ack 1
                    <mss 1460,nop,wscale 7>
                +0 close(3) = 0
                """)
            .events();
    assertThat(ev).hasSize(2);
    assertThat(packet(ev.get(0)).options()).containsExactly(new Mss(1460), NOP, new WindowScale(7));
    assertThat(ev.get(1).line()).isEqualTo(3);
  }

  @Test
  void optionsConvertToWireOptions() throws Exception {
    PacketEvent p =
        packet(parse("0 > S. 0:0(0) ack 1 <mss 1460,sackOK,TS val 4294967295 ecr 7,nop,wscale 14,eol,eol,eol,eol>")
            .events()
            .get(0));
    assertThat(p.options())
        .extracting(ScriptOption::toTcpOption)
        .containsExactly(
            new TcpOption.Mss(1460),
            TcpOption.SackPermitted.INSTANCE,
            new TcpOption.Timestamps(-1, 7),
            TcpOption.Nop.INSTANCE,
            new TcpOption.WindowScale(14),
            TcpOption.Eol.INSTANCE,
            TcpOption.Eol.INSTANCE,
            TcpOption.Eol.INSTANCE,
            TcpOption.Eol.INSTANCE);
    assertThat(new Sack(List.of(new Block(1, 4294967295L))).toTcpOption())
        .isEqualTo(new TcpOption.Sack(List.of(new TcpOption.Block(1, -1))));
    PacketEvent fo =
        packet(parse("0 > S 0:0(0) <mss 1460,nop,nop,sackOK,nop,wscale 8,FO abcd1234,nop,nop>").events().get(0));
    assertThat(fo.options()).contains(new ScriptOption.FastOpen("abcd1234", false));
    assertThatThrownBy(() -> fo.options().get(6).toTcpOption())
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void emptyAndCommentOnlyScriptsHaveNoEvents() throws Exception {
    assertThat(parse("").events()).isEmpty();
    assertThat(parse("// nothing\n/* at\n all */\n\n").events()).isEmpty();
    assertThat(parse("0 close(3) = 0 // trailing\r\n+0 close(4) = 0\r\n").events()).hasSize(2);
  }

  @Test
  void parsesFilesAndNamesThemInErrors(@TempDir Path dir) throws Exception {
    Path good = dir.resolve("good.pkt");
    Files.writeString(good, SERVER);
    assertThat(ScriptParser.parse(good).events()).hasSize(19);
    assertThat(ScriptParser.parse(good).path()).isEqualTo(good.toString());

    Path bad = dir.resolve("bad.pkt");
    Files.writeString(bad, "0 close(3) = 0\n+0 < . 1:1(0) acx 1 win 5\n");
    assertThatThrownBy(() -> ScriptParser.parse(bad))
        .isInstanceOf(ScriptSyntaxException.class)
        .hasMessage(
            bad + ":2:15: expected 'ack' or 'win' (an inbound packet needs its window) but found 'acx'");
  }

  // ------------------------------------------------------------------------------ errors

  static ScriptSyntaxException error(String script) {
    try {
      Script s = ScriptParser.parse("test.pkt", script);
      throw new AssertionError("expected a syntax error, parsed " + s);
    } catch (ScriptSyntaxException e) {
      return e;
    }
  }

  static void assertError(String script, int line, int column, String detail) {
    ScriptSyntaxException e = error(script);
    assertThat(e.getMessage()).startsWith("test.pkt:" + line + ":" + column + ": ").contains(detail);
    assertThat(e.path()).isEqualTo("test.pkt");
    assertThat(e.line()).isEqualTo(line);
    assertThat(e.column()).isEqualTo(column);
    assertThat(e.getMessage()).isEqualTo("test.pkt:" + line + ":" + column + ": " + e.detail());
  }

  @Test
  void aStrayWordAfterAPacketNamesWhatCouldComeThere() {
    assertError(
        "0 close(3) = 0\n+0 > . 1:1(0) acx 1",
        2,
        15,
        "expected 'ack', 'win', 'urg', '<' (TCP options) or the end of the line but found 'acx'");
    assertError(
        "+0 > . 1:1(0) ack 1 wn 5",
        1,
        21,
        "expected 'win', 'urg', '<' (TCP options) or the end of the line but found 'wn'");
    assertError(
        "+0 > . 1:1(0) ack 1 <nop,nop,sack 1:2> 5",
        1,
        40,
        "expected the end of the line but found '5'");
  }

  @Test
  void inboundPacketsNeedTheirWindow() {
    assertError(
        "+0 < . 1:1(0) acx 1 win 5",
        1,
        15,
        "expected 'ack' or 'win' (an inbound packet needs its window) but found 'acx'");
    assertError(
        "0 < S 0:0(0) <mss 1460>",
        1,
        14,
        "expected 'ack' or 'win' (an inbound packet needs its window) but found '<'");
    assertError(
        "0 < . 1:1(0) ack 1\n+0 close(3) = 0",
        1,
        19,
        "expected 'win' (an inbound packet needs its window) but found end of line");
  }

  @Test
  void aMissingResultIsReportedAtTheEndOfItsLine() {
    assertError(
        "0 close(3)\n+0 > F. 1:1(0) ack 1",
        1,
        11,
        "expected '=' and the expected result after close(...) but found end of line");
    assertError("0 bind(3, ..., ...", 1, 19, "expected ',' or ')' but found end of file");
    assertError("0 close", 1, 8, "expected '(' after the system call name 'close' but found end of file");
    assertError("0 close(3) =", 1, 13, "expected an expression");
  }

  @Test
  void flagsAreChecked() {
    assertError("0 < SX 0:0(0) win 10", 1, 6, "invalid TCP flag 'X' in 'SX'");
    assertError("0 > SA 0:0(0)", 1, 6, "AccECN flag 'A' in 'SA' is not supported");
    assertError("0 > S.5 0:0(0)", 1, 6, "AccECN ACE flags ('S.5') are not supported");
    assertError("0 > [ect0] S 0:0(0)", 1, 5, "IP header annotations");
    assertError("0 > udp (10)", 1, 5, "only TCP packets are supported, not 'udp'");
    assertError("0 > 0:0(0)", 1, 5, "expected TCP flags");
  }

  @Test
  void sequenceRangesAndFieldValuesAreChecked() {
    assertError("0 < P. 1:10(5) win 10", 1, 8, "inconsistent sequence range: 1 + 5 is 6, not 10");
    assertError("0 < P. 1:10 win 10", 1, 13, "expected '(' and the payload length in 'start:end(length)'");
    assertError("0 > . 4294967296:4294967296(0)", 1, 7, "start sequence number 4294967296 is out of range");
    assertError("0 > . 1:1(0) ack -1", 1, 18, "acknowledgment number must not be negative: -1");
    assertError("0 < . 1:1(0) win 65536", 1, 18, "window 65536 is out of range (at most 65535)");
    assertError("0 > S 0:0(0) <mss 70000>", 1, 19, "MSS value 70000 is out of range (at most 65535)");
    assertError("0 > S 0:0(0) <wscale 256,nop>", 1, 22, "window scale shift count 256 is out of range");
  }

  @Test
  void optionListsAreChecked() {
    assertError("0 > S 0:0(0) <mss 1460,nop>", 1, 14, "TCP options take 5 bytes, not a multiple of 4: pad with 'nop'");
    assertError(
        "0 > . 1:1(0) <sack 1:2 3:4 5:6 7:8 9:10,nop,nop>", 1, 14, "TCP options take 44 bytes; at most 40 fit");
    assertError("0 > S 0:0(0) <mss 1460,foo>", 1, 24, "unknown TCP option 'foo'");
    assertError("0 > S 0:0(0) <mss 1460 nop>", 1, 24, "expected ',' or '>' after a TCP option but found 'nop'");
    assertError("0 > S 0:0(0) <TS 1 ecr 2>", 1, 18, "expected 'val' after 'TS'");
    assertError("0 > S 0:0(0) <>", 1, 15, "expected a TCP option");
    assertError("0 > S 0:0(0) <FO xyz,nop,nop>", 1, 18, "a Fast Open cookie is an even number of hex digits");
    assertError("0 < . 1:1(0) win 10 <...>", 1, 21, "'<...>' (any options) can only be used with outbound packets");
  }

  @Test
  void timesAreChecked() {
    assertError("-1 close(3) = 0", 1, 1, "negative time '-1'");
    assertError("close(3) = 0", 1, 1, "expected a time (as in '0.100', '+0.1', '*', '0.1~0.2' or '+0~+0.04') but found 'close'");
    assertError("* close(3) = 0", 1, 1, "'*' (any time) can only be used with outbound packets ('>')");
    assertError("* < . 1:1(0) win 1", 1, 1, "'*' (any time) can only be used with outbound packets");
    assertError("0~0.1 < . 1:1(0) win 1", 1, 1, "a time range can only be used with outbound packets ('>')");
    assertError("0.2~0.1 > . 1:1(0)", 1, 4, "time range is backwards: 0.1 s is before 0.2 s");
    assertError("+0~0.1 > . 1:1(0)", 1, 4, "expected '+' after '~'");
    assertError("0~+0.1 > . 1:1(0)", 1, 3, "expected an absolute time after '~'");
    assertError("+0...0.1 > . 1:1(0)", 1, 3, "only a system call can block ('time...end')");
    assertError("0.5...0.1 read(3, ..., 1) = 1", 1, 4, "the blocking call ends (0.1 s) before it starts (0.5 s)");
    assertError("99999999999999999999 close(3) = 0", 1, 1, "is too large");
    assertError("+ close(3) = 0", 1, 3, "expected a time after '+'");
    assertError("0 ^", 1, 3, "expected a packet ('<' or '>'), a system call");
    assertError("0 ~", 1, 4, "expected a time after '~' (as in '0.1~0.2') but found end of file");
  }

  @Test
  void oneEventPerLine() {
    assertError(
        "0 close(3) = 0 +0 close(4) = 0",
        1,
        16,
        "expected '|', an errno name (as in 'ECONNRESET'), '(' and a note or the end of the line but found '+'");
    assertError("0 read(3, ..., 1) = -1 EAGAIN 5", 1, 31, "expected '(' and the errno's text or the end of the line");
    assertError("`ls` 0 close(3) = 0", 1, 6, "expected the end of the line but found '0'");
    assertError("0 close(3) = 0\nEAGAIN (x)", 2, 1, "expected a time");
  }

  @Test
  void unterminatedThingsPointAtWhereTheyStart() {
    assertError("0 write(3, \"abc, 3) = 3\n", 1, 12, "unterminated string: no closing '\"'");
    assertError("0 close(3) = 0\n/* never closed\n+0 close(4) = 0", 2, 1, "unterminated /* comment");
    assertError("0 close(3) = 0\n+0 %{ print(1)\n", 2, 4, "unterminated %{ code block: no '}%'");
    assertError("`echo hi\n0 close(3) = 0\n", 1, 1, "unterminated `command`: no closing '`'");
    assertError("0 read(3, ..., 1) = -1 EAGAIN (Resource", 1, 40, "expected ')' to close the '(' at 1:31");
  }

  @Test
  void expressionsAreChecked() {
    assertError("0 bind(3, =) = 0", 1, 11, "expected an expression (a number, a \"string\", '...', a name, a [list] or a {structure}) but found '='");
    assertError("0 f([1 2]) = 0", 1, 8, "expected ',' or ']' but found '2'");
    assertError("0 f({a=1 b=2}) = 0", 1, 10, "expected ',' or '}' but found 'b'");
    assertError("0 f(99999999999999999999) = 0", 1, 5, "integer '99999999999999999999' is out of range");
    assertError("0 f(0x10000000000000000) = 0", 1, 5, "is out of range");
    assertError("0 f(1.5) = 0", 1, 5, "expected an expression");
    assertError(
        "0 poll([{fd=3,\n         events=POLLIN|,\n         revents=0}], 1, 0) = 1",
        2,
        24,
        "expected an expression");
  }

  @Test
  void deepNestingIsAnErrorNotAStackOverflow() {
    assertError("0 f(" + "[".repeat(100_000), 1, 69, "expression nested too deeply (more than 64 levels)");
    assertError("0 f(" + "{a=".repeat(100_000), 1, 197, "expression nested too deeply");
    assertError("0 f(" + "g(".repeat(100_000), 1, 133, "expression nested too deeply");
  }

  @Test
  void settingsOnlyBeforeTheFirstEvent() {
    assertError("0 close(3) = 0\n--mss=1000", 2, 1, "settings such as '--mss' must come before the first event");
    assertError("--define=X=\"a b", 1, 1, "unterminated quote in option --define");
  }

  @Test
  void controlCharactersAreShownEscaped() {
    assertError("0 close(3) = 0\u0007", 1, 15, "but found '\\u0007'");
  }

  // ------------------------------------------------------------------------------ fuzz

  private static final String[] SNIPPETS = {
    "...", "<", ">", "%{", "}%", "`", "\"", "/*", "*/", "//", "\n", "+", "~", "*", "0x", "0xfffffffff",
    "-", "--", "--x=", "4294967296", "99999999999999999999", "{", "}", "[", "]", "(", ")", ",", "=", "|",
    ".", ".5", "S.", "ack", "win", "urg", "<...>", "TS val", "sack 1:2", "FO", "md5", "mss", "\r",
    "\t", "\u0000", "\u00e9", "\uD83D\uDE00", "ipv4", "udp", "-1", "1:1(0)", "= -1 EAGAIN (x)",
  };

  private static String mutate(String s, Random r) {
    StringBuilder sb = new StringBuilder(s);
    int ops = 1 + r.nextInt(4);
    for (int i = 0; i < ops; i++) {
      int at = sb.length() == 0 ? 0 : r.nextInt(sb.length() + 1);
      switch (r.nextInt(5)) {
        case 0 -> { // delete a few characters
          int end = Math.min(sb.length(), at + 1 + r.nextInt(6));
          if (at < end) sb.delete(at, end);
        }
        case 1 -> sb.insert(at, (char) (32 + r.nextInt(95))); // one printable character
        case 2 -> sb.insert(at, SNIPPETS[r.nextInt(SNIPPETS.length)]);
        case 3 -> { // duplicate a slice somewhere else
          int from = r.nextInt(sb.length() + 1);
          int to = Math.min(sb.length(), from + r.nextInt(40));
          sb.insert(at, sb.substring(from, to));
        }
        default -> { // delete a whole slice (a line's tail, a bracket's contents...)
          int end = Math.min(sb.length(), at + r.nextInt(80));
          sb.delete(at, end);
        }
      }
    }
    return sb.toString();
  }

  @Test
  void fuzzedScriptsOnlyEverGiveSyntaxErrorsAndNeverHang() {
    String[] seeds = {SERVER, CLIENT_RESET, ODDS_AND_ENDS, EXPRESSIONS};
    int[] outcome = new int[2]; // parsed, rejected
    assertTimeoutPreemptively(
        Duration.ofSeconds(60),
        () -> {
          Random r = new Random(20240611L);
          for (int i = 0; i < 5_000; i++) {
            String text = mutate(seeds[i % seeds.length], r);
            long lines = text.chars().filter(c -> c == '\n').count() + 1;
            try {
              ScriptParser.parse("fuzz.pkt", text);
              outcome[0]++;
            } catch (ScriptSyntaxException e) {
              outcome[1]++;
              assertThat(e.getMessage()).startsWith("fuzz.pkt:" + e.line() + ":" + e.column() + ": ");
              assertThat(e.line()).isBetween(1, (int) lines);
              assertThat(e.column()).isPositive();
              assertThat(e.detail()).doesNotContain("Exception").isNotBlank();
            } catch (Throwable t) {
              fail("iteration " + i + " threw " + t + " for:\n" + text, t);
            }
          }
        });
    assertThat(outcome[0] + outcome[1]).isEqualTo(5_000);
    assertThat(outcome[0]).as("some mutants still parse").isPositive();
    assertThat(outcome[1]).as("most mutants are rejected").isGreaterThan(2_500);
  }
}
