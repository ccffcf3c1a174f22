-- core.ocds_run_date: the night's run date, for the release date of a process with no award or
-- announcement date (OCDS requires one; a view cannot see the night's variables).
-- creates: core.ocds_run_date
-- depends:
CREATE OR REPLACE TABLE core.ocds_run_date AS
SELECT CAST(getvariable('run_date') AS TIMESTAMPTZ) AS run_date;
