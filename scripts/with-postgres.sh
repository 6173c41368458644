#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server on loopback and
# FORMULARY_TEST_POSTGRES pointing at it, then stops the server.
#
# Usage: scripts/with-postgres.sh COMMAND [ARGS...]
# Needs Debian's postgresql package (apt-get install -y postgresql). As root,
# the server runs as the `postgres` user; otherwise as the caller.
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
if [ -z "$bindir" ]; then
  echo "error: PostgreSQL is not installed (apt-get install -y postgresql)" >&2
  exit 1
fi
port=${PGPORT_TEST:-55432}
dir=$(mktemp -d)
chmod 755 "$dir"
as=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$dir"
  as=(runuser -u postgres --)
fi
"${as[@]}" "$bindir/initdb" -D "$dir/data" -A trust -U postgres >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
"${as[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=on" start >/dev/null
stop() {
  "${as[@]}" "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT
export FORMULARY_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port/postgres"
echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
"$@"
