package dev.tcplab.core.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcplab.core.wire.TcpOption;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The four queues on their own: byte accounting, slicing without copies, reassembly and SACK blocks. */
class QueuesTest {
  private static byte[] bytes(int from, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) b[i] = (byte) (from + i);
    return b;
  }

  @Test
  void sendQueueHandsOutViewsOfOneChunkAndCopiesOnlyAcrossChunks() {
    SendQueue q = new SendQueue();
    q.write(bytes(0, 3000), 0, 3000);
    q.write(bytes(3000, 100), 0, 100); // appended into the first chunk's free tail
    assertThat(q.size()).isEqualTo(3100);
    byte[] firstArray = q.take(1460).array;
    ByteSlice second = q.take(1460);
    assertThat(second.array).isSameAs(firstArray); // same chunk, no copy
    assertThat(second.offset).isEqualTo(1460);
    q.write(bytes(3100, 5000), 0, 5000); // first chunk has 996 bytes free: 996 appended, rest new chunk
    ByteSlice third = q.take(1460); // 180 left in chunk one + 1280 of chunk two... spans: copied
    assertThat(third.length).isEqualTo(1460);
    assertThat(Arrays.copyOfRange(third.array, third.offset, third.offset + 3))
        .containsExactly((byte) 2920, (byte) 2921, (byte) 2922);
    assertThat(q.size()).isEqualTo(8100 - 3 * 1460);
  }

  @Test
  void bytesAlreadyTakenNeverChangeWhenMoreIsWritten() {
    SendQueue q = new SendQueue();
    q.write(bytes(0, 10), 0, 10);
    ByteSlice taken = q.take(10);
    ByteSlice s = new ByteSlice(taken.array, taken.offset, taken.length);
    byte[] before = Arrays.copyOfRange(s.array, s.offset, s.offset + s.length);
    q.write(bytes(100, 50), 0, 50);
    assertThat(Arrays.copyOfRange(s.array, s.offset, s.offset + s.length)).isEqualTo(before);
  }

  @Test
  void receiveQueueReadsAcrossSlices() {
    ReceiveQueue q = new ReceiveQueue();
    q.add(bytes(0, 10), 2, 5);
    q.add(bytes(50, 10), 0, 10);
    byte[] out = new byte[12];
    assertThat(q.read(out, 0, 12)).isEqualTo(12);
    assertThat(out[0]).isEqualTo((byte) 2);
    assertThat(out[5]).isEqualTo((byte) 50);
    assertThat(q.size()).isEqualTo(3);
  }

  @Test
  void reassemblyTrimsOverlapsAndDrainsWhenTheGapFills() {
    ReassemblyQueue r = new ReassemblyQueue();
    int rcvNxt = 1000;
    r.add(1100, bytes(100, 100), 0, 100, rcvNxt); // [1100,1200)
    r.add(1150, bytes(150, 100), 0, 100, rcvNxt); // overlaps: only [1200,1250) is new
    r.add(1300, bytes(44, 10), 0, 10, rcvNxt); // [1300,1310)
    assertThat(r.size()).isEqualTo(160);
    // RFC 2018 §4: the block with the most recent arrival first
    assertThat(r.sackBlocks(4))
        .containsExactly(new TcpOption.Block(1300, 1310), new TcpOption.Block(1100, 1250));
    ReceiveQueue q = new ReceiveQueue();
    assertThat(r.drainInto(rcvNxt, q)).isEqualTo(rcvNxt); // still a hole at 1000
    r.add(1000, bytes(0, 100), 0, 100, rcvNxt);
    int next = r.drainInto(rcvNxt, q);
    assertThat(next).isEqualTo(1250);
    byte[] out = new byte[250];
    assertThat(q.read(out, 0, 250)).isEqualTo(250);
    for (int i = 0; i < 250; i++) assertThat(out[i]).isEqualTo((byte) i);
    assertThat(r.sackBlocks(4)).containsExactly(new TcpOption.Block(1300, 1310));
  }

  @Test
  void reassemblyWorksAcrossTheSequenceWrap() {
    ReassemblyQueue r = new ReassemblyQueue();
    int rcvNxt = -50; // 0xFFFFFFCE
    r.add(rcvNxt + 20, bytes(20, 60), 0, 60, rcvNxt);
    r.add(rcvNxt, bytes(0, 20), 0, 20, rcvNxt);
    ReceiveQueue q = new ReceiveQueue();
    assertThat(r.drainInto(rcvNxt, q)).isEqualTo(30);
    assertThat(q.size()).isEqualTo(80);
  }

  @Test
  void retransmissionQueueTrimsPartlyAckedEntriesAndMarksSack() {
    RetransmissionQueue q = new RetransmissionQueue();
    byte[] data = bytes(0, 3000);
    q.add(100, data, 0, 1000, false, false, 0);
    q.add(1100, data, 1000, 1000, false, false, 0);
    q.add(2100, data, 2000, 1000, false, true, 0);
    assertThat(q.payloadBytes()).isEqualTo(3000);
    q.acknowledge(600);
    assertThat(q.first().seq).isEqualTo(600);
    assertThat(q.first().offset).isEqualTo(500);
    assertThat(q.payloadBytes()).isEqualTo(2500);
    assertThat(q.markSacked(java.util.List.of(new TcpOption.Block(2100, 3101)))).isEqualTo(1001);
    q.markLostBySack(1, 1000);
    assertThat(q.first().lost).isTrue();
    assertThat(q.pipe()).isEqualTo(0); // [600,1100) and [1100,2100) lost, the FIN entry SACKed
    assertThat(q.acknowledge(3101)).isNotNull();
    assertThat(q.isEmpty()).isTrue();
    assertThat(q.payloadBytes()).isZero();
  }
}
