-- Cardinal, last step: one value per (group, id, indicator), as Cardinal's result map holds it.
-- What: when an id is flagged from several releases (or an ocid repeats), the value of the last
-- release in input order wins, as Cardinal's map insertions do.
-- Source: ../shared/indicators.md §1.2 "Output".
-- creates: core.cardinal_result
-- depends: core.cardinal_results
CREATE OR REPLACE TABLE core.cardinal_result AS
SELECT grp, id, code, arg_max(value, coalesce(line_no, -1)) AS value
FROM core.cardinal_results
GROUP BY grp, id, code;
