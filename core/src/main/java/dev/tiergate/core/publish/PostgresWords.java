package dev.tiergate.core.publish;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The words PostgreSQL itself writes in the first line of an error message and in the schema tiergate shows (types,
 * index and constraint definitions, defaults): its templates' English, SQL's keywords and the built-in types. A word
 * a message holds that is neither one of these nor written in the pull request's own files is treated as a value and
 * withheld. The lock modes are here too (tiergate lists the locks a statement took). Written out by hand, so a
 * template word missing here costs a message a word ("…"), never a leak.
 */
final class PostgresWords {
    private PostgresWords() {}

    /** Lower case. */
    static final Set<String> WORDS =
            Arrays.stream("""
            accesssharelock rowsharelock rowexclusivelock shareupdateexclusivelock sharelock sharerowexclusivelock
            exclusivelock accessexclusivelock
            a about above access accessed acquire acquired action active add added after aggregate aggregates all allow
            allowed already also alter always ambiguous an analyze and another any anyarray anyelement anyenum appear
            appears are argument arguments array arrays as asc assign assignment at attempt attempted attribute
            authorization available backend be because been before begin being between bigint bigserial binary bit
            bits block blocked body bool boolean both bound bounds brin btree buffer buffers but by bytea byte bytes
            cache call called can cancel canceled canceling cancelled cannot cascade case cast casts catalog change
            changed char character characters check checked child cidr circular class clause close cluster collation
            column columns command commands comment commit committed comparison composite concurrent concurrently
            condition configuration conflict conflicting conflicts connect connection connections consider constant
            constraint constraints contain contained contains context conversion convert copy correct could count
            create created createdb current cursor cycle data database databases date day days deadlock decimal
            declare default deferrable deferred defined definer definition delete deleted delimited delimiter denied
            depend dependent depends depth desc describe detail detected did different dimension dimensions directory
            disabled disk distinct divide division do does domain done double drop dropped due duplicate during each
            element elements else empty enable enabled encoding end ending enum equal error errors event exceeded
            exceeds exclude excluded exclusion exclusive execute executed execution exist existing exists expected
            explicit expression expressions extension extensions external false feature fetch field fields file
            filter first float float4 float8 for force foreign found from full function functions generated gin gist
            given got grant granted group has hash have having hint hold holds hot identifier identity if immediate
            immutable implement implemented implicit in include including incompatible incorrect index indexes
            indices inet infinite inherit inheritance inherited inherits initially inner input insert inside instead
            int int2 int4 int8 integer internal interval into invalid is isolation it its join json jsonb key keys
            label labels language large last leakproof least length less level like limit line list literal local
            lock locked locks logged login long loop lower macaddr many mark marked match matched matches materialized
            max maximum may member memory method min minimum minute minutes mismatch missing mode modify money more
            multiple must name names near nested nesting new next nextval no non none nor not nothing now null nulls
            number numeric object objects of off offset oid oids old on once one only open operation operator
            operators option options or order ordinal other out outer output outside over overflow overlaps owned
            owner ownership page parallel parameter parameters parent partial partition partitioned partitions
            permission permitted pg pkey fkey seq idx excl plpgsql point policies policy position precision predicate
            prepared primary privilege privileges procedure procedures process public publication query quoted range
            read real reached record records recursive recursion refer reference referenced references referencing
            refresh regclass regproc regtype reindex relation relations remaining rename replace replica replication
            request require required requires reserved reset restrict result results return returned returning
            returns revoke role roles routine row rows rule rules run running safe same savepoint scale schema schemas
            second seconds security select sequence sequences serial serializable serialize server session set setof
            setting settings shared should single size smallint smallserial some sort source space specified specify
            spgist sql stable standby start statement statements still storage stored strict string subquery
            subscript subscription such superuser supported syntax system table tables tablespace target temp
            temporary terminated terminating text than that the them then there these this those time timeout
            timestamp timestamptz timetz to too toast transaction transactions trigger triggers true truncate try
            tsquery tsvector two type types unable uncommitted undefined under unexpected unique unknown unlogged
            unrecognized unsafe unsupported unterminated until up update updated upper usage use used user users
            using uuid valid validate validated value values varchar variable varying version view views violate
            violated violates violation void volatile wait waiting was were when where which while window with
            within without would write wrong xml yet zero zone
            """.split("\\s+")).filter(w -> !w.isEmpty()).collect(Collectors.toUnmodifiableSet());

    /**
     * Parts of the names PostgreSQL makes up itself ({@code inventory_pkey}, {@code orders_id_seq},
     * {@code items_qty_check}): inside quotes only these join the pull request's own words.
     */
    static final Set<String> NAME_SUFFIXES =
            Set.of("pkey", "fkey", "key", "seq", "idx", "excl", "check", "not", "null");
}
