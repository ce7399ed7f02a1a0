package dev.lethe.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.LetheException;
import org.junit.jupiter.api.Test;

class LrScheduleTest {
  @Test
  void cosineAnnealsFromBaseToZero() {
    assertThat(LrSchedule.COSINE.at(0.4, 0, 100)).isEqualTo(0.4);
    assertThat(LrSchedule.COSINE.at(0.4, 50, 100)).isCloseTo(0.2, within(1e-12));
    assertThat(LrSchedule.COSINE.at(0.4, 25, 100))
        .isCloseTo(0.2 * (1 + Math.cos(Math.PI / 4)), within(1e-12));
    assertThat(LrSchedule.COSINE.at(0.4, 100, 100)).isCloseTo(0, within(1e-12));
    assertThat(LrSchedule.COSINE.at(0.4, 99, 100)).isPositive().isLessThan(0.4 * 1e-3);
    double previous = Double.POSITIVE_INFINITY;
    for (int t = 0; t <= 100; t++) {
      double lr = LrSchedule.COSINE.at(0.4, t, 100);
      assertThat(lr).isLessThan(previous);
      previous = lr;
    }
  }

  @Test
  void stepDropsTenfoldAtHalfAndThreeQuarters() {
    assertThat(LrSchedule.STEP.at(1.0, 0, 100)).isEqualTo(1.0);
    assertThat(LrSchedule.STEP.at(1.0, 49, 100)).isEqualTo(1.0);
    assertThat(LrSchedule.STEP.at(1.0, 50, 100)).isCloseTo(0.1, within(1e-15));
    assertThat(LrSchedule.STEP.at(1.0, 74, 100)).isCloseTo(0.1, within(1e-15));
    assertThat(LrSchedule.STEP.at(1.0, 75, 100)).isCloseTo(0.01, within(1e-15));
    assertThat(LrSchedule.STEP.at(1.0, 99, 100)).isCloseTo(0.01, within(1e-15));
    // 8 steps: milestones at 4 and 6
    assertThat(LrSchedule.STEP.at(2.0, 3, 8)).isEqualTo(2.0);
    assertThat(LrSchedule.STEP.at(2.0, 4, 8)).isCloseTo(0.2, within(1e-15));
    assertThat(LrSchedule.STEP.at(2.0, 6, 8)).isCloseTo(0.02, within(1e-15));
  }

  @Test
  void constantKeepsTheBase() {
    for (int t = 0; t < 10; t++) {
      assertThat(LrSchedule.CONSTANT.at(0.03, t, 10)).isEqualTo(0.03);
    }
  }

  @Test
  void namesParseToTheirScheduleAndAnUnknownNameIsAnErrorListingTheNames() {
    assertThat(LrSchedule.parse("cosine")).isEqualTo(LrSchedule.COSINE);
    assertThat(LrSchedule.parse("step")).isEqualTo(LrSchedule.STEP);
    assertThat(LrSchedule.parse("constant")).isEqualTo(LrSchedule.CONSTANT);
    assertThatThrownBy(() -> LrSchedule.parse("linear"))
        .isInstanceOf(LetheException.class)
        .hasMessage("unknown value 'linear' for schedule: use cosine, step or constant");
    assertThatThrownBy(() -> LrSchedule.parse("Cosine")).isInstanceOf(LetheException.class);
  }

  @Test
  void theJsonOfAScheduleIsItsName() throws Exception {
    ObjectMapper json = new ObjectMapper();
    assertThat(json.writeValueAsString(LrSchedule.STEP)).isEqualTo("\"step\"");
    assertThat(json.readValue("\"constant\"", LrSchedule.class)).isEqualTo(LrSchedule.CONSTANT);
  }

  @Test
  void scheduleEvaluatesItsRateOverItsOwnStepCount() {
    Schedule s = new Schedule(10, 5, 4, 0.2, LrSchedule.COSINE);
    assertThat(s.lrAt(0)).isEqualTo(0.2);
    assertThat(s.lrAt(5)).isCloseTo(0.1, within(1e-12));
    assertThatThrownBy(() -> new Schedule(0, 5, 4, 0.2, LrSchedule.COSINE))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
