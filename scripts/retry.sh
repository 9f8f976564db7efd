#!/usr/bin/env bash
# retry N CMD...: run CMD up to N times with exponential backoff (network steps: apt, pip, debootstrap).
set -u
tries=$1; shift
delay=3
for ((i = 1; i <= tries; i++)); do
  "$@" && exit 0
  rc=$?
  if ((i < tries)); then
    echo "retry: '$*' failed (exit $rc), attempt $i/$tries; next in ${delay}s" >&2
    sleep "$delay"
    delay=$((delay * 2))
  fi
done
echo "retry: '$*' failed $tries times" >&2
exit "${rc:-1}"
