#!/usr/bin/env bash
# tiergate's SQL lint against squawk (npm squawk-cli 2.x) on each corpus of bench/lint-corpus.sh, in one run:
#   1. the share of statements tiergate's parser reads (sql.not-analysed counts the rest);
#   2. per rule the two share: both flag / only squawk / only tiergate, counted per file, rule and statement (the
#      tools put a finding on different lines of a statement of several lines; per file for the lock_timeout rule,
#      which squawk reports once a file); the rules only one tool has, counted; and every
#      disagreement listed with its statement's first line in bench/results/lint-vs-squawk/CORPUS-disagreements.txt
#      (a few of each class printed here) to be judged by reading;
#   3. whole-process wall time and CPU time (user + sys) of each over all files of the corpus, measured in
#      interleaved pairs (PAIRS, default 7; the order alternates), median and range; tiergate through its installed
#      launcher (start-up cache made by install.sh), squawk through its npm binary;
#   4. a single-file tiergate lint against one start of the same JVM with the same flags (java -version).
# Both tools are told that the runner wraps each file in a transaction (--assume-in-transaction), as the runners of
# these corpora do (diesel, golang-migrate, goose, pop, postgres-migrations), and each file is linted alone
# (--each-file-alone), as squawk does, so "existing table" means the same to both.
# Usage: bench/lint-vs-squawk.sh [CORPUS...]   (default: dev crates-io openmeter; needs bench/lint-corpus.sh first;
#        installs squawk-cli and tiergate unless SQUAWK / TIERGATE name them; TIERGATE_BEFORE=launcher times an older
#        install in the same interleaved runs, without --assume-in-transaction, which older installs lack)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PAIRS=${PAIRS:-7}
CORPORA=("$@")
[ ${#CORPORA[@]} -gt 0 ] || CORPORA=(dev crates-io openmeter)
RESULTS=$ROOT/bench/results/lint-vs-squawk
mkdir -p "$RESULTS"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tiergate-lint-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

SQUAWK=${SQUAWK:-$ROOT/bench/node_modules/.bin/squawk}
[ -x "$SQUAWK" ] || npm install --no-save --prefix "$ROOT/bench" squawk-cli@2 >&2
TIERGATE=${TIERGATE:-}
if [ -z "$TIERGATE" ]; then
    "$ROOT/install.sh" --prefix "$WORK/prefix" >&2   # the launcher lands in PREFIX/bin
    TIERGATE=$WORK/prefix/bin/tiergate
fi
echo "== squawk $("$SQUAWK" --version | awk '{print $2}'), $("$TIERGATE" --version); $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# "wall cpu" in seconds of one run of a command, its output thrown away: the wall clock around the child and the
# child's own user + sys time (getrusage), both to the microsecond (time(1) rounds to 10 ms, a third of a small run)
run_timed() {
    python3 - "$@" <<'PY'
import resource, subprocess, sys, time
r0 = resource.getrusage(resource.RUSAGE_CHILDREN); t0 = time.perf_counter()
subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
t1 = time.perf_counter(); r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.5f %.5f" % (t1 - t0, r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime))
PY
}
summary() {  # stdin: "wall cpu" lines -> median wall, min, max, median cpu (ms, one decimal)
    python3 -c 'import sys, statistics as s
r = [tuple(map(float, l.split())) for l in sys.stdin if l.strip()]
w = [x[0] for x in r]; c = [x[1] for x in r]
print("%.1f %.1f %.1f %.1f" % (1000 * s.median(w), 1000 * min(w), 1000 * max(w), 1000 * s.median(c)))'
}

for corpus in "${CORPORA[@]}"; do
    dir=$ROOT/bench/corpus/$corpus
    [ -d "$dir" ] || { echo "no $dir: run bench/lint-corpus.sh first" >&2; exit 3; }
    mapfile -t FILES < <(find "$dir" -name '*.sql' -type f | sort)
    echo
    echo "=== corpus $corpus: ${#FILES[@]} files"
    "$SQUAWK" --assume-in-transaction --reporter json "${FILES[@]}" > "$WORK/squawk.json" 2>/dev/null || true
    "$TIERGATE" lint --each-file-alone --assume-in-transaction --format json "$dir" > "$WORK/tiergate.json" 2>/dev/null || true

    python3 - "$WORK/squawk.json" "$WORK/tiergate.json" "$dir" "$RESULTS/$corpus-disagreements.txt" <<'PY'
import json, sys, collections, os
squawk = json.load(open(sys.argv[1])); tg = json.load(open(sys.argv[2])); corpus = sys.argv[3]; listing = sys.argv[4]
# squawk rule (names as squawk 2.66 reports them) -> tiergate rule, for the rules both have
PAIRS = {
  'require-concurrent-index-creation': 'sql.index-not-concurrent',
  'ban-concurrent-index-creation-in-transaction': 'sql.concurrently-in-transaction',
  'constraint-missing-not-valid': 'sql.constraint-not-valid', 'adding-foreign-key-constraint': 'sql.constraint-not-valid',
  'adding-required-field': 'sql.not-null-without-default',
  'adding-not-nullable-field': 'sql.set-not-null',
  'changing-column-type': 'sql.column-type-change',
  'renaming-column': 'sql.rename', 'renaming-table': 'sql.rename',
  'ban-drop-column': 'migration.destructive-outside-contract', 'ban-drop-table': 'migration.destructive-outside-contract',
  'require-lock-timeout': 'sql.lock-timeout-missing',
  'disallowed-unique-constraint': 'sql.unique-without-index', 'adding-serial-primary-key-field': 'sql.unique-without-index',
  'prefer-timestamp-tz': 'sql.timestamp-without-time-zone',
  'ban-char-field': 'sql.char-type',
  'prefer-robust-stmts': 'sql.missing-if-exists',
  'prefer-identity': 'sql.int-primary-key', 'prefer-bigint-over-int': 'sql.int-primary-key',
  'prefer-bigint-over-smallint': 'sql.int-primary-key',
  'ban-drop-database': 'sql.cluster-statement',
}
PER_FILE = {'sql.lock-timeout-missing'}
def rel(p): return os.path.relpath(os.path.abspath(p), corpus)
lines_of = {}; stmt_of = {}
def text_at(file, line):
    if file not in lines_of:
        lines_of[file] = open(os.path.join(corpus, file), encoding='utf-8', errors='replace').read().split('\n')
    l = lines_of[file]
    return l[line - 1].strip()[:110] if 0 < line <= len(l) else ''
def statements_before_lines(text):
    """For each line (1-based), how many statements ended before its first character: semicolons outside
    comments, quoted strings and identifiers and dollar-quoted bodies."""
    starts = [0]; i = 0; n = len(text); ends = 0; marks = {}
    line = 1; marks[1] = 0
    while i < n:
        c = text[i]
        if c == '\n':
            line += 1; marks[line] = ends; i += 1
        elif text.startswith('--', i):
            j = text.find('\n', i); i = n if j < 0 else j
        elif text.startswith('/*', i):
            j = text.find('*/', i + 2); j = n if j < 0 else j + 2
            for k in range(i, j):
                if text[k] == '\n': line += 1; marks[line] = ends
            i = j
        elif c in "'\"":
            j = i + 1
            while j < n and not (text[j] == c and not text.startswith(c + c, j)):
                j += 2 if text.startswith(c + c, j) else 1
            for k in range(i, min(j, n)):
                if text[k] == '\n': line += 1; marks[line] = ends
            i = j + 1
        elif c == '$':
            j = i + 1
            while j < n and (text[j].isalnum() or text[j] == '_'): j += 1
            if j < n and text[j] == '$' and not text[i + 1:j][:1].isdigit():
                tag = text[i:j + 1]; k = text.find(tag, j + 1); k = n if k < 0 else k + len(tag)
                for m in range(i, k):
                    if text[m] == '\n': line += 1; marks[line] = ends
                i = k
            else:
                i += 1
        else:
            if c == ';': ends += 1
            i += 1
    return marks
def statement_of(file, line):
    if file not in stmt_of:
        stmt_of[file] = statements_before_lines(open(os.path.join(corpus, file), encoding='utf-8', errors='replace').read())
    return stmt_of[file].get(line, line)
first_line = {}
def key_line(file, line):
    """The statement a line is in, and the first line a finding of that statement was seen on (for the listing)."""
    s = statement_of(file, line); first_line.setdefault((file, s), line); return s
per = collections.defaultdict(lambda: collections.defaultdict(int))
sq_rules = collections.Counter(); unpaired_sq = collections.Counter()
for f in squawk:
    sq_rules[f['rule_name']] += 1
    t = PAIRS.get(f['rule_name'])
    if t: per[(rel(f['file']), t, key_line(rel(f['file']), f['line'] + 1))][f['rule_name']] += 1
    else: unpaired_sq[f['rule_name']] += 1
sq = collections.defaultdict(collections.Counter)
for (file, t, line), by_rule in per.items():
    sq[(file, t)][line] = max(by_rule.values())
tgc = collections.defaultdict(collections.Counter); unpaired_tg = collections.Counter()
paired_tg = set(PAIRS.values())
stmts = na = 0
for r in tg:
    stmts += r['statements']; na += r['not_analysed']
    for f in r['findings']:
        tgc[(rel(r['file']), f['rule'])][key_line(rel(r['file']), f['line'])] += 1
        if f['rule'] not in paired_tg: unpaired_tg[f['rule']] += 1
for d in (sq, tgc):
    for key in d:
        if key[1] in PER_FILE: d[key] = collections.Counter({0: 1})
print(f"statements: {stmts}, read by tiergate's parser: {stmts - na} ({100.0 * (stmts - na) / max(stmts, 1):.2f}%), not analysed: {na}")
print(f"squawk parse errors (syntax-error findings): {sq_rules.get('syntax-error', 0)}")
print("\n| tiergate rule | squawk rule(s) | both | only squawk | only tiergate |\n|---|---|---|---|---|")
classes = collections.defaultdict(list)
for rule in sorted(paired_tg):
    both = os_ = ot = 0
    for key in sorted(set(k for k in list(sq) + list(tgc) if k[1] == rule)):
        a, b = sq.get(key, collections.Counter()), tgc.get(key, collections.Counter())
        both += sum((a & b).values()); os_ += sum((a - b).values()); ot += sum((b - a).values())
        for st in (a - b): classes[(rule, 'only squawk')].append((key[0], first_line.get((key[0], st), 0) if rule not in PER_FILE else 0))
        for st in (b - a): classes[(rule, 'only tiergate')].append((key[0], first_line.get((key[0], st), 0) if rule not in PER_FILE else 0))
    if both + os_ + ot == 0: continue
    names = ', '.join(k for k, v in PAIRS.items() if v == rule)
    unit = ' (files)' if rule in PER_FILE else ''
    print(f"| `{rule}`{unit} | {names} | {both} | {os_} | {ot} |")
print("\nrules only one tool has (findings): squawk " + ", ".join(f"{k} {v}" for k, v in unpaired_sq.most_common())
      + "; tiergate " + ", ".join(f"{k} {v}" for k, v in unpaired_tg.most_common()))
with open(listing, 'w') as out:
    for (rule, side), items in sorted(classes.items()):
        out.write(f"## {rule}: {side} ({len(items)})\n")
        for file, line in sorted(items):
            out.write(f"{file}:{line}: {text_at(file, line) if line else '(file)'}\n")
print(f"\nevery disagreement: {listing}; three of each class:")
for (rule, side), items in sorted(classes.items()):
    for file, line in sorted(items)[:3]:
        print(f"  {rule} / {side}: {file}:{line}: {text_at(file, line) if line else '(file)'}")
PY

    echo
    echo "wall time over the ${#FILES[@]} files, $PAIRS interleaved pairs (ms: median [min-max], CPU user+sys median):"
    : > "$WORK/sq.t"; : > "$WORK/tg.t"; : > "$WORK/before.t"
    for i in $(seq "$PAIRS"); do
        if [ $((i % 2)) -eq 1 ]; then
            run_timed "$SQUAWK" --assume-in-transaction --reporter json "${FILES[@]}" >> "$WORK/sq.t"
            run_timed "$TIERGATE" lint --each-file-alone --assume-in-transaction --format json "$dir" >> "$WORK/tg.t"
        else
            run_timed "$TIERGATE" lint --each-file-alone --assume-in-transaction --format json "$dir" >> "$WORK/tg.t"
            run_timed "$SQUAWK" --assume-in-transaction --reporter json "${FILES[@]}" >> "$WORK/sq.t"
        fi
        if [ -n "${TIERGATE_BEFORE:-}" ]; then
            run_timed "$TIERGATE_BEFORE" lint --each-file-alone --format json "$dir" >> "$WORK/before.t"
        fi
    done
    read -r sw smin smax sc < <(summary < "$WORK/sq.t")
    read -r tw tmin tmax tc < <(summary < "$WORK/tg.t")
    echo "| corpus | files | squawk wall | tiergate wall | ratio | squawk CPU | tiergate CPU | ratio |"
    echo "| $corpus | ${#FILES[@]} | $sw [$smin-$smax] | $tw [$tmin-$tmax] | $(awk "BEGIN {printf \"%.2f\", $tw / $sw}") | $sc | $tc | $(awk "BEGIN {printf \"%.2f\", $tc / $sc}") |"
    if [ -n "${TIERGATE_BEFORE:-}" ]; then
        read -r bw bmin bmax bc < <(summary < "$WORK/before.t")
        echo "| $corpus, tiergate before ($TIERGATE_BEFORE) | ${#FILES[@]} | | $bw [$bmin-$bmax] | $(awk "BEGIN {printf \"%.2f\", $bw / $sw}") | | $bc | $(awk "BEGIN {printf \"%.2f\", $bc / $sc}") |"
    fi
done

# one file, against one start of the JVM the launcher runs, with its flags and start-up cache (java -version)
mapfile -t ALL < <(find "$ROOT/bench/corpus/${CORPORA[0]}" -name "*.sql" -type f | sort)
one=${ALL[0]}
jvm=$(grep "^exec '" "$TIERGATE" | head -1 | sed 's/^exec //; s/ -Dtiergate\.launcher.*//')
lib=$(sed -n "s/^lib='\(.*\)'$/\1/p" "$TIERGATE")
jvm=${jvm//\$lib/$lib}
jvm=${jvm//\$cache/cli}
cp=$(sed -n "s/.*-cp '\([^']*\)'.*/\1/p" "$TIERGATE")
eval "jvm_cmd=($jvm)"
jvm_cmd+=(-cp "$cp") # the class path the start-up cache was made with: without it the JVM refuses the cache
: > "$WORK/one.t"; : > "$WORK/jvm.t"
for i in $(seq "$PAIRS"); do
    run_timed "$TIERGATE" lint "$one" >> "$WORK/one.t"
    run_timed "${jvm_cmd[@]}" -version >> "$WORK/jvm.t"
done
read -r ow omin omax oc < <(summary < "$WORK/one.t")
read -r jw jmin jmax jc < <(summary < "$WORK/jvm.t")
echo
echo "single file ($(basename "$one")), $PAIRS interleaved pairs (ms: median [min-max], CPU median):"
echo "| tiergate lint FILE | $ow [$omin-$omax] | $oc |"
echo "| ${jvm_cmd[0]} (launcher's flags and cache) -version | $jw [$jmin-$jmax] | $jc |"
echo "ratio $(awk "BEGIN {printf \"%.2f\", $ow / $jw}")"
