#!/bin/sh
# Runs one fuzz target with the samples in testdata/ as its seeds:
#   fuzz/run.sh TARGET [SECONDS]      (from the repository root; default 300 seconds)
# Targets: w3c native httperr freb rules archive. New inputs go to fuzz/corpus/TARGET,
# a crash to fuzz/artifacts/TARGET/ (both ignored by git).
set -eu
target=${1:?usage: fuzz/run.sh TARGET [SECONDS]}
seconds=${2:-300}
case $target in
    w3c) seeds="testdata/broken testdata/legacy testdata/farm/web02/W3SVC1" ;;
    native) seeds="testdata/legacy" ;;
    httperr) seeds="testdata/httperr testdata/farm/web01/HTTPERR" ;;
    freb) seeds="testdata/freb" ;;
    rules) seeds="testdata/rules src/kb/data" ;;
    archive) seeds="testdata/archives/farm testdata/archives/broken" ;;
    *) echo "unknown target $target" >&2; exit 2 ;;
esac
mkdir -p "fuzz/corpus/$target"
# shellcheck disable=SC2086 # the seed folders are separate arguments
exec cargo +nightly fuzz run -O "$target" "fuzz/corpus/$target" $seeds -- \
    -max_len=65536 -max_total_time="$seconds" -rss_limit_mb=2048
