.bail on
CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT);
BEGIN;
INSERT INTO t(b) VALUES ('one'), ('two'), ('three');
COMMIT;
BEGIN;
INSERT INTO t(b) VALUES ('rolled back');
ROLLBACK;
INSERT INTO t(b) SELECT b || '!' FROM t;
CREATE INDEX tb ON t(b);
SELECT count(*), group_concat(b) FROM t;
PRAGMA journal_mode;
PRAGMA integrity_check;
