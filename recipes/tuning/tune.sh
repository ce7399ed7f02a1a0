#!/bin/bash
# usage: tune.sh SPEC GRIDFILE ; runs one lethe tune per method line, resumable
spec=$1; grids=$2; tag=${spec//:/-}
cd /work/wt-tune
while read -r m rest; do
  [ -z "$m" ] && continue
  echo "=== $(date +%T) $spec $m $rest" >> /tmp/retune/log-$tag.txt
  ./lethe tune --store /tmp/retune/store --out /tmp/retune/out-$tag --recipes /tmp/retune/recipes \
    --forget $spec --tuning-seeds 3 --methods $m $rest --force >> /tmp/retune/log-$tag.txt 2>&1
  echo "=== $(date +%T) exit $? $m" >> /tmp/retune/log-$tag.txt
done < /tmp/retune/$grids
