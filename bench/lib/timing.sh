# Timing helpers for bench/hooks-bench.sh (sourced). Prints medians in milliseconds.
# Uses hyperfine when present; otherwise a plain loop over `date +%s%N` (same runs, same prepare step).

# measure LABEL PREPARE COMMAND -> prints the median wall time in ms (one number, 1 decimal)
measure() {
    local label=$1 prepare=$2 command=$3
    local json="$RESULTS/$(echo "$label" | tr -c 'A-Za-z0-9\n' '_').json"
    if [ -n "${HYPERFINE:-}" ]; then
        "$HYPERFINE" --shell=bash --style=none --warmup "$WARMUP" --runs "$RUNS" \
            --prepare "$prepare" --export-json "$json" "$command" >/dev/null 2>"$json.log" \
            || { cat "$json.log" >&2; return 1; }
        # hyperfine reports seconds; the JSON has one result with a "median" field.
        local median
        median=$(tr -d ' \n' <"$json" | sed -n 's/.*"median":\([0-9.eE+-]*\).*/\1/p')
        awk -v s="$median" 'BEGIN { printf "%.1f\n", s * 1000 }'
    else
        local i t0 t1
        : >"$json.txt"
        for ((i = 0; i < WARMUP + RUNS; i++)); do
            bash -c "$prepare" >/dev/null
            t0=$(date +%s%N)
            bash -c "$command" >/dev/null
            t1=$(date +%s%N)
            if ((i >= WARMUP)); then
                echo $(((t1 - t0) / 1000)) >>"$json.txt"
            fi
        done
        sort -n "$json.txt" | awk '{ a[NR] = $1 } END {
            m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.1f\n", m / 1000 }'
    fi
}

find_or_install_hyperfine() {
    if command -v hyperfine >/dev/null 2>&1; then
        HYPERFINE=$(command -v hyperfine)
    elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
        && apt-get install -y -qq hyperfine >/dev/null 2>&1; then
        HYPERFINE=$(command -v hyperfine)
    else
        echo "hyperfine not found and not installable; timing with a plain loop" >&2
        HYPERFINE=
    fi
}
