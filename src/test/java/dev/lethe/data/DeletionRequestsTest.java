package dev.lethe.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.LetheException;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DeletionRequestsTest {
  private static final Splits SPLITS =
      new Splits(TestData.synthetic("pool", 40, 0), TestData.synthetic("val", 10, 100), TestData.synthetic("test", 10, 200));

  private static int[] ids(Dataset d) {
    return Arrays.stream(d.ids()).sorted().toArray();
  }

  @Test
  void tenForgottenSamplesAsThreeRequestsArePartsOfFourThreeAndThreeThatCoverTheForgetSet() {
    ForgetTask full = ForgetTask.derive(ForgetSpec.count(10), SPLITS, 7);
    DeletionRequests requests = DeletionRequests.of(full, 3);

    assertThat(requests.count()).isEqualTo(3);
    assertThat(requests.part(1)).hasSize(4).isSorted();
    assertThat(requests.part(2)).hasSize(3);
    assertThat(requests.part(3)).hasSize(3);
    int[] all = IntStream.rangeClosed(1, 3).flatMap(i -> Arrays.stream(requests.part(i))).sorted().toArray();
    assertThat(all).isEqualTo(full.rows().forget());
    assertThat(DeletionRequests.of(full, 3).part(2)).as("seeded").isEqualTo(requests.part(2));
  }

  @Test
  void afterRequestTwoTheRetrainLeavesOutBothPartsAndTheMethodSeesOnlyTheSecondOnWhatIsLeft() {
    ForgetTask full = ForgetTask.derive(ForgetSpec.count(10), SPLITS, 7);
    DeletionRequests requests = DeletionRequests.of(full, 3);
    int[] first = Arrays.stream(requests.part(1)).map(SPLITS.pool()::id).toArray();
    int[] second = Arrays.stream(requests.part(2)).map(SPLITS.pool()::id).toArray();

    ForgetTask cumulative = requests.cumulative(2);
    assertThat(ids(cumulative.forget())).isEqualTo(IntStream.concat(Arrays.stream(first), Arrays.stream(second)).sorted().toArray());
    assertThat(cumulative.retain().size()).isEqualTo(33);
    assertThat(cumulative.pool().size()).isEqualTo(40);

    ForgetTask step = requests.step(2);
    assertThat(step.pool().size()).isEqualTo(36);
    assertThat(ids(step.pool())).doesNotContain(first);
    assertThat(ids(step.forget())).isEqualTo(second);
    assertThat(ids(step.retain())).isEqualTo(ids(cumulative.retain()));
    assertThat(step.test().size()).isEqualTo(10);

    assertThat(requests.cumulative(3)).isSameAs(full);
    assertThat(ids(requests.step(1).forget())).isEqualTo(first);
    assertThat(requests.step(1).pool().size()).isEqualTo(40);
  }

  @Test
  void moreRequestsThanSamplesOrNoneOrAClassAreOneLineErrors() {
    ForgetTask full = ForgetTask.derive(ForgetSpec.count(3), SPLITS, 1);
    assertThatThrownBy(() -> DeletionRequests.of(full, 4)).isInstanceOf(LetheException.class)
        .hasMessage("--requests 4 does not fit forget spec random:3 of 3 samples: pass between 1 and 3 requests");
    assertThatThrownBy(() -> DeletionRequests.of(full, 0)).isInstanceOf(LetheException.class);
    ForgetTask cls = ForgetTask.derive(ForgetSpec.classes(2), SPLITS, 1);
    assertThatThrownBy(() -> DeletionRequests.of(cls, 2)).isInstanceOf(LetheException.class)
        .hasMessageContaining("forgets whole classes, which is one request");
    assertThat(DeletionRequests.of(full, 3).part(3)).hasSize(1);
  }
}
