#!/bin/bash
# usage: [TUNE_ARGS="--audit-preset"] tune.sh SPEC GRIDFILE
# Runs one `lethe tune` per line of GRIDFILE (a method and its --grid axes; each line holds the method's full
# grid, since the tuner selects among the current run's points and reuses logged cells), resumable.
# Expects the checkout in /work/wt-tune and the store, logs and recipes under /tmp/retune (see BENCHMARKS.md,
# "Retuning on the validation split"). TUNE_ARGS are passed to every run (e.g. the audit preset).
spec=$1; grids=$2; tag=${spec//:/-}
[ -n "$TUNE_ARGS" ] && tag="$tag${TUNE_ARGS//[^a-z0-9]/}"
cd /work/wt-tune
while read -r m rest; do
  [ -z "$m" ] && continue
  echo "=== $(date +%T) $spec $m $rest" >> /tmp/retune/log-$tag.txt
  ./lethe tune --store /tmp/retune/store --out /tmp/retune/out-$tag --recipes /tmp/retune/recipes \
    --forget $spec --tuning-seeds 3 --methods $m $rest $TUNE_ARGS --force >> /tmp/retune/log-$tag.txt 2>&1
  echo "=== $(date +%T) exit $? $m" >> /tmp/retune/log-$tag.txt
done < /tmp/retune/$grids
