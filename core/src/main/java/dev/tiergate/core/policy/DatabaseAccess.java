package dev.tiergate.core.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who may reach which database branch, and with which privileges: the policy's {@code database_access}, the same
 * permission model as the merge button's, carried to the database. Named group roles hold privileges at schema or
 * table scope (inherited by objects created later); each tier, each working-branch type and {@code ci} (a PR's
 * {@code ci-pr-<N>}) says which actors get which groups. Migrations alone change schema: no group may create or alter
 * objects. A login the server hands out is an actor's own, lives {@code credential_hours} (a bot's on a PR's copy:
 * the PR's life), and is a member of exactly the groups its grants give it on that branch.
 *
 * <p>Absent from the policy, {@link #DEFAULT} applies, safe for agents: on a protected tier humans read and nobody
 * writes by hand or gets an agent's credential; on other tiers humans write and agents read; on a working branch
 * and a PR's copy, its author and bots (CI) write.
 */
public record DatabaseAccess(
        @JsonProperty("groups") List<Group> groups,
        @JsonProperty("tiers") List<TierAccess> tiers,
        @JsonProperty("working") List<WorkingAccess> working,

        @JsonProperty("credential_hours") @JsonInclude(JsonInclude.Include.NON_NULL)
        Integer credentialHours) {

    /** The name under {@code working} that stands for every PR's copy ({@code ci-pr-<N>}). */
    public static final String CI = "ci";

    public static final int DEFAULT_CREDENTIAL_HOURS = 8;
    /**
     * Table privileges a group may hold, the only ones the backends grant it; schema changes are the migrations' alone.
     * The policy may write each in lower or upper case ({@link #isTablePrivilege}).
     */
    public static final Set<String> TABLE_PRIVILEGES = Collections.unmodifiableSet(
            new LinkedHashSet<>(List.of("select", "insert", "update", "delete", "truncate", "references", "trigger")));
    /**
     * A group's name: the backends make a role of it ({@code <prefix>_g_<name>}, {@code tg_group_<name>}), so it is a
     * short unquoted identifier. policy.schema.json's {@code accessGroup.name} and {@code accessGrant.group} say the same.
     */
    public static final Pattern GROUP_NAME = Pattern.compile("[a-z][a-z0-9_]{0,30}");
    /** A schema in a group's {@code schemas} (besides {@link #EVERY_SCHEMA}): an unquoted PostgreSQL identifier. */
    public static final Pattern SCHEMA_NAME = Pattern.compile("[a-z_][a-z0-9_$]{0,62}");
    /**
     * A table in a group's {@code tables}: {@code schema.table}, both unquoted identifiers. No wildcard: every table of
     * a schema is a group of {@code schemas}.
     */
    public static final Pattern TABLE_NAME = Pattern.compile(SCHEMA_NAME.pattern() + "\\." + SCHEMA_NAME.pattern());
    /** In a group's {@code schemas}: every schema of the database. */
    public static final String EVERY_SCHEMA = "*";

    public DatabaseAccess {
        groups = groups == null ? List.of() : List.copyOf(groups);
        tiers = tiers == null ? List.of() : List.copyOf(tiers);
        working = working == null ? List.of() : List.copyOf(working);
    }

    /** A group role: privileges on every table of {@code schemas} ({@code "*"}: every schema), or on {@code tables}. */
    public record Group(
            @JsonProperty("name") String name,
            @JsonProperty("privileges") List<String> privileges,
            @JsonProperty("schemas") List<String> schemas,
            @JsonProperty("tables") List<String> tables) {
        public Group {
            privileges = privileges == null
                    ? List.of()
                    : privileges.stream()
                            .map(p -> p.toLowerCase(Locale.ROOT))
                            .distinct()
                            .sorted()
                            .toList();
            schemas = schemas == null ? List.of() : List.copyOf(schemas);
            tables = tables == null ? List.of() : List.copyOf(tables);
        }

        /** Whether it may change data (then it may also use and advance sequences). */
        public boolean writes() {
            return privileges.contains("insert") || privileges.contains("update") || privileges.contains("delete");
        }

        /** Whether it holds privileges on every schema of the database. */
        public boolean everySchema() {
            return schemas.contains(EVERY_SCHEMA);
        }

        /** Its privileges the backends grant ({@link #TABLE_PRIVILEGES}); none, and the group gets nothing at all. */
        public List<String> tablePrivileges() {
            return privileges.stream().filter(TABLE_PRIVILEGES::contains).toList();
        }
    }

    /**
     * One grant: the group an actor gets when the rule matches. {@code author}: the branch's author (a working branch's
     * claimer, a PR's author); else the actor's class must be listed (none listed: any) and, with roles, one held.
     */
    public record Grant(
            @JsonProperty("group") String group,
            @JsonProperty("classes") Set<ActorClass> classes,
            @JsonProperty("roles") Set<String> roles,

            @JsonProperty("author") @JsonInclude(JsonInclude.Include.NON_NULL)
            Boolean author) {
        public Grant {
            classes = classes == null ? Set.of() : Set.copyOf(classes);
            roles = roles == null ? Set.of() : Set.copyOf(roles);
        }

        public boolean matches(Actor actor, boolean isAuthor) {
            if (Boolean.TRUE.equals(author)) {
                return isAuthor && new Permission(classes, roles).allows(actor);
            }
            return new Permission(classes, roles).allows(actor);
        }

        /** Plain words: "the author", "human with role release-manager". */
        public String describe() {
            String who = new Permission(classes, roles).describe();
            return Boolean.TRUE.equals(author)
                    ? (classes.isEmpty() && roles.isEmpty()
                            ? "the branch's author"
                            : "the branch's author (" + who + ")")
                    : who;
        }
    }

    /** A tier's grants, and what a drift of its privileges does: {@code repair} (the default) or {@code hold}. */
    public record TierAccess(
            @JsonProperty("tier") String tier,
            @JsonProperty("grants") List<Grant> grants,

            @JsonProperty("drift") @JsonInclude(JsonInclude.Include.NON_NULL)
            String drift) {
        public TierAccess {
            grants = grants == null ? List.of() : List.copyOf(grants);
        }

        public boolean holdsOnDrift() {
            return "hold".equals(drift);
        }
    }

    /** A working-branch type's grants (by the type's name), or {@code ci}'s. */
    public record WorkingAccess(
            @JsonProperty("type") String type,
            @JsonProperty("grants") List<Grant> grants) {
        public WorkingAccess {
            grants = grants == null ? List.of() : List.copyOf(grants);
        }
    }

    public static final Group READ = new Group("read", List.of("select"), List.of("*"), List.of());
    public static final Group WRITE =
            new Group("write", List.of("select", "insert", "update", "delete"), List.of("*"), List.of());
    private static final Grant AUTHOR_WRITES = new Grant("write", Set.of(), Set.of(), true);
    private static final Grant BOTS_WRITE = new Grant("write", Set.of(ActorClass.BOT), Set.of(), null);

    /** What applies when the policy says nothing: see the class comment. */
    public static final DatabaseAccess DEFAULT = new DatabaseAccess(List.of(READ, WRITE), List.of(), List.of(), null);

    /** Whether {@code written} is a table privilege as a policy may write it: {@code select} or {@code SELECT}, not {@code Select}. */
    public static boolean isTablePrivilege(String written) {
        String lower = written.toLowerCase(Locale.ROOT);
        return TABLE_PRIVILEGES.contains(lower)
                && (written.equals(lower) || written.equals(written.toUpperCase(Locale.ROOT)));
    }

    /** The hours a credential lives (a bot's on a PR's copy excepted). */
    public int credentialHoursOrDefault() {
        return credentialHours == null || credentialHours < 1 ? DEFAULT_CREDENTIAL_HOURS : credentialHours;
    }

    /** The groups the policy defines, or the default's read and write when it defines none. */
    public List<Group> groupsOrDefault() {
        return groups.isEmpty() ? DEFAULT.groups() : groups;
    }

    public Optional<Group> group(String name) {
        return groups.stream().filter(g -> g.name().equals(name)).findFirst();
    }

    public Optional<TierAccess> tier(String name) {
        return tiers.stream().filter(t -> t.tier().equals(name)).findFirst();
    }

    /**
     * The grants that apply on a tier: the policy's, else the default's (protected: humans read; otherwise humans
     * write and agents read; bots always write on an unprotected tier).
     */
    public List<Grant> grantsOnTier(Tier tier) {
        Optional<TierAccess> t = tier(tier.name());
        if (t.isPresent()) {
            return t.get().grants();
        }
        if (tier.protectedTier()) {
            return List.of(new Grant("read", Set.of(ActorClass.HUMAN), Set.of(), null));
        }
        return List.of(
                new Grant("write", Set.of(ActorClass.HUMAN, ActorClass.BOT), Set.of(), null),
                new Grant("read", Set.of(ActorClass.AGENT), Set.of(), null));
    }

    /** The grants on a working branch of {@code type}, or on a PR's copy ({@link #CI}): the policy's, else author and bots write. */
    public List<Grant> grantsOnWorking(String type) {
        return working.stream()
                .filter(w -> w.type().equals(type))
                .findFirst()
                .map(WorkingAccess::grants)
                .orElse(List.of(AUTHOR_WRITES, BOTS_WRITE));
    }

    /** The groups {@code grants} give {@code actor} (in the order the policy names them), empty when none. */
    public static List<String> groupsFor(List<Grant> grants, Actor actor, boolean isAuthor) {
        Set<String> out = new LinkedHashSet<>();
        for (Grant g : grants) {
            if (g.matches(actor, isAuthor)) {
                out.add(g.group());
            }
        }
        return new ArrayList<>(out);
    }
}
