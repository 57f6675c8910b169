#!/usr/bin/env bash
# Run CMD... against a throwaway PostgreSQL 15 cluster and exit with CMD's status.
# Exports:
#   TOLLGATE_TEST_DATABASE_URL  non-superuser role `tollgate` (the app refuses superusers: they bypass RLS)
#   TOLLGATE_TEST_PG_ADMIN_URL  superuser `postgres`, for tests that must create databases/roles as admin
#   TOLLGATE_TEST_FAILURES      a file for CMD's summary of what failed; printed last when CMD fails
# The cluster lives in a mktemp dir that is deleted on exit. Usage: scripts/test-postgres.sh CMD [ARGS...]
set -euo pipefail

[ $# -gt 0 ] || { echo "usage: $0 CMD [ARGS...]" >&2; exit 2; }
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
[ -x "$PGBIN/initdb" ] || { echo "error: $PGBIN/initdb missing; run scripts/install-deps.sh" >&2; exit 1; }

# initdb refuses to run as root, so as root the server runs as the Debian `postgres` user.
as_pg() {
  if [ "$(id -u)" = 0 ]; then
    (cd "$dir" && runuser -u postgres -- "$@")   # cd: postgres may not be able to read the caller's cwd
  else
    "$@"
  fi
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=${TOLLGATE_TEST_PG_PORT:-54329}
while port_busy "$port"; do
  port=$((port + 1))
done

dir=$(mktemp -d "${TMPDIR:-/tmp}/tollgate-pg.XXXXXX")
[ "$(id -u)" = 0 ] && chown postgres: "$dir"

cleanup() {
  local rc=$?
  # On failure, show what the server refused (tests provoke some errors on purpose, so read with care).
  if [ "$rc" != 0 ] && [ -f "$dir/pg.log" ]; then
    echo "--- test-postgres: the last errors in the PostgreSQL log" >&2
    grep -E "ERROR|FATAL|PANIC|STATEMENT" "$dir/pg.log" | tail -n 16 >&2 || true
  fi
  # What the wrapped command said about its failures comes last, where the tail of a CI log shows it.
  if [ -s "${TOLLGATE_TEST_FAILURES:-}" ]; then cat "$TOLLGATE_TEST_FAILURES" >&2; fi
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Host connections use SCRAM passwords (as in production); the admin password is random per run.
admin_pw=$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')
printf '%s\n' "$admin_pw" >"$dir/pwfile"
[ "$(id -u)" = 0 ] && chown postgres: "$dir/pwfile"
if ! as_pg "$PGBIN/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pwfile" \
     --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1; then
  cat "$dir/initdb.log" >&2
  exit 1
fi
rm -f "$dir/pwfile"

# Durability is pointless for a throwaway cluster; these settings make tests much faster.
cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
# Each test drops its database WITH (FORCE) as the non-superuser role; an autovacuum worker analysing the fresh
# database's tables is a process that role may not terminate, and the drop then fails ("must be a member of the role
# whose process is being terminated"). Throwaway databases need no autovacuum.
autovacuum = off
EOF

if ! as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/pg.log" -w -t 30 start >/dev/null; then
  cat "$dir/pg.log" >&2
  exit 1
fi

export TOLLGATE_TEST_FAILURES="$dir/failures.txt"
export TOLLGATE_TEST_PG_ADMIN_URL="postgres://postgres:$admin_pw@127.0.0.1:$port/postgres"
export TOLLGATE_TEST_DATABASE_URL="postgres://tollgate:tollgate-test@127.0.0.1:$port/postgres"
psql "$TOLLGATE_TEST_PG_ADMIN_URL" -q -v ON_ERROR_STOP=1 \
  -c "CREATE ROLE tollgate LOGIN CREATEDB CREATEROLE PASSWORD 'tollgate-test'"
echo "test-postgres: PostgreSQL 15 on 127.0.0.1:$port (data in $dir)" >&2

# Not exec: the EXIT trap must stop the cluster afterwards. `|| rc=$?` keeps set -e from aborting.
rc=0
"$@" || rc=$?
exit "$rc"
