#!/bin/sh
# Runs once, when the PostgreSQL volume is created (docker-entrypoint-initdb.d), as the
# superuser: the two login roles of deploy/postgresql-roles.md, the same statements as
# `dudao pg_roles` part 1 (dudao/audit/pgroles.py create_roles_sql), with the passwords from
# the Compose .env. The grants (part 2) are applied by the `migrate` service after each migrate.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v owner_pw="$DUDAO_OWNER_PASSWORD" -v app_pw="$DUDAO_APP_PASSWORD" <<'SQL'
CREATE ROLE dudao_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD :'owner_pw';
CREATE ROLE dudao_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT PASSWORD :'app_pw';
ALTER DATABASE dudao OWNER TO dudao_owner;
REVOKE ALL ON DATABASE dudao FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE dudao TO dudao_app;
SQL
