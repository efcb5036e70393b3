#!/usr/bin/env bash
# Debian packages the test suite drives for real: tmux (the REPL test), psql, a JDK with pgJDBC and
# psqlODBC with unixODBC (the Postgres adapter's client tests). Installs only what is missing; uses
# sudo when not root.
set -euo pipefail
PKGS=(tmux postgresql-client openjdk-17-jdk-headless libpostgresql-jdbc-java odbc-postgresql unixodbc)
missing=()
for p in "${PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
