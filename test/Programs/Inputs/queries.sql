-- Tables, a recursive CTE, indexes, aggregates, JSON, math functions, transactions.
create table t(id integer primary key, name text, v real);
with recursive c(x) as (select 1 union all select x + 1 from c where x < 20000)
  insert into t(name, v) select 'n' || x, x * 1.5 from c;
create index ti on t(name);
select count(*), sum(v), avg(v), max(name) from t;
select name, v from t where name like 'n1999%' order by v desc limit 3;
begin;
delete from t where id % 3 = 0;
rollback;
select count(*) from t;
select json_object('a', 1, 'b', json_array(1, 2, 3));
select printf('%.3f', pi()), sqrt(2), upper('unikernel'), length(randomblob(16));
select group_concat(name, ';') from (select name from t order by v limit 5);
pragma integrity_check;
.mode box
select id, name from t where id < 4;
