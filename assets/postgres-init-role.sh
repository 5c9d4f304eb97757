#!/bin/sh
# memguard: creates the application role and its database (PostgresTuning's `workload.applicationRole`).
#
# The official postgres image runs every file in /docker-entrypoint-initdb.d once, on the first start with an empty
# data directory, as the postgres user, against a temporary server that listens on the unix socket only. This file is
# mounted there executable, so it runs in its own process.
#
# Environment:
#   MEMGUARD_APP_ROLE      the role to create (LOGIN)
#   MEMGUARD_APP_DATABASE  the database to create, owned by the role
#   MEMGUARD_APP_PASSWORD  the role's password (from a Secret: never on a command line, never in the manifest)
#   MEMGUARD_APP_CREATEDB  "true" to grant CREATEDB, else "false" (the default)
#   PGHOST, PGPORT, PGUSER, PGDATABASE  where to connect; PGUSER defaults to POSTGRES_USER, PGDATABASE to POSTGRES_DB
#
# Idempotent: a second run with the same environment leaves the same state (an existing role gets LOGIN, the password
# and the CREATEDB choice again; an existing database is handed to the role).
set -eu

: "${MEMGUARD_APP_ROLE:?MEMGUARD_APP_ROLE must name the role to create}"
: "${MEMGUARD_APP_DATABASE:?MEMGUARD_APP_DATABASE must name the database to create}"
: "${MEMGUARD_APP_PASSWORD:?MEMGUARD_APP_PASSWORD must hold the role password (from a Secret)}"

case "${MEMGUARD_APP_CREATEDB:-false}" in
  true) createdb=on ;;
  false) createdb=off ;;
  *)
    echo "MEMGUARD_APP_CREATEDB must be \"true\" or \"false\", not \"${MEMGUARD_APP_CREATEDB}\"" >&2
    exit 2
    ;;
esac

PGUSER="${PGUSER:-${POSTGRES_USER:-postgres}}"
PGDATABASE="${PGDATABASE:-${POSTGRES_DB:-$PGUSER}}"
export PGUSER PGDATABASE

# Names go in as psql variables and are quoted by psql (:"name" as an identifier, :'name' as a literal). The password
# is read inside psql from the environment (a backquoted printenv), so it never appears in any process's arguments.
psql -v ON_ERROR_STOP=1 --no-psqlrc --quiet \
  -v "app_role=${MEMGUARD_APP_ROLE}" \
  -v "app_database=${MEMGUARD_APP_DATABASE}" \
  -v "app_createdb=${createdb}" <<'SQL'
\set app_password `printenv MEMGUARD_APP_PASSWORD`
SELECT NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = :'app_role') AS app_role_missing \gset
\if :app_role_missing
CREATE ROLE :"app_role" LOGIN;
\endif
ALTER ROLE :"app_role" WITH LOGIN PASSWORD :'app_password';
\unset app_password
\if :app_createdb
ALTER ROLE :"app_role" WITH CREATEDB;
\else
ALTER ROLE :"app_role" WITH NOCREATEDB;
\endif
SELECT NOT EXISTS (SELECT 1 FROM pg_catalog.pg_database WHERE datname = :'app_database') AS app_database_missing \gset
\if :app_database_missing
CREATE DATABASE :"app_database" OWNER :"app_role";
\else
ALTER DATABASE :"app_database" OWNER TO :"app_role";
\endif
SQL

echo "memguard: role \"${MEMGUARD_APP_ROLE}\" (LOGIN, CREATEDB ${createdb}) owns database \"${MEMGUARD_APP_DATABASE}\""
