package dev.tiergate.core.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.core.policy.DatabaseAccess;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What the policy's groups should hold on what a database holds, and the difference from what is in place. */
class GrantDriftTest {
    static final DatabaseAccess.Group READ =
            new DatabaseAccess.Group("app_read", List.of("select"), List.of("public"), List.of());
    static final DatabaseAccess.Group WRITE = new DatabaseAccess.Group(
            "app_write", List.of("select", "insert", "update", "delete"), List.of("*"), List.of());
    static final DatabaseAccess.Group ORDERS =
            new DatabaseAccess.Group("orders_only", List.of("select"), List.of(), List.of("public.orders"));

    static AccessSnapshot held(Set<Privilege> privileges) {
        return new AccessSnapshot(
                Set.of("public", "app"),
                Map.of("public", List.of("orders", "customers"), "app", List.of("jobs")),
                Map.of("public", List.of("orders_id_seq")),
                privileges);
    }

    @Test
    void eachGroupHoldsItsPrivilegesOnEveryTableOfItsScopeAndItsSequences() {
        Set<Privilege> want = GrantDrift.expected(List.of(READ, WRITE, ORDERS), held(Set.of()));
        assertTrue(want.contains(new Privilege("group:app_read", Privilege.Kind.TABLE, "public.customers", "SELECT")));
        assertTrue(
                !want.contains(new Privilege("group:app_read", Privilege.Kind.TABLE, "app.jobs", "SELECT")),
                "not its schema");
        assertTrue(
                want.contains(new Privilege("group:app_write", Privilege.Kind.TABLE, "app.jobs", "DELETE")),
                "\"*\": every schema");
        assertTrue(
                want.contains(
                        new Privilege("group:app_write", Privilege.Kind.SEQUENCE, "public.orders_id_seq", "USAGE")),
                "writers advance sequences");
        assertTrue(want.contains(
                new Privilege("group:app_read", Privilege.Kind.SEQUENCE, "public.orders_id_seq", "SELECT")));
        assertTrue(
                !want.contains(
                        new Privilege("group:app_read", Privilege.Kind.SEQUENCE, "public.orders_id_seq", "USAGE")),
                "readers do not");
        assertTrue(want.contains(new Privilege("group:orders_only", Privilege.Kind.TABLE, "public.orders", "SELECT")));
        assertTrue(want.contains(new Privilege("group:orders_only", Privilege.Kind.SCHEMA, "public", "USAGE")));
        assertTrue(
                !want.contains(new Privilege("group:orders_only", Privilege.Kind.TABLE, "public.customers", "SELECT")),
                "table scope");
    }

    @Test
    void aHandRunGrantToPublicIsExtraAndARevokedGroupPrivilegeIsMissing() {
        Set<Privilege> inPlace = new HashSet<>(GrantDrift.expected(List.of(READ), held(Set.of())));
        inPlace.remove(new Privilege("group:app_read", Privilege.Kind.TABLE, "public.orders", "SELECT"));
        inPlace.add(new Privilege(Privilege.PUBLIC, Privilege.Kind.TABLE, "public.customers", "SELECT"));
        inPlace.add(new Privilege(
                "tiergate:rw", Privilege.Kind.TABLE, "public.customers", "SELECT")); // tiergate's own: not judged
        inPlace.add(new Privilege("login:alice", Privilege.Kind.DATABASE, "", "CONNECT"));
        GrantDrift.Diff d = GrantDrift.between(List.of(READ), held(inPlace));
        assertEquals(
                List.of(new Privilege("group:app_read", Privilege.Kind.TABLE, "public.orders", "SELECT")), d.missing());
        assertEquals(
                List.of(new Privilege(Privilege.PUBLIC, Privilege.Kind.TABLE, "public.customers", "SELECT")),
                d.extra());
    }

    /**
     * The backends grant a group its table privileges only, and a group with none nothing at all (no USAGE, no
     * sequences): expected says the same, or the drift it reports could never be repaired. A table not written
     * schema.table is skipped, as the backends skip it, instead of failing every check.
     */
    @Test
    void onlyWhatTheBackendsGrantIsExpected() {
        DatabaseAccess.Group ddl =
                new DatabaseAccess.Group("ddl", List.of("create", "usage"), List.of("public"), List.of());
        DatabaseAccess.Group mixed =
                new DatabaseAccess.Group("mixed", List.of("select", "all"), List.of("public"), List.of());
        DatabaseAccess.Group bare =
                new DatabaseAccess.Group("bare", List.of("select"), List.of(), List.of("orders", "public.orders"));
        assertEquals(
                Set.of(),
                GrantDrift.expected(List.of(ddl), held(Set.of())),
                "no table privilege: nothing, not even USAGE");
        Set<Privilege> want = GrantDrift.expected(List.of(mixed, bare), held(Set.of()));
        assertTrue(want.stream().noneMatch(p -> p.privilege().equals("ALL")), want.toString());
        assertTrue(want.contains(new Privilege("group:mixed", Privilege.Kind.TABLE, "public.orders", "SELECT")));
        assertEquals(
                Set.of(
                        new Privilege("group:bare", Privilege.Kind.SCHEMA, "public", "USAGE"),
                        new Privilege("group:bare", Privilege.Kind.TABLE, "public.orders", "SELECT")),
                Set.copyOf(want.stream()
                        .filter(p -> p.grantee().equals("group:bare"))
                        .toList()));
        assertTrue(GrantDrift.between(List.of(ddl), held(Set.of())).none());
    }

    @Test
    void aDatabaseAsThePolicySaysHasNoDrift() {
        Set<Privilege> exactly = GrantDrift.expected(List.of(READ, WRITE), held(Set.of()));
        assertTrue(GrantDrift.between(List.of(READ, WRITE), held(exactly)).none());
    }
}
