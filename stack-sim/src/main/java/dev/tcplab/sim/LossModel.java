package dev.tcplab.sim;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Random;

/** How a link loses packets at random: not at all, independently (Bernoulli), or in bursts. */
public sealed interface LossModel {
  /** A fresh loss process for one link direction. */
  Process start();

  /** Decides packet by packet; stateful for bursty models. */
  interface Process {
    boolean lose(Random random);
  }

  LossModel NONE = new None();

  /** No random loss. */
  record None() implements LossModel {
    @Override
    public Process start() {
      return r -> false;
    }

    @Override
    public String toString() {
      return "none";
    }
  }

  /** Each packet lost independently with probability {@code p}. */
  record Bernoulli(double p) implements LossModel {
    public Bernoulli {
      checkArgument(p >= 0 && p <= 1, "Loss probability must be in [0, 1]: %s", p);
    }

    @Override
    public Process start() {
      return r -> p > 0 && r.nextDouble() < p;
    }

    @Override
    public String toString() {
      return "bernoulli " + p;
    }
  }

  /**
   * The Gilbert-Elliott two-state burst model: a good and a bad state with their own loss rates; each
   * packet first moves between states ({@code goodToBad}, {@code badToGood}), then is lost with the
   * state's rate.
   */
  record GilbertElliott(double goodToBad, double badToGood, double lossGood, double lossBad)
      implements LossModel {
    public GilbertElliott {
      for (double v : new double[] {goodToBad, badToGood, lossGood, lossBad}) {
        checkArgument(v >= 0 && v <= 1, "Gilbert-Elliott probabilities must be in [0, 1]: %s", v);
      }
    }

    @Override
    public Process start() {
      return new Process() {
        private boolean bad;

        @Override
        public boolean lose(Random r) {
          bad = bad ? r.nextDouble() >= badToGood : r.nextDouble() < goodToBad;
          return r.nextDouble() < (bad ? lossBad : lossGood);
        }
      };
    }

    @Override
    public String toString() {
      return "gilbert-elliott p=" + goodToBad + " r=" + badToGood + " k=" + lossGood + " h=" + lossBad;
    }
  }
}
