#!/usr/bin/env bash
# Runs the tests that can read ../shared/fixtures from a copy of the repo with no ../shared beside it,
# as a newcomer's clone is: they must skip (naming the folder), never fail. .ci/run calls it after the
# full suite. Arguments go to vitest.
set -euo pipefail
cd "$(dirname "$0")/.."
# Every test file that names the corpus, or loads captures through a loader that also reads it when present.
mapfile -t files < <(grep -rlE "corpusAbsent|SHARED_CORPUS|p1-corpus\.ts|han-fixture-files\.ts|from '\./fixtures\.ts'" \
  --include='*.test.ts' packages services db grafana test | sort)
root=$(mktemp -d "${TMPDIR:-/tmp}/sem-bare-layout-XXXXXX")
trap 'rm -rf "$root"' EXIT
copy="$root/sem"
mkdir "$copy"
git ls-files -co --exclude-standard -z | tar -c --null --ignore-failed-read -T - -f - 2>/dev/null | tar -x -C "$copy"
# Hard links where the file system allows them: node_modules is large.
cp -al node_modules "$copy/" 2>/dev/null || cp -a node_modules "$copy/"
echo "test-bare-layout: ${#files[@]} test files from $copy (no ../shared beside it)"
cd "$copy" && npx vitest run "${files[@]}" "$@"
