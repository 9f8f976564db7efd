#!/usr/bin/env bash
# Installs the Debian packages the real-part tests need, only those missing.
# Usage: install-debs.sh [LIST...]  (default: scripts/debs-test.txt)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
lists=("$@")
[ ${#lists[@]} -gt 0 ] || lists=("$here/debs-test.txt")
mapfile -t wanted < <(cat "${lists[@]}" | sed -e 's/#.*//' -e '/^\s*$/d' | tr -s ' \t' '\n' | sed '/^$/d')
missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "install-debs: missing Debian packages (${missing[*]}) and not root: the tests that need them will skip" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
echo "install-debs: installing ${missing[*]}" >&2
"$here/retry.sh" 4 apt-get update -qq
"$here/retry.sh" 4 apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
