#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages the test suite drives for real: tmux (the REPL test), psql, a JDK
# with pgJDBC, psqlODBC with unixODBC, and Python's psycopg 3, psycopg2, SQLAlchemy (1.4: bookworm's) and
# pyodbc (the Postgres adapter's client tests); a PostgreSQL server (`dynasql sync`'s PostgreSQL target) and
# redis-server (the shared throttle store), both started by the tests themselves. Installs only what is
# missing, as root or through sudo; says what it installs and why it cannot when it cannot.
set -euo pipefail
PKGS=(tmux postgresql-client openjdk-17-jdk-headless libpostgresql-jdbc-java odbc-postgresql unixodbc
  python3 python3-psycopg python3-psycopg2 python3-sqlalchemy python3-pyodbc postgresql redis-server)

if ! command -v dpkg >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "test:setup: this script needs a Debian or Ubuntu system (dpkg and apt-get)." >&2
  echo "test:setup: install these yourself: tmux, psql, a JDK 17, the PostgreSQL JDBC driver, psqlODBC with unixODBC, a PostgreSQL server, redis-server, and for /usr/bin/python3: psycopg 3, psycopg2, SQLAlchemy, pyodbc." >&2
  exit 1
fi

missing=()
for p in "${PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -eq 0 ]; then
  echo "test:setup: all test packages are installed (${PKGS[*]})"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  run=()
elif command -v sudo >/dev/null 2>&1; then
  run=(sudo)
else
  echo "test:setup: missing ${missing[*]}; installing them needs root, and sudo is not available." >&2
  echo "test:setup: run as root: apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

echo "test:setup: installing ${missing[*]} with apt-get${run:+ through sudo}"
export DEBIAN_FRONTEND=noninteractive
"${run[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${run[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "test:setup: installed ${missing[*]}"
