#!/usr/bin/env bash
# Re-creates bench/corpus/: real PostgreSQL migration files from public projects (not written here), one folder per
# corpus, used to measure the SQL lint's parser (share of statements parsed) and to compare it with squawk
# (bench/lint-vs-squawk.sh):
#   dev        the developers' corpus since issue 11: lemmy, kratos, supabase auth and storage, openfga (1,405 files)
#   crates-io  rust-lang/crates.io's diesel migrations (571 files; diesel runs each in a transaction unless its
#              metadata.toml says run_in_transaction = false)
#   openmeter  openmeterio/openmeter's golang-migrate migrations (538 files; golang-migrate sends a file as one
#              multi-statement query, which PostgreSQL runs as one transaction)
# The file list of each corpus is the regex below at the recorded commit; bench/lint-corpus-files/<corpus>.txt keeps
# the paths as taken, and this script checks that the commit still yields exactly those.
#
# The corpus is data, not code: bench/corpus/ is gitignored and never committed. This script takes each file from a
# local git mirror of the project at the exact commit recorded below, so the corpus is the same every time.
# The mirrors: on the project's build machines the search tool's `fetch github:OWNER/NAME` brings a repository into
# /work/.mirror/OWNER+NAME/repo (a bare git directory). Elsewhere, clone the repositories yourself and point
# MIRROR at a folder laid out the same way (MIRROR/OWNER+NAME/repo), e.g.
#   git clone --bare https://github.com/LemmyNet/lemmy "$MIRROR/LemmyNet+lemmy/repo"
#
# Usage: bench/lint-corpus.sh            (MIRROR defaults to /work/.mirror)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
MIRROR=${MIRROR:-/work/.mirror}
OUT=$ROOT/bench/corpus
LISTS=$ROOT/bench/lint-corpus-files

# corpus | repository | commit | extended regex of the paths taken (PostgreSQL migrations only)
REPOS='
dev|LemmyNet/lemmy|439734dd638a2c06a2f907beab7dcf4646e88f86|^migrations/.*\.sql$
dev|ory/kratos|b86338da04a040247a07f46100a86dcfb3875909|^persistence/sql/migrations/sql/.*\.postgres\.(up|down)\.sql$
dev|supabase/auth|bc32168e13fdc928c98b449fc76bc3fdb9a293c5|^migrations/.*\.sql$
dev|supabase/storage|4fa61fba9371c4bd40cbb81509f07bcb3af21683|^migrations/.*\.sql$
dev|openfga/openfga|da9354f7e6704cef47e620ffa2e08212c08d5ad3|^assets/migrations/postgres/.*\.sql$
crates-io|rust-lang/crates.io|57fa000662f511321daa61e6769f190ea0e80771|^migrations/.*\.sql$
openmeter|openmeterio/openmeter|7e57a394a0283fb210a644685ad1d257f6d5c85c|^tools/migrate/migrations/.*\.sql$
'

rm -rf "$OUT"
mkdir -p "$OUT" "$LISTS"
total=0
while IFS='|' read -r corpus repo commit pattern; do
    [ -z "$corpus" ] && continue
    git_dir=$MIRROR/${repo/\//+}/repo
    if ! git -C "$git_dir" cat-file -e "$commit^{commit}" 2>/dev/null; then
        echo "missing: $repo at $commit (expected a git mirror in $git_dir)" >&2
        exit 3
    fi
    n=0
    list=$(mktemp)
    while IFS= read -r path; do
        dest=$OUT/$corpus/${repo/\//+}/${path//\//__}
        mkdir -p "$(dirname "$dest")"
        # supabase/auth's migrations are Go templates: the schema name is filled in at run time. Put in the value
        # its migrator uses by default, so the files are the SQL that PostgreSQL actually sees.
        git -C "$git_dir" show "$commit:$path" | sed 's/{{ *index \.Options "Namespace" *}}/auth/g' > "$dest"
        printf '%s %s %s\n' "$repo" "${commit:0:12}" "$path" >> "$list"
        n=$((n + 1))
    done < <(git -C "$git_dir" ls-tree -r --name-only "$commit" | grep -E "$pattern")
    if [ "$corpus" != dev ]; then   # the new corpora's file lists are recorded in the repository
        if [ -f "$LISTS/$corpus.txt" ] && ! cmp -s "$list" "$LISTS/$corpus.txt"; then
            echo "the file list of $corpus differs from $LISTS/$corpus.txt" >&2
            exit 3
        fi
        cp "$list" "$LISTS/$corpus.txt"
    fi
    rm -f "$list"
    echo "$corpus: $repo@${commit:0:12}: $n files" >&2
    total=$((total + n))
done <<< "$REPOS"
echo "corpus: $total files in $OUT" >&2
