-- Cardinal's input rows were core tables of older builds: one row per process, bid and award,
-- written to the warehouse every night and read by nothing after the build. They are now TEMP
-- tables of the build's connection (sql/indicators/100_cardinal.sql, 105_cardinal_flatten.sql),
-- which cost a quarter as much to write (issue 18).
DROP TABLE IF EXISTS core.cardinal_releases;
DROP TABLE IF EXISTS core.cardinal_rel;
DROP TABLE IF EXISTS core.cardinal_bids;
DROP TABLE IF EXISTS core.cardinal_awards;
