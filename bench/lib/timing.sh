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

# measure_interleaved ROUNDS LABEL PREPARE COMMAND [LABEL PREPARE COMMAND ...]
# Times every command RUNS times in all, in ROUNDS rounds that each run every command in turn, so that the drift
# of a shared machine falls on all of them alike (ratios between milliseconds-long commands need that).
# Prints one line per command: LABEL MEDIAN_MS.
measure_interleaved() {
    local rounds=$1
    shift
    local per=$(((RUNS + rounds - 1) / rounds)) labels=() args=() r i
    while [ $# -gt 0 ]; do
        labels+=("$1")
        args+=(--prepare "$2" "$3")
        shift 3
    done
    local samples="$RESULTS/interleaved.samples"
    : >"$samples"
    for ((r = 0; r < rounds; r++)); do
        if [ -n "${HYPERFINE:-}" ]; then
            local json="$RESULTS/interleaved-$r.json"
            "$HYPERFINE" --shell=bash --style=none --warmup "$WARMUP" --runs "$per" --export-json "$json" \
                "${args[@]}" >/dev/null 2>"$json.log" || { cat "$json.log" >&2; return 1; }
            # one line per sample: <command index> <seconds>
            awk '/"times": \[/ { n++; on = 1; next } on && /\]/ { on = 0 } on { gsub(/[ ,]/, ""); print n - 1, $0 }' \
                "$json" >>"$samples"
        else
            for ((i = 0; i < ${#labels[@]}; i++)); do
                local k t0 t1
                for ((k = 0; k < per; k++)); do
                    bash -c "${args[$((3 * i + 1))]}" >/dev/null
                    t0=$(date +%s%N)
                    bash -c "${args[$((3 * i + 2))]}" >/dev/null
                    t1=$(date +%s%N)
                    echo "$i $(awk -v d=$((t1 - t0)) 'BEGIN { print d / 1e9 }')" >>"$samples"
                done
            done
        fi
    done
    for ((i = 0; i < ${#labels[@]}; i++)); do
        printf '%s ' "${labels[$i]}"
        awk -v i="$i" '$1 == i { print $2 * 1000 }' "$samples" | sort -n | awk '{ a[NR] = $1 } END {
            m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.1f\n", m }'
    done
}
