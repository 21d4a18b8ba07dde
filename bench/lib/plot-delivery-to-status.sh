#!/usr/bin/env bash
# PNG of delivery → commit status latency against offered load, from bench/delivery-to-status.sh's output (its
# Markdown, saved to a file). Needs gnuplot: apt-get install -y gnuplot-nox.
#   bench/delivery-to-status.sh 10,25,50,100,150,200 10 100 actions > d2s.md
#   bench/lib/plot-delivery-to-status.sh d2s.md docs/delivery-to-status.png
set -euo pipefail
md="$1"; out="$2"
command -v gnuplot >/dev/null || { echo "no gnuplot: apt-get install -y gnuplot-nox" >&2; exit 2; }
data=$(mktemp); trap 'rm -f "$data"' EXIT
# the first table's rows: offered/s, then p50, p90, p99 (columns 8-10)
awk -F'|' '/^\| offered deliveries\/s \| achieved/ {t=1; next} t && /^\|---/ {next} t && /^\| [0-9]/ {print $2, $9, $10, $11; next} t && !/^\|/ {t=0}' "$md" >"$data"
[ -s "$data" ] || { echo "no latency table in $md" >&2; exit 2; }
header=$(grep -m1 '^# delivery → commit status (' "$md" | tr '"' "'")
title="$(sed 's/^# delivery → commit status (\([^,]*, [^,]*, [^,]*\),.*/\1/' <<<"$header"); mix $(sed 's/.*mix \([a-z]*\))$/\1/' <<<"$header")"
gnuplot <<GP
set terminal pngcairo size 900,560 noenhanced
set output "$out"
set title "tiergate: delivery to commit status against offered load (stand-in GitHub)\n$title"
set xlabel "offered deliveries/s"
set ylabel "latency from planned send, ms (log)"
set logscale y
set grid
set key top left
plot "$data" using 1:2 with linespoints title "p50", \
     "" using 1:3 with linespoints title "p90", \
     "" using 1:4 with linespoints title "p99", \
     250 with lines dashtype 2 title "goal: p99 250 ms at 100/s"
GP
echo "plot: $out"
