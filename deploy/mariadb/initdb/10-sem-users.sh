#!/bin/bash
# First start of an empty data volume only (MariaDB image's /docker-entrypoint-initdb.d): creates the SEM
# database and its three accounts, the same ones db's bootstrapDatabase() makes. Table grants for the API
# and read-only users come later from the migrate step, which the owner may do (GRANT OPTION).
# Works executed or sourced by the image's entrypoint, so it never calls `exit`.

sem_initdb_secret() { # NAME: value of NAME, or the contents of the file named by NAME_FILE
  local name="$1" file_var="${1}_FILE"
  if [ -n "${!name:-}" ]; then printf '%s' "${!name}"
  elif [ -n "${!file_var:-}" ]; then cat -- "${!file_var}"
  fi
}

sem_initdb_quote() { # SQL string literal
  local s="${1//\\/\\\\}"
  printf "'%s'" "${s//\'/\\\'}"
}

sem_initdb_users() {
  local db="${SEM_DB_NAME:-sem}" owner="${SEM_DB_OWNER_USER:-sem_owner}" api="${SEM_DB_API_USER:-sem_api}"
  local ro="${SEM_DB_READONLY_USER:-sem_grafana}" owner_pw api_pw ro_pw name
  owner_pw="$(sem_initdb_secret SEM_DB_OWNER_PASSWORD)"
  api_pw="$(sem_initdb_secret SEM_DB_API_PASSWORD)"
  ro_pw="$(sem_initdb_secret SEM_DB_READONLY_PASSWORD)"
  for name in "$db" "$owner" "$api" "$ro"; do
    [[ "$name" =~ ^[A-Za-z0-9_]{1,64}$ ]] || { echo "10-sem-users: unsafe name '$name'" >&2; return 1; }
  done
  [ -n "$owner_pw" ] && [ -n "$api_pw" ] && [ -n "$ro_pw" ] \
    || { echo "10-sem-users: SEM_DB_{OWNER,API,READONLY}_PASSWORD (or _FILE) must all be set" >&2; return 1; }

  echo "10-sem-users: creating database $db and users $owner, $api, $ro" >&2
  # Root over the socket with the image's root password (MYSQL_PWD keeps it off the command line).
  MYSQL_PWD="${MARIADB_ROOT_PASSWORD:-}" mariadb --protocol=socket -uroot <<SQL
CREATE DATABASE IF NOT EXISTS \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
CREATE USER IF NOT EXISTS '$owner'@'%' IDENTIFIED BY $(sem_initdb_quote "$owner_pw");
CREATE USER IF NOT EXISTS '$api'@'%' IDENTIFIED BY $(sem_initdb_quote "$api_pw");
CREATE USER IF NOT EXISTS '$ro'@'%' IDENTIFIED BY $(sem_initdb_quote "$ro_pw");
GRANT ALL PRIVILEGES ON \`$db\`.* TO '$owner'@'%' WITH GRANT OPTION;
FLUSH PRIVILEGES;
SQL
}

sem_initdb_users
