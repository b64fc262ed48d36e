#!/usr/bin/env bash
# The README's first command on a fresh clone, where a user may put one: inside a private
# (0700) folder, as whoever runs this (root in CI), on the embedded default (no
# DATABASE_URL). Clones the repository's committed HEAD, runs `npm install && npm run demo`
# and expects the run to complete. Run by .ci/run; `scripts/check-clone.sh [repo]`.
set -euo pipefail
repo="$(cd "${1:-$(dirname "$0")/..}" && pwd)"
private="$(mktemp -d)"   # mktemp makes it 0700
cleanup() {
  # As root the data lives outside the clone (.stagegraph/pg links to it): remove it too.
  local link="$private/app/.stagegraph/pg"
  if [ -L "$link" ]; then rm -rf "$(dirname "$(readlink -f "$link")")"; fi
  rm -rf "$private"
}
trap cleanup EXIT
chmod 700 "$private"
git clone --quiet "$repo" "$private/app"
cd "$private/app"
first="$(grep -m1 -E '^npm install' README.md)"
echo "check-clone: in $private/app (mode $(stat -c %a "$private")), running: $first"
out="$(env -u DATABASE_URL bash -c "$first" 2>&1)" || { echo "$out"; echo "check-clone: FAILED"; exit 1; }
echo "$out" | tail -3
echo "$out" | grep -q '^status: completed' || { echo "check-clone: the demo did not complete"; exit 1; }
echo "check-clone: passed"
