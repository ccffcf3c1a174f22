-- core.status_classes: the class (core.status_class) of each status text in core.processes.
-- Why: a handful of texts, each matched against the class patterns once; the checks, the
-- metrics and the tenders view join a process's class here instead of matching 1M rows per query
-- (0.12 s each at 1M processes). A table, not a view: a view's class filter would be pushed below
-- its DISTINCT and match every row again.
-- creates: core.status_classes
-- depends: core.processes, core.status_class
CREATE OR REPLACE TABLE core.status_classes AS
SELECT status, core.status_class(status) AS status_class
FROM (SELECT DISTINCT status FROM core.processes);
