package io.sparkgemm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.spark.block.LabelKind;
import io.sparkgemm.spark.data.GenerateSpec;
import io.sparkgemm.spark.input.InputSpec;
import io.sparkgemm.spark.pass.PassSpec;
import io.sparkgemm.spark.train.Optimizer;
import io.sparkgemm.spark.train.TrainSpec;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The defaults are the specs' own: a command given only what it requires builds the spec the
 * builder builds, and its --help shows the values that spec holds.
 */
class SpecDefaultsTest {
  private static final Pattern SHOWN = Pattern.compile("Default: ([^ ,]+?)\\.?(?: |$)");

  /** What --help shows as {@code flag}'s default: picocli's default, else the description's. */
  private static String shown(CommandLine cli, String flag) {
    OptionSpec option = cli.getCommandSpec().findOption(flag);
    if (option.defaultValue() != null) {
      return option.defaultValue();
    }
    Matcher m = SHOWN.matcher(String.join(" ", option.description()));
    assertThat(m.find()).as(flag + " shows a default").isTrue();
    return m.group(1);
  }

  private static TrainCommand train(String... more) {
    CommandLine cli = new CommandLine(new TrainCommand());
    String[] args = new String[more.length + 6];
    System.arraycopy(new String[] {"--loss", "mse", "--x", "x.npy", "--out", "out"}, 0, args, 0,
        6);
    System.arraycopy(more, 0, args, 6, more.length);
    cli.parseArgs(args);
    return cli.getCommand();
  }

  @Test
  void trainWithoutOptionsBuildsTheBuildersSpec() {
    for (Optimizer optimizer : Optimizer.values()) {
      TrainCommand command = train("--optimizer", optimizer.label());
      assertThat(command.spec()).as(optimizer.label()).usingRecursiveComparison()
          .isEqualTo(TrainSpec.builder(Loss.MSE).optimizer(optimizer)
              .backend(command.job.backend.options()).build());
    }
  }

  @Test
  void trainsHelpShowsTheSpecsDefaults() {
    CommandLine cli = new CommandLine(new TrainCommand());
    TrainSpec lbfgs = TrainSpec.builder(Loss.MSE).build();
    TrainSpec adam = TrainSpec.builder(Loss.MSE).optimizer(Optimizer.ADAM).build();
    assertThat(Optimizer.parse(shown(cli, "--optimizer"))).isEqualTo(lbfgs.optimizer());
    assertThat(String.join(" ", cli.getCommandSpec().findOption("--lr").description()))
        .endsWith("Default: " + adam.learningRate() + " for adam, else " + lbfgs.learningRate()
            + ".");
    double[][] shownAndHeld = {
        {Double.parseDouble(shown(cli, "--momentum")), lbfgs.momentum()},
        {Double.parseDouble(shown(cli, "--reg")), lbfgs.regParam()},
        {Double.parseDouble(shown(cli, "--max-iter")), lbfgs.maxIter()},
        {Double.parseDouble(shown(cli, "--tol")), lbfgs.tol()},
        {Double.parseDouble(shown(cli, "--lbfgs-memory")), lbfgs.lbfgsMemory()},
        {Double.parseDouble(shown(cli, "--tree-depth")), lbfgs.treeDepth()},
        {Double.parseDouble(shown(cli, "--seed")), lbfgs.seed()},
        {Double.parseDouble(shown(cli, "--batch-rows")), adam.batchRows()},
        {Double.parseDouble(shown(cli, "--epochs")), adam.epochs()},
        {Double.parseDouble(shown(cli, "--beta1")), adam.beta1()},
        {Double.parseDouble(shown(cli, "--beta2")), adam.beta2()},
        {Double.parseDouble(shown(cli, "--epsilon")), adam.epsilon()},
        {Double.parseDouble(shown(cli, "--weight-decay")), adam.weightDecay()},
        {Double.parseDouble(shown(cli, "--warmup-steps")), adam.warmupSteps()},
        {Double.parseDouble(shown(cli, "--lr-gamma")), adam.lrGamma()},
        {Double.parseDouble(shown(cli, "--lr-min")), adam.lrMin()}};
    for (double[] pair : shownAndHeld) {
      assertThat(pair[0]).isEqualTo(pair[1]);
    }
    assertThat(shown(cli, "--lr-schedule")).isEqualTo(adam.lrSchedule().label());
    assertThat(shown(cli, "--activation")).isEqualTo(lbfgs.activation().label());
    assertThat(DType.parse(shown(cli, "--dtype"))).isEqualTo(lbfgs.dtype());
    assertThat(Integer.parseInt(shown(cli, "--block-rows")))
        .isEqualTo(InputSpec.builder("x").build().blockRows());
    assertThat(Integer.parseInt(shown(cli, "--partitions")))
        .isEqualTo(InputSpec.builder("x").build().partitions());
  }

  @Test
  void forwardAndBackwardBuildTheBuildersPasses() {
    CommandLine forwardCli = new CommandLine(new ForwardCommand());
    forwardCli.parseArgs("--x", "x.npy", "--w", "w.npy", "--out", "out");
    ForwardCommand forward = forwardCli.getCommand();
    assertThat(forward.pass()).usingRecursiveComparison().isEqualTo(PassSpec.forward()
        .backend(forward.job.backend.options()).build());
    assertThat(forward.job.input(LabelKind.NONE, null, null, null, null))
        .usingRecursiveComparison().isEqualTo(InputSpec.builder("x.npy").build());

    CommandLine backwardCli = new CommandLine(new BackwardCommand());
    backwardCli.parseArgs("--loss", "sum", "--x", "x.npy", "--w", "w.npy", "--out", "out");
    BackwardCommand backward = backwardCli.getCommand();
    PassSpec built = PassSpec.backward(Loss.SUM).backend(backward.job.backend.options()).build();
    assertThat(backward.pass(Loss.SUM)).usingRecursiveComparison().isEqualTo(built);
    assertThat(Integer.parseInt(shown(backwardCli, "--tree-depth")))
        .isEqualTo(built.treeDepth());
    assertThat(Sizes.bytes("--shard-threshold", shown(backwardCli, "--shard-threshold")))
        .isEqualTo(built.shardThreshold());
  }

  @Test
  void generateWithoutOptionsBuildsTheBuildersSpec() {
    CommandLine cli = new CommandLine(new GenerateCommand());
    cli.parseArgs("--rows", "10", "--features", "3", "--outputs", "2", "--out", "out");
    GenerateCommand command = cli.getCommand();
    GenerateSpec built = GenerateSpec.builder(10, 3, 2).out("out").build();
    assertThat(command.spec()).usingRecursiveComparison().isEqualTo(built);
    assertThat(shown(cli, "--task")).isEqualTo(built.task());
    assertThat(shown(cli, "--format")).isEqualTo(built.format());
    assertThat(Long.parseLong(shown(cli, "--seed"))).isEqualTo(built.seed());
    assertThat(Double.parseDouble(shown(cli, "--noise"))).isEqualTo(built.noise());
    assertThat(Integer.parseInt(shown(cli, "--teacher-hidden"))).isEqualTo(built.teacherHidden());
    assertThat(Long.parseLong(shown(cli, "--holdout"))).isEqualTo(built.holdoutRows());
    assertThat(Integer.parseInt(shown(cli, "--partitions"))).isEqualTo(built.partitions());
  }
}
