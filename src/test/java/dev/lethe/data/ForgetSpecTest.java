package dev.lethe.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.LetheException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ForgetSpecTest {
  private static final String EXAMPLES = "random:0.1, random:600, class:Sandal, class:5, class:3,5, ids:forget-ids.txt,"
      + " worst:0.1, worst:600, backdoor:100, backdoor:100,target=Sandal,size=4,corner=tl or labelflip:100";

  @Test
  void parsesEachKind() {
    assertThat(ForgetSpec.parse("random:0.1")).isEqualTo(new ForgetSpec.RandomFraction(0.1));
    assertThat(ForgetSpec.parse("random:600")).isEqualTo(new ForgetSpec.RandomCount(600));
    assertThat(ForgetSpec.parse("random:1")).isEqualTo(new ForgetSpec.RandomCount(1));
    assertThat(ForgetSpec.parse("random:.25")).isEqualTo(new ForgetSpec.RandomFraction(0.25));
    assertThat(ForgetSpec.parse("class:Sandal")).isEqualTo(new ForgetSpec.ClassForget("Sandal"));
    assertThat(ForgetSpec.parse("class:5")).isEqualTo(new ForgetSpec.ClassForget("5"));
    assertThat(ForgetSpec.parse("ids:path/to/file.txt")).isEqualTo(new ForgetSpec.IdList(Path.of("path/to/file.txt")));
  }

  @Test
  void kindIsCaseInsensitiveAndSpacesAreIgnored() {
    assertThat(ForgetSpec.parse("  RANDOM : 0.5 ")).isEqualTo(new ForgetSpec.RandomFraction(0.5));
    assertThat(ForgetSpec.parse("Class: Ankle boot ")).isEqualTo(new ForgetSpec.ClassForget("Ankle boot"));
    assertThat(ForgetSpec.parse("ids:/tmp/a:b.txt")).isEqualTo(new ForgetSpec.IdList(Path.of("/tmp/a:b.txt")));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "random:0.1", "random:0.25", "random:1.0E-4", "random:0.999", "random:600", "random:1",
      "class:Sandal", "class:5", "class:Ankle boot", "class:3,5", "class:Bag,Sandal", "ids:path/to/file.txt",
      "ids:/abs/ids.txt", "backdoor:100", "backdoor:1,target=Sandal", "backdoor:7,size=5,corner=tl",
      "backdoor:7,target=3,size=1,corner=bl", "labelflip:250", "worst:0.1", "worst:600"})
  void canonicalTextRoundTrips(String text) {
    ForgetSpec spec = ForgetSpec.parse(text);

    assertThat(spec.text()).isEqualTo(text);
    assertThat(ForgetSpec.parse(spec.text())).isEqualTo(spec);
  }

  @Test
  void poisonedBatchesParseWithDefaultsAndOptionsInAnyOrder() {
    assertThat(ForgetSpec.parse("backdoor:100"))
        .isEqualTo(new ForgetSpec.Backdoor(100, "0", 3, ForgetSpec.Corner.BR))
        .isEqualTo(new ForgetSpec.Backdoor(100));
    assertThat(ForgetSpec.parse("Backdoor: 20 , corner=TR, target= Sandal ,size=2"))
        .isEqualTo(new ForgetSpec.Backdoor(20, "Sandal", 2, ForgetSpec.Corner.TR));
    assertThat(ForgetSpec.parse("backdoor:20,corner=tr,target=Sandal,size=2").text())
        .isEqualTo("backdoor:20,target=Sandal,size=2,corner=tr");
    assertThat(ForgetSpec.parse("backdoor:20,size=3,corner=br,target=0").text()).isEqualTo("backdoor:20");
    assertThat(ForgetSpec.parse("labelflip:40")).isEqualTo(new ForgetSpec.LabelFlip(40));
  }

  @Test
  void nonCanonicalInputGetsCanonicalText() {
    assertThat(ForgetSpec.parse("random:.5").text()).isEqualTo("random:0.5");
    assertThat(ForgetSpec.parse("random:0007").text()).isEqualTo("random:7");
    assertThat(ForgetSpec.parse("random:1.5e-2").text()).isEqualTo("random:0.015");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", "   ", "random", "random:", "random:0.0", "random:0.", "random:1.0", "random:1.5", "random:0",
      "random:-3", "random:-0.1", "random:abc", "random:0.1x", "random:NaN", "random:99999999999", "random:1,5", "random:1e-3",
      "forget:0.1", "class:", "class:   ", "class:3,,5", "class:3,", "ids:", "ids:bad\0path", ":5",
      "backdoor:0", "backdoor:0.1", "backdoor:x", "backdoor:5,size=0", "backdoor:5,size=-1", "backdoor:5,size=big",
      "backdoor:5,corner=middle", "backdoor:5,colour=red", "backdoor:5,target=", "backdoor:5,size", "backdoor:5,size=2,size=3",
      "labelflip:0", "labelflip:-2", "labelflip:0.5", "labelflip:5,target=1"})
  void rejectsBadSpecsWithExamples(String text) {
    assertThatThrownBy(() -> ForgetSpec.parse(text))
        .isInstanceOf(LetheException.class)
        .hasMessageStartingWith("invalid forget spec")
        .hasMessageContaining(EXAMPLES)
        .hasMessageNotContaining("\n");
  }

  @Test
  void errorsSayWhatIsWrong() {
    assertThatThrownBy(() -> ForgetSpec.parse(null)).hasMessageContaining("it is empty");
    assertThatThrownBy(() -> ForgetSpec.parse("random")).hasMessageContaining("expected KIND:VALUE");
    assertThatThrownBy(() -> ForgetSpec.parse("random:")).hasMessageContaining("value after ':' is missing");
    assertThatThrownBy(() -> ForgetSpec.parse("random:1.0")).hasMessageContaining("strictly between 0 and 1");
    assertThatThrownBy(() -> ForgetSpec.parse("random:0")).hasMessageContaining("count must be at least 1");
    assertThatThrownBy(() -> ForgetSpec.parse("random:abc")).hasMessageContaining("'abc' is neither a fraction");
    assertThatThrownBy(() -> ForgetSpec.parse("random:99999999999")).hasMessageContaining("too large");
    assertThatThrownBy(() -> ForgetSpec.parse("forget:0.1")).hasMessageContaining("unknown kind 'forget'")
        .hasMessageContaining("random, class, ids");
    assertThatThrownBy(() -> ForgetSpec.parse("ids:bad\0path")).hasMessageContaining("not a valid path");
  }

  @Test
  void recordConstructorsValidateToo() {
    assertThatThrownBy(() -> new ForgetSpec.RandomFraction(Double.NaN)).isInstanceOf(LetheException.class);
    assertThatThrownBy(() -> new ForgetSpec.RandomFraction(0)).isInstanceOf(LetheException.class);
    assertThatThrownBy(() -> new ForgetSpec.RandomCount(-1)).isInstanceOf(LetheException.class);
    assertThatThrownBy(() -> new ForgetSpec.ClassForget(" ")).isInstanceOf(LetheException.class);
    assertThatThrownBy(() -> new ForgetSpec.IdList(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void theFactoriesMakeTheSpecsTheTextsParseTo() {
    assertThat(ForgetSpec.fraction(0.1)).isEqualTo(ForgetSpec.parse("random:0.1"));
    assertThat(ForgetSpec.count(600)).isEqualTo(ForgetSpec.parse("random:600"));
    assertThat(ForgetSpec.classes(5)).isEqualTo(ForgetSpec.parse("class:5")).isEqualTo(new ForgetSpec.ClassForget("5"));
    assertThat(ForgetSpec.classes(3, 5)).isEqualTo(ForgetSpec.parse("class: 3 , 5"));
    assertThat(ForgetSpec.classes(3, 5).text()).isEqualTo("class:3,5");
    assertThatThrownBy(() -> ForgetSpec.fraction(1.5)).isInstanceOf(LetheException.class)
        .hasMessageContaining("strictly between 0 and 1");
    assertThatThrownBy(() -> ForgetSpec.count(0)).isInstanceOf(LetheException.class)
        .hasMessageContaining("count must be at least 1");
    assertThatThrownBy(ForgetSpec::classes).isInstanceOf(LetheException.class)
        .hasMessageContaining("name at least one class").hasMessageNotContaining("\n");
  }

  @Test
  void anInMemoryIdListIsSortedAndNamedByItsSizeAndIdsHash() {
    ForgetSpec spec = ForgetSpec.ids(15, 3, 92, 14);
    assertThat(spec).isEqualTo(ForgetSpec.ids(3, 14, 15, 92)).hasSameHashCodeAs(ForgetSpec.ids(3, 14, 15, 92))
        .isNotEqualTo(ForgetSpec.ids(3, 14, 15));
    assertThat(((ForgetSpec.IdSet) spec).ids()).containsExactly(3, 14, 15, 92);
    // the hash is that of an ids: file with the same ids (IdFile.hashOf), so the text matches forget_ids_hash
    assertThat(spec.text()).isEqualTo("ids[4 ids, sha256 " + IdFile.hashOf(new int[] {3, 14, 15, 92}).substring(0, 12) + "]");
    int[] given = {7, 2};
    ForgetSpec.IdSet copy = new ForgetSpec.IdSet(given);
    given[0] = 9;
    copy.ids()[0] = 9;
    assertThat(copy.ids()).as("neither the caller's array nor the accessor's copy is the spec's").containsExactly(2, 7);
  }

  @Test
  void anEmptyOrRepeatingInMemoryIdListIsAOneLineError() {
    assertThatThrownBy(ForgetSpec::ids).isInstanceOf(LetheException.class)
        .hasMessage("invalid forget spec 'ids:': the id list is empty; give at least one id; valid specs look like "
            + EXAMPLES);
    assertThatThrownBy(() -> ForgetSpec.ids(4, 8, 4)).isInstanceOf(LetheException.class)
        .hasMessageContaining("id 4 is listed twice; list each id once").hasMessageNotContaining("\n");
  }
}
