-- core.cardinal_processes was a table of older builds; the nightly Cardinal input is now the
-- TEMP table temp.cardinal_processes of the build's connection (sql/indicators/100_cardinal.sql).
DROP TABLE IF EXISTS core.cardinal_processes;
