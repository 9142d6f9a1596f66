#!/bin/sh
# Runs once, on the compose Postgres's first start (docker-entrypoint-initdb.d): the app
# role every process connects as. It owns nothing; `python -m scripts.migrate` (as the
# owner, POSTGRES_USER) grants it what it needs. See deploy/README.md, "Database roles".
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v app_password="$POSTGRES_APP_PASSWORD" <<'SQL'
CREATE ROLE zhicheng_app LOGIN PASSWORD :'app_password';
SQL
