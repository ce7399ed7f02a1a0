package dev.lethe;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import dev.lethe.unlearn.MethodRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package layout of DESIGN.md ("Packages"), checked on the compiled main classes: the packages read as
 * the data flow data → model → train → unlearn / audit → experiment → report → bench → cli, and every
 * dependency points down it.
 */
class LayeringTest {
  private static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.lethe");
  }

  @Test
  void dependenciesPointDownTheDataFlow() {
    layeredArchitecture().consideringOnlyDependenciesInLayers()
        .layer("data").definedBy("dev.lethe.data..")
        .layer("model").definedBy("dev.lethe.model..")
        .layer("train").definedBy("dev.lethe.train..")
        .layer("unlearn").definedBy("dev.lethe.unlearn..")
        .layer("audit").definedBy("dev.lethe.audit..")
        .layer("experiment").definedBy("dev.lethe.experiment..")
        .layer("report").definedBy("dev.lethe.report..")
        .layer("bench").definedBy("dev.lethe.bench..")
        .layer("cli").definedBy("dev.lethe.cli..")
        .whereLayer("data").mayNotAccessAnyLayer()
        .whereLayer("model").mayOnlyAccessLayers("data")
        .whereLayer("train").mayOnlyAccessLayers("model", "data")
        .whereLayer("unlearn").mayOnlyAccessLayers("train", "model", "data")
        .whereLayer("audit").mayOnlyAccessLayers("train", "model", "data")
        .whereLayer("experiment").mayOnlyAccessLayers("audit", "unlearn", "train", "model", "data")
        .whereLayer("report").mayOnlyAccessLayers("experiment", "audit", "unlearn", "train", "model", "data")
        .whereLayer("bench")
        .mayOnlyAccessLayers("report", "experiment", "audit", "unlearn", "train", "model", "data")
        .whereLayer("cli").mayNotBeAccessedByAnyLayer()
        .check(main);
  }

  @Test
  void theSharedRootTypesDependOnNoLethePackage() {
    classes().that().resideInAPackage("dev.lethe")
        .should().onlyDependOnClassesThat(resideOutsideOfPackage("dev.lethe..").or(resideInAPackage("dev.lethe")))
        .check(main);
  }

  @Test
  void blocksUseOnlyTrainModelAndData() {
    classes().that().resideInAPackage("dev.lethe.unlearn.blocks..")
        .should().onlyDependOnClassesThat(resideOutsideOfPackage("dev.lethe..").or(resideInAnyPackage(
            "dev.lethe", "dev.lethe.unlearn.blocks..", "dev.lethe.train..", "dev.lethe.model..", "dev.lethe.data..")))
        .check(main);
  }

  @Test
  void onlyTheRegistryOfTheUnlearnPackageKnowsTheMethods() {
    noClasses().that().resideInAPackage("dev.lethe.unlearn").and(not(belongToAnyOf(MethodRegistry.class)))
        .should().dependOnClassesThat().resideInAPackage("dev.lethe.unlearn.method..")
        .check(main);
  }

  @Test
  void noMethodClassUsesAnotherMethodClass() {
    classes().that().resideInAPackage("dev.lethe.unlearn.method..")
        .should(new ArchCondition<JavaClass>("use no other method class (shared steps belong in unlearn.blocks)") {
          @Override
          public void check(JavaClass origin, ConditionEvents events) {
            for (Dependency d : origin.getDirectDependenciesFromSelf()) {
              JavaClass target = d.getTargetClass().getBaseComponentType();
              if (target.getPackageName().startsWith("dev.lethe.unlearn.method")
                  && !outermost(target).equals(outermost(origin))) {
                events.add(SimpleConditionEvent.violated(d, d.getDescription()));
              }
            }
          }
        })
        .check(main);
  }

  @Test
  void onlyTheCliUsesPicocli() {
    noClasses().that().resideOutsideOfPackage("dev.lethe.cli..")
        .should().dependOnClassesThat().resideInAPackage("picocli..")
        .check(main);
  }

  private static JavaClass outermost(JavaClass c) {
    JavaClass out = c;
    while (out.getEnclosingClass().isPresent()) {
      out = out.getEnclosingClass().get();
    }
    return out;
  }
}
