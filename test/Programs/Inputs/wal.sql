.bail on
PRAGMA journal_mode=WAL;
CREATE TABLE t(a);
INSERT INTO t VALUES (1), (2);
BEGIN;
INSERT INTO t SELECT a + 10 FROM t;
COMMIT;
SELECT sum(a), count(*) FROM t;
PRAGMA integrity_check;
PRAGMA wal_checkpoint(TRUNCATE);
SELECT sum(a) FROM t;
