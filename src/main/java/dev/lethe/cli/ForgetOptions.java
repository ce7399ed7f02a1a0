package dev.lethe.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The repeatable {@code --forget} option of the verbs that cover several forget specs (bench, tune, split). */
public final class ForgetOptions {
  /** The default forget specs of the embedded benchmark. */
  public static final List<String> DEFAULT_FORGETS = List.of("random:0.1", "class:Sandal");

  @Option(names = "--forget", description = "Forget spec, repeatable: random:0.1, random:600, class:Sandal, class:5, ids:FILE, a poisoned batch backdoor:100[,target=C,size=S,corner=br|bl|tr|tl] or labelflip:100 (default: random:0.1 and class:Sandal).")
  List<String> forgets = new ArrayList<>();

  /** The specs given, or the defaults. */
  List<String> forgets() {
    return forgets.isEmpty() ? DEFAULT_FORGETS : forgets;
  }
}
