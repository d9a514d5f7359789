-- Run by MariaDB at every start (init_file in 60-sem.cnf), with full rights. The Grafana account may hold
-- at most 10 connections and run no statement longer than 30 s, so a heavy dashboard cannot starve the
-- ingest API's connections or lock up the server. The same limits as READONLY_USER_LIMITS in db/src/grants.ts.
ALTER USER IF EXISTS 'sem_grafana'@'%' WITH MAX_USER_CONNECTIONS 10 MAX_STATEMENT_TIME 30;
