package dev.tiergate.server.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaConstructorCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The arrows point inward: the core depends on nothing of ours and on no JDBC, HTTP or git library; the adapters of
 * one seam (each forge, each branch backend) never depend on one another or on the gate; nothing below the gate
 * depends on the gate, the HTTP layer, the dashboard or the command line. Main code only (tests may reach anywhere).
 */
class ArchitectureTest {
    static JavaClasses classes;
    static final Set<String> PARTS = Set.of(
            "BranchStore",
            "AuditLog",
            "Inbox",
            "RunQueue",
            "ApiTokenStore",
            "MigrationStore",
            "DriftStore",
            "GateProcessor",
            "TierRollback");

    @BeforeAll
    static void importMainCode() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.tiergate");
    }

    @Test
    void theCoreDependsOnNothingOfOursAndOnNoDatabaseHttpOrGit() {
        noClasses()
                .that()
                .resideInAPackage("dev.tiergate.core..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.tiergate.server..",
                        "dev.tiergate.hooks..",
                        "java.sql..",
                        "java.net.http..",
                        "org.eclipse.jgit..",
                        "org.postgresql..",
                        "org.flywaydb..")
                .because(
                        "decisions are pure: the hooks and the server call the same functions, tested without git, a database or a network")
                .check(classes);
    }

    @Test
    void theForgesNeverDependOnOneAnother() {
        slices().matching("dev.tiergate.server.forge.(*)..")
                .should()
                .notDependOnEachOther()
                .because("adding a forge is copying a sibling, not editing one")
                .check(classes);
    }

    @Test
    void theBranchBackendsNeverDependOnOneAnother() {
        slices().matching("dev.tiergate.server.backend.(*)..")
                .should()
                .notDependOnEachOther()
                .because("adding a backend is copying a sibling, not editing one")
                .check(classes);
    }

    @Test
    void adaptersAndSeamsNeverDependOnTheGateTheHttpLayerTheDashboardOrTheCommandLine() {
        noClasses()
                .that()
                .resideInAnyPackage(
                        "dev.tiergate.server.forge..",
                        "dev.tiergate.server.backend..",
                        "dev.tiergate.server.store..",
                        "dev.tiergate.server.inbox..",
                        "dev.tiergate.server.runs..",
                        "dev.tiergate.server.audit..",
                        "dev.tiergate.server.migrate..",
                        "dev.tiergate.server.embedded..",
                        "dev.tiergate.server.config..",
                        "dev.tiergate.server.metrics..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.tiergate.server.gate..",
                        "dev.tiergate.server.http..",
                        "dev.tiergate.server.ui..",
                        "dev.tiergate.server.cli..",
                        "dev.tiergate.server.demo..")
                .because("arrows point inward: the gate uses the seams, never the other way")
                .check(classes);
    }

    @Test
    void theGateNeverDependsOnAnAdapterOnlyOnItsSeam() {
        noClasses()
                .that()
                .resideInAPackage("dev.tiergate.server.gate..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.tiergate.server.forge.github..",
                        "dev.tiergate.server.forge.gitlab..",
                        "dev.tiergate.server.backend.postgres..",
                        "dev.tiergate.server.backend.neon..",
                        "dev.tiergate.server.backend.lakebase..",
                        "dev.tiergate.server.http..",
                        "dev.tiergate.server.ui..")
                .because(
                        "the gate decides through the Forge and BranchBackend seams; the composition root picks the adapters")
                .check(classes);
    }

    @Test
    void aSeamNeverDependsOnItsAdapters() {
        noClasses()
                .that()
                .resideInAPackage("dev.tiergate.server.backend")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.tiergate.server.backend.postgres..",
                        "dev.tiergate.server.backend.neon..",
                        "dev.tiergate.server.backend.lakebase..")
                .because("the factory that picks a backend is the composition root's (wiring), not the seam's")
                .check(classes);
        noClasses()
                .that()
                .resideInAPackage("dev.tiergate.server.forge")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.tiergate.server.forge.github..", "dev.tiergate.server.forge.gitlab..")
                .because("the forges are picked in the composition root (wiring)")
                .check(classes);
    }

    @Test
    void onlyTheCompositionRootBuildsAdapters() {
        noClasses()
                .that()
                .resideOutsideOfPackages(
                        "dev.tiergate.server.wiring..",
                        "dev.tiergate.server.demo..",
                        "dev.tiergate.server.backend.postgres..",
                        "dev.tiergate.server.backend.neon..",
                        "dev.tiergate.server.backend.lakebase..",
                        "dev.tiergate.server.forge.github..",
                        "dev.tiergate.server.forge.gitlab..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.tiergate.server.backend.postgres..",
                        "dev.tiergate.server.backend.neon..",
                        "dev.tiergate.server.backend.lakebase..",
                        "dev.tiergate.server.forge.github..",
                        "dev.tiergate.server.forge.gitlab..")
                .because(
                        "wiring/BranchBackends and wiring/ForgeBindings are the one place adapters are chosen and built")
                .check(classes);
    }

    @Test
    void storageAndBranchesKnowNoForge() {
        noClasses()
                .that()
                .resideInAnyPackage(
                        "dev.tiergate.server.backend..",
                        "dev.tiergate.server.store..",
                        "dev.tiergate.server.audit..",
                        "dev.tiergate.server.runs..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.tiergate.server.forge..")
                .because(
                        "a repository is a RepoRef (package repo), which every package can see; the forges are the gate's")
                .check(classes);
    }

    @Test
    void onlyTheDemoUsesTheTestkitAndTheTestkitUsesNothingOfOurs() {
        noClasses()
                .that()
                .resideInAPackage("dev.tiergate.server..")
                .and()
                .resideOutsideOfPackage("dev.tiergate.server.demo..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.tiergate.testkit..")
                .because("the stand-ins are fixtures: tiergate demo plays against them, the server never does")
                .check(classes);
        noClasses()
                .that()
                .resideInAPackage("dev.tiergate.testkit..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.tiergate.server..", "dev.tiergate.core..", "dev.tiergate.hooks..")
                .because("a stand-in models the real service from its documentation, not from the code under test")
                .check(classes);
    }

    @Test
    void theServerTakesOnlyTheCommandDefinitionsFromTheHooks() {
        noClasses()
                .that()
                .resideInAPackage("dev.tiergate.server..")
                .and()
                .resideOutsideOfPackage("dev.tiergate.server.cli..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.tiergate.hooks..")
                .because(
                        "the hooks' jar is on the server's class path for ServerCommands, the one definition of its options")
                .check(classes);
    }

    @Test
    void onlyTheCompositionRootBuildsTheServersParts() {
        noClasses()
                .that()
                .resideOutsideOfPackage("dev.tiergate.server.wiring..")
                .should()
                .callConstructorWhere(DescribedPredicate.describe(
                        "a constructor of the server's stores, queues and gates",
                        (JavaConstructorCall call) -> PARTS.contains(
                                        call.getTargetOwner().getSimpleName())
                                && !call.getOriginOwner().equals(call.getTargetOwner()))) // this(...) is no wiring
                .because("wiring/ServerParts is the one place the server's stores, queues and gates are built")
                .check(classes);
    }
}
