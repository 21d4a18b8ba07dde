#!/usr/bin/env bash
# PNG of ack latency against offered load from bench/ack-latency.sh's data file (needs gnuplot: apt-get install -y gnuplot-nox).
#   bench/lib/plot-ack-latency.sh docs/ack-latency.dat docs/ack-latency.png
set -euo pipefail
data="$1"; out="$2"
command -v gnuplot >/dev/null || { echo "no gnuplot: apt-get install -y gnuplot-nox" >&2; exit 2; }
gnuplot <<GP
set terminal pngcairo size 900,560 noenhanced
set output "$out"
set title "tiergate: webhook ack latency against offered load\nembedded PostgreSQL, fsync on; client, server and other builds on $(nproc) cores"
set xlabel "offered deliveries/s"
set ylabel "latency from planned send, ms (log)"
set logscale y
set grid
set key top left
plot "$data" using 1:(\$7/1000) with linespoints title "p50", \
     "" using 1:(\$9/1000) with linespoints title "p99", \
     "" using 1:(\$10/1000) with linespoints title "p99.9", \
     20 with lines dashtype 2 title "goal: p99 20 ms"
GP
echo "plot: $out"
