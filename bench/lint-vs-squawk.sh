#!/usr/bin/env bash
# tiergate's SQL lint against squawk (npm squawk-cli 2.x) on the same corpus, in one run:
#   1. the share of statements tiergate's parser reads (sql.not-analysed counts the rest);
#   2. for every rule the two share: both flag / only squawk / only tiergate, counted per file, rule and line (per
#      file for the lock_timeout rule, which squawk reports once a file), and a sample of disagreements to read;
#   3. whole-process wall time of each over all files (median of RUNS), tiergate through its installed launcher
#      (AppCDS archive made by install.sh), squawk through its npm binary.
# Usage: bench/lint-vs-squawk.sh        (needs bench/corpus from bench/lint-corpus.sh; installs squawk-cli and tiergate)
# Each file is linted alone (--each-file-alone), as squawk does, so "existing table" means the same to both.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-5}
CORPUS=$ROOT/bench/corpus
[ -d "$CORPUS" ] || { echo "no $CORPUS: run bench/lint-corpus.sh first" >&2; exit 3; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tiergate-lint-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

SQUAWK=$ROOT/bench/node_modules/.bin/squawk
[ -x "$SQUAWK" ] || npm install --no-save --prefix "$ROOT/bench" squawk-cli@2 >&2
TIERGATE=${TIERGATE:-}
if [ -z "$TIERGATE" ]; then
    "$ROOT/install.sh" --prefix "$WORK/prefix" >&2   # the launcher lands in PREFIX/bin
    TIERGATE=$WORK/prefix/bin/tiergate
fi
mapfile -t FILES < <(find "$CORPUS" -name '*.sql' -type f | sort)
echo "== ${#FILES[@]} files; squawk $("$SQUAWK" --version | awk '{print $2}')" >&2

"$SQUAWK" --reporter json --no-error-on-unmatched-pattern "${FILES[@]}" > "$WORK/squawk.json" 2>/dev/null || true
"$TIERGATE" lint --each-file-alone --format json "$CORPUS" > "$WORK/tiergate.json" 2>/dev/null || true

python3 - "$WORK/squawk.json" "$WORK/tiergate.json" "$CORPUS" <<'PY'
import json, sys, collections, os, random
squawk = json.load(open(sys.argv[1])); tg = json.load(open(sys.argv[2])); corpus = sys.argv[3]
# squawk rule (names as squawk 2.66 reports them) -> tiergate rule, for the rules both have
PAIRS = {
  'require-concurrent-index-creation': 'sql.index-not-concurrent',
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
}
# squawk reports a missing lock_timeout once per file, tiergate at every statement that needs one: compared per file
PER_FILE = {'sql.lock-timeout-missing'}
def rel(p): return os.path.relpath(os.path.abspath(p), corpus)
# Compared per file, rule and line: a line both flag agrees (as often as both flag it), the rest is one tool's alone.
# Two squawk rules on one line (a serial: prefer-identity + prefer-bigint-over-int; a foreign key:
# adding-foreign-key-constraint + constraint-missing-not-valid) count once: the larger of their counts on that line.
per = collections.defaultdict(lambda: collections.defaultdict(int))
sq_rules = collections.Counter()
for f in squawk:
    sq_rules[f['rule_name']] += 1
    t = PAIRS.get(f['rule_name'])
    if t: per[(rel(f['file']), t, f['line'] + 1)][f['rule_name']] += 1
sq = collections.defaultdict(collections.Counter)
for (file, t, line), by_rule in per.items():
    sq[(file, t)][line] = max(by_rule.values())
tgc = collections.defaultdict(collections.Counter)
stmts = na = 0
for r in tg:
    stmts += r['statements']; na += r['not_analysed']
    for f in r['findings']:
        tgc[(rel(r['file']), f['rule'])][f['line']] += 1
for d in (sq, tgc):
    for key in d:
        if key[1] in PER_FILE: d[key] = collections.Counter({0: 1})
print(f"statements: {stmts}, read by tiergate's parser: {stmts - na} ({100.0 * (stmts - na) / stmts:.2f}%), not analysed: {na}")
print(f"squawk parse errors (syntax-error findings): {sq_rules.get('syntax-error', 0)}")
print("\n| tiergate rule | squawk rule(s) | both | only squawk | only tiergate |\n|---|---|---|---|---|")
samples = []
for rule in sorted(set(PAIRS.values())):
    both = os_ = ot = 0
    for key in sorted(set(k for k in list(sq) + list(tgc) if k[1] == rule)):
        a, b = sq.get(key, collections.Counter()), tgc.get(key, collections.Counter())
        both += sum((a & b).values()); os_ += sum((a - b).values()); ot += sum((b - a).values())
        for line, n in (a - b).items(): samples.append((rule, key[0], 'only squawk', line))
        for line, n in (b - a).items(): samples.append((rule, key[0], 'only tiergate', line))
    names = ', '.join(k for k, v in PAIRS.items() if v == rule)
    unit = ' (files)' if rule in PER_FILE else ''
    print(f"| `{rule}`{unit} | {names} | {both} | {os_} | {ot} |")
print("\nsample of disagreements (rule, file, side, line):")
random.seed(11)
for s in random.sample(samples, min(25, len(samples))): print(*s)
PY

echo "== wall time over all ${#FILES[@]} files, median of $RUNS" >&2
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N); echo $(((e - s) / 1000000)); }
sq_t=$(for _ in $(seq "$RUNS"); do time_ms "$SQUAWK" --reporter json "${FILES[@]}"; done | median)
tg_t=$(for _ in $(seq "$RUNS"); do time_ms "$TIERGATE" lint --each-file-alone --format json "$CORPUS"; done | median)
echo "squawk: ${sq_t} ms, tiergate: ${tg_t} ms, ratio $(awk "BEGIN {printf \"%.2f\", $tg_t / $sq_t}")"
