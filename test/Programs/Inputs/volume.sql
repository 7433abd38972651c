-- volume.sql: a table written in one transaction and in single-statement ones (sqlite.test).
CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
INSERT INTO t(v) SELECT printf('row %d %s', i, hex(randomblob(20))) FROM n;
COMMIT;
INSERT INTO t(v) VALUES('one more');
UPDATE t SET v = 'changed' WHERE id % 100 = 0;
DELETE FROM t WHERE id % 7 = 0;
SELECT count(*), sum(id) FROM t;
