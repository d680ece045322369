#!/usr/bin/env bash
# The benchmark's PostgreSQL peer baseline needs a PostgreSQL on 127.0.0.1:5432 (trust auth, database
# `test`). This makes sure one answers: starts Debian's cluster when it is installed but down, installs
# it from Debian's packages when missing (as root with apt-get; PARLEY_INSTALL=no forbids it), then
# makes sure the database exists. Exit 0 when PostgreSQL answers; otherwise one line says why, exit 1.
set -euo pipefail

pg_answers() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
can_install() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && [ "${PARLEY_INSTALL:-yes}" != no ]; }
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

if ! pg_answers; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    if ! can_install; then
      echo "postgres-env: PostgreSQL is not installed: run 'sudo apt-get install -y postgresql'" >&2
      exit 1
    fi
    echo "postgres-env: installing postgresql (the benchmark's peer baseline)…"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  version="$(ls /etc/postgresql | sort -V | tail -1)"
  hba="/etc/postgresql/$version/main/pg_hba.conf"
  # loopback only, trust: the benchmark connects as postgres without a password
  if [ -w "$hba" ] && ! grep -q '^host all all 127.0.0.1/32 trust' "$hba"; then
    sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
  fi
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 50); do pg_answers && break; sleep 0.2; done
  pg_answers || { echo "postgres-env: started PostgreSQL $version but it does not answer on 127.0.0.1:5432" >&2; exit 1; }
  echo "postgres-env: started PostgreSQL $version on 127.0.0.1:5432"
fi

if ! psql -h 127.0.0.1 -U postgres -d test -Atqc 'select 1' >/dev/null 2>&1; then
  psql -h 127.0.0.1 -U postgres -d postgres -qc 'CREATE DATABASE test' >/dev/null 2>&1 \
    || as_postgres psql -qc 'CREATE DATABASE test' >/dev/null
fi
