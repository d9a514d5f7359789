#!/bin/bash
# STAND-IN entrypoint: first start initialises /var/lib/mysql the way the official image documents
# (root password, optional database and user, init scripts), later starts just run the server.
set -euo pipefail

log() { echo "stand-in-entrypoint: $*" >&2; }

# VAR or VAR_FILE (not both), exported like the official image does, so init scripts see it.
file_env() {
  local var="$1" def="${2:-}" file_var="${1}_FILE" val
  if [ -n "${!var:-}" ] && [ -n "${!file_var:-}" ]; then
    log "both $var and $file_var are set; use one"; exit 1
  fi
  val="$def"
  if [ -n "${!var:-}" ]; then val="${!var}"; elif [ -n "${!file_var:-}" ]; then val="$(<"${!file_var}")"; fi
  export "$var"="$val"
  unset "$file_var"
}

# SQL string literal body: backslash and quote escaped.
sql_escape() { local s="${1//\\/\\\\}"; printf '%s' "${s//\'/\\\'}"; }

if [ "${1:-}" = "mariadbd" ] || [ "${1:-}" = "mysqld" ] || [ "${1#-}" != "${1:-}" ]; then
  [ "${1#-}" != "${1:-}" ] && set -- mariadbd "$@"
  [ "$1" = "mysqld" ] && shift && set -- mariadbd "$@"

  if [ "$(id -u)" = "0" ]; then
    chown -R mysql:mysql /var/lib/mysql /run/mysqld
    exec setpriv --reuid=mysql --regid=mysql --init-groups "$0" "$@"
  fi

  datadir=/var/lib/mysql
  socket=/run/mysqld/mysqld.sock
  if [ ! -d "$datadir/mysql" ]; then
    # The official image still accepts the MYSQL_* names (and their _FILE forms) where no MARIADB_* one is set.
    for name in ROOT_PASSWORD DATABASE USER PASSWORD ROOT_HOST RANDOM_ROOT_PASSWORD INITDB_SKIP_TZINFO; do
      maria="MARIADB_$name" maria_file="MARIADB_${name}_FILE" mysql="MYSQL_$name" mysql_file="MYSQL_${name}_FILE"
      [ -n "${!maria:-}" ] || [ -n "${!maria_file:-}" ] && continue
      if [ -n "${!mysql:-}" ]; then export "$maria"="${!mysql}"; fi
      if [ -n "${!mysql_file:-}" ]; then export "$maria_file"="${!mysql_file}"; fi
    done
    [ -z "${MARIADB_ALLOW_EMPTY_ROOT_PASSWORD:-}" ] && [ -n "${MYSQL_ALLOW_EMPTY_PASSWORD:-}" ] && export MARIADB_ALLOW_EMPTY_ROOT_PASSWORD="$MYSQL_ALLOW_EMPTY_PASSWORD"
    file_env MARIADB_ROOT_PASSWORD
    file_env MARIADB_DATABASE
    file_env MARIADB_USER
    file_env MARIADB_PASSWORD
    file_env MARIADB_ROOT_HOST '%'
    if [ -z "$MARIADB_ROOT_PASSWORD" ] && [ -z "${MARIADB_ALLOW_EMPTY_ROOT_PASSWORD:-}" ] && [ -z "${MARIADB_RANDOM_ROOT_PASSWORD:-}" ]; then
      log "database is uninitialized and no root password option is set (MARIADB_ROOT_PASSWORD[_FILE], MARIADB_ALLOW_EMPTY_ROOT_PASSWORD, MARIADB_RANDOM_ROOT_PASSWORD)"
      exit 1
    fi
    if [ "$MARIADB_USER" = root ]; then
      log "MARIADB_USER=root: the root user exists already; set MARIADB_ROOT_PASSWORD instead"
      exit 1
    fi
    if [ -n "$MARIADB_USER" ] && [ -z "$MARIADB_PASSWORD" ]; then
      log "MARIADB_USER is set without MARIADB_PASSWORD[_FILE]; the user is not created"
    fi
    if [ -n "${MARIADB_RANDOM_ROOT_PASSWORD:-}" ]; then
      MARIADB_ROOT_PASSWORD="$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
      export MARIADB_ROOT_PASSWORD
      log "GENERATED ROOT PASSWORD: $MARIADB_ROOT_PASSWORD"
    fi

    log "initialising $datadir"
    mariadb-install-db --datadir="$datadir" --skip-test-db --auth-root-authentication-method=normal \
      --skip-name-resolve >/dev/null
    mariadbd --skip-networking --socket="$socket" --datadir="$datadir" --default-time-zone=SYSTEM \
      --expire-logs-days=0 --loose-innodb_buffer_pool_load_at_startup=0 &
    pid=$!
    for _ in $(seq 1 60); do
      mariadb --protocol=socket --socket="$socket" -uroot -e 'SELECT 1' >/dev/null 2>&1 && break
      sleep 0.5
    done

    hc_password="$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
    root_pw="$(sql_escape "$MARIADB_ROOT_PASSWORD")"
    {
      echo "SET @@SESSION.SQL_LOG_BIN=0;"
      echo "DELETE FROM mysql.global_priv WHERE user NOT IN ('mysql.sys', 'mariadb.sys', 'root') OR host NOT IN ('localhost');"
      echo "SET PASSWORD FOR 'root'@'localhost' = PASSWORD('$root_pw');"
      if [ -n "$MARIADB_ROOT_HOST" ] && [ "$MARIADB_ROOT_HOST" != "localhost" ]; then
        echo "CREATE USER 'root'@'$MARIADB_ROOT_HOST' IDENTIFIED BY '$root_pw';"
        echo "GRANT ALL ON *.* TO 'root'@'$MARIADB_ROOT_HOST' WITH GRANT OPTION;"
      fi
      echo "CREATE USER 'healthcheck'@'localhost' IDENTIFIED BY '$hc_password';"
      echo "GRANT USAGE ON *.* TO 'healthcheck'@'localhost';"
      if [ -n "$MARIADB_DATABASE" ]; then
        echo "CREATE DATABASE IF NOT EXISTS \`$MARIADB_DATABASE\`;"
      fi
      if [ -n "$MARIADB_USER" ] && [ -n "$MARIADB_PASSWORD" ]; then
        echo "CREATE USER '$MARIADB_USER'@'%' IDENTIFIED BY '$(sql_escape "$MARIADB_PASSWORD")';"
        [ -n "$MARIADB_DATABASE" ] && echo "GRANT ALL ON \`$MARIADB_DATABASE\`.* TO '$MARIADB_USER'@'%';"
      fi
      echo "FLUSH PRIVILEGES;"
    } | mariadb --protocol=socket --socket="$socket" -uroot
    # Time zone tables, as the official image loads them (CONVERT_TZ needs them) unless told to skip.
    if [ -z "${MARIADB_INITDB_SKIP_TZINFO:-}" ]; then
      mariadb-tzinfo-to-sql /usr/share/zoneinfo 2>/dev/null \
        | MYSQL_PWD="$MARIADB_ROOT_PASSWORD" mariadb --protocol=socket --socket="$socket" -uroot mysql
    fi
    printf '[mariadb-client]\nuser=healthcheck\npassword="%s"\nsocket=%s\nprotocol=socket\n' \
      "$hc_password" "$socket" >"$datadir/.my-healthcheck.cnf"
    chmod 0600 "$datadir/.my-healthcheck.cnf"

    for f in /docker-entrypoint-initdb.d/*; do
      [ -e "$f" ] || continue
      case "$f" in
        *.sh)
          log "running $f"
          if [ -x "$f" ]; then "$f"; else . "$f"; fi ;;
        *.sql)
          log "running $f"
          MYSQL_PWD="$MARIADB_ROOT_PASSWORD" mariadb --protocol=socket --socket="$socket" -uroot ${MARIADB_DATABASE:+"$MARIADB_DATABASE"} <"$f" ;;
        *.sql.gz)
          log "running $f"
          gunzip -c "$f" | MYSQL_PWD="$MARIADB_ROOT_PASSWORD" mariadb --protocol=socket --socket="$socket" -uroot ${MARIADB_DATABASE:+"$MARIADB_DATABASE"} ;;
        *) log "ignoring $f" ;;
      esac
    done

    kill "$pid"
    wait "$pid" || true
    log "initialised; starting server"
  fi
  exec "$@"
fi

exec "$@"
