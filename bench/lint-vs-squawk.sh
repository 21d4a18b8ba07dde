#!/usr/bin/env bash
# tiergate's SQL lint against squawk (npm squawk-cli 2.x) on the same corpus, in one run:
#   1. the share of statements tiergate's parser reads (sql.not-analysed counts the rest);
#   2. for every rule the two share, per file: both flag / only squawk / only tiergate (counted per file and rule:
#      min(count) agree, the excess is one tool's alone), and a sample of disagreements to read;
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
    TIERGATE_LIB="$WORK/lib" "$ROOT/install.sh" --prefix "$WORK/bin" >&2
    TIERGATE=$WORK/bin/tiergate
fi
mapfile -t FILES < <(find "$CORPUS" -name '*.sql' -type f | sort)
echo "== ${#FILES[@]} files; squawk $("$SQUAWK" --version | awk '{print $2}')" >&2

"$SQUAWK" --reporter json --no-error-on-unmatched-pattern "${FILES[@]}" > "$WORK/squawk.json" 2>/dev/null || true
"$TIERGATE" lint --each-file-alone --format json "$CORPUS" > "$WORK/tiergate.json" 2>/dev/null || true

python3 - "$WORK/squawk.json" "$WORK/tiergate.json" "$CORPUS" <<'PY'
import json, sys, collections, os
squawk = json.load(open(sys.argv[1])); tg = json.load(open(sys.argv[2])); corpus = sys.argv[3]
# squawk rule -> tiergate rule, for the rules both have
PAIRS = {
  'require-concurrent-index-creation': 'sql.index-not-concurrent',
  'constraint-missing-not-valid': 'sql.constraint-not-valid', 'adding-foreign-key-constraint': 'sql.constraint-not-valid',
  'adding-required-field': 'sql.not-null-without-default',
  'adding-not-nullable-field': 'sql.set-not-null',
  'changing-column-type': 'sql.column-type-change',
  'renaming-column': 'sql.rename', 'renaming-table': 'sql.rename',
  'ban-drop-column': 'migration.destructive-outside-contract', 'ban-drop-table': 'migration.destructive-outside-contract',
  'ban-truncate-cascade': None,
  'require-timeout-settings': 'sql.lock-timeout-missing',
  'disallowed-unique-constraint': 'sql.unique-without-index',
  'prefer-timestamptz': 'sql.timestamp-without-time-zone',
  'ban-char-field': 'sql.char-type',
  'prefer-robust-stmts': 'sql.missing-if-exists',
  'serial': 'sql.int-primary-key', 'prefer-bigint-over-int': 'sql.int-primary-key',
}
def rel(p): return os.path.relpath(os.path.abspath(p), corpus)
sq = collections.Counter(); sq_lines = collections.defaultdict(list)
sq_rules = collections.Counter()
for f in squawk:
    sq_rules[f['rule_name']] += 1
    t = PAIRS.get(f['rule_name'])
    if t: sq[(rel(f['file']), t)] += 1; sq_lines[(rel(f['file']), t)].append(f['line'] + 1)
tgc = collections.Counter(); tg_lines = collections.defaultdict(list)
stmts = na = 0
for r in tg:
    stmts += r['statements']; na += r['not_analysed']
    for f in r['findings']:
        tgc[(rel(r['file']), f['rule'])] += 1; tg_lines[(rel(r['file']), f['rule'])].append(f['line'])
print(f"statements: {stmts}, read by tiergate's parser: {stmts - na} ({100.0 * (stmts - na) / stmts:.2f}%), not analysed: {na}")
print(f"squawk parse errors (syntax-error findings): {sq_rules.get('syntax-error', 0)}")
print("\n| tiergate rule | squawk rule(s) | both | only squawk | only tiergate |\n|---|---|---|---|---|")
rules = sorted(set(v for v in PAIRS.values() if v))
samples = []
for rule in rules:
    both = os_ = ot = 0
    for key in set(k for k in list(sq) + list(tgc) if k[1] == rule):
        a, b = sq[key], tgc[key]
        both += min(a, b); os_ += max(0, a - b); ot += max(0, b - a)
        if a != b and len(samples) < 400:
            samples.append((rule, key[0], a, b, sq_lines[key][:5], tg_lines[key][:5]))
    names = ', '.join(k for k, v in PAIRS.items() if v == rule)
    print(f"| `{rule}` | {names} | {both} | {os_} | {ot} |")
print("\nsample of disagreements (rule, file, squawk count, tiergate count, squawk lines, tiergate lines):")
import random; random.seed(11)
for s in random.sample(samples, min(25, len(samples))): print(*s)
PY

echo "== wall time over all ${#FILES[@]} files, median of $RUNS" >&2
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N); echo $(((e - s) / 1000000)); }
sq_t=$(for _ in $(seq "$RUNS"); do time_ms "$SQUAWK" --reporter json "${FILES[@]}"; done | median)
tg_t=$(for _ in $(seq "$RUNS"); do time_ms "$TIERGATE" lint --each-file-alone --format json "$CORPUS"; done | median)
echo "squawk: ${sq_t} ms, tiergate: ${tg_t} ms, ratio $(awk "BEGIN {printf \"%.2f\", $tg_t / $sq_t}")"
