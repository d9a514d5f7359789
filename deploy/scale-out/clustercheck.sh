#!/usr/bin/env bash
# HTTP health for HAProxy (run by socat per connection): 200 only while the node on port $1 is Synced
# (wsrep_local_state 4). A TCP or login check would pass while the node is still joining.
read -r -t 1 _ || true
st=$(mariadb --no-defaults -h127.0.0.1 -P"$1" -uhaproxy_check --connect-timeout=1 -N \
  -e "SHOW GLOBAL STATUS LIKE 'wsrep_local_state'" 2>/dev/null | awk '{print $2}')
if [ "$st" = 4 ]; then c="200 OK"; b=synced; else c="503 Service Unavailable"; b=no; fi
printf 'HTTP/1.1 %s\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s' "$c" ${#b} "$b"
