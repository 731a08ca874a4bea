#!/usr/bin/env bash
# Idempotent: installs Docker's engine (Debian docker.io) and debootstrap when missing, starts dockerd in the
# background when no engine answers, and waits until `docker info` answers.
# Env: DOCKER_SETUP_TIMEOUT (seconds, default 60), DOCKERD_LOG (default /tmp/dockerd.log).
set -euo pipefail

timeout_s="${DOCKER_SETUP_TIMEOUT:-60}"
log="${DOCKERD_LOG:-/tmp/dockerd.log}"
sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi

engine_answers() { docker info >/dev/null 2>&1; }

if engine_answers; then
  echo "docker-setup: engine already answers ($(docker version --format '{{.Server.Version}}' 2>/dev/null))"
  exit 0
fi

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "docker-setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# A client-only docker binary may shadow Debian's in PATH; either client works against the engine.
# A dockerd that is alive (not a zombie left by a kill) but not answering yet is starting: wait for it.
if ! ps -C dockerd -o stat= 2>/dev/null | grep -qv '^Z'; then
  echo "docker-setup: starting dockerd (log: $log)"
  # setsid: the daemon must outlive this script and the shell that called it.
  $sudo setsid dockerd >"$log" 2>&1 < /dev/null &
fi

deadline=$(( $(date +%s) + timeout_s ))
until engine_answers; do
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "docker-setup: ERROR: no Docker engine answered within ${timeout_s}s; last lines of $log:" >&2
    tail -n 30 "$log" >&2 2>/dev/null || true
    exit 1
  fi
  sleep 0.5
done
echo "docker-setup: engine answers ($(docker version --format '{{.Server.Version}}' 2>/dev/null))"
