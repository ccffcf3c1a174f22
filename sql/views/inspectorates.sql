-- view inspectorates: each inspectorate (APIP) in the integration registers, with its current e-pengaduan PBJ status.
-- Why: the advocacy question "has Inspektorat X joined LKPP's e-pengaduan PBJ yet?", with the evidence.
-- Source: core.inspectorate_observations and core.inspectorate_intervals (sql/core/750_inspectorates.sql).
-- The status is that of the most recent joined / not_joined observation over all registers
-- ('unknown' only when no register knows); registers that currently disagree are flagged and
-- each register's own status is listed in `by_source`, so nothing is overwritten.
-- column inspectorate: the inspectorate's name as the latest observation writes it
-- column inspectorate_id: pantau's key for it: the region name normalised ('kota semarang'); registers are matched on it
-- column kd_klpd: the region's K/L/PD code where a register gives one (empty while the real code is not known)
-- column status: joined, not_joined or unknown (joined = integrated with LKPP's e-pengaduan PBJ)
-- column since: first day the current status was observed by the register that gives it
-- column checked_on: the most recent day that register checked it
-- column evidence_url: the evidence of the change to the current status
-- column last_evidence_url: the evidence of that register's most recent check
-- column source: the register the status comes from
-- column disagreement: true when the registers' current known statuses differ
-- column by_source: each register's current status and last check, e.g. 'pattiro: not_joined (2025-07-04)'
-- column n_observations: observations of this inspectorate over all registers
-- depends: core.inspectorate_intervals, core.inspectorate_observations
CREATE OR REPLACE VIEW main.inspectorates AS
WITH current_per_source AS (
    SELECT * FROM core.inspectorate_intervals WHERE valid_to IS NULL
), known AS (
    SELECT * FROM current_per_source WHERE status <> 'unknown'
), pick AS (
    SELECT inspectorate_id,
        arg_max(source, (last_checked_on, recorded_at)) AS source
    FROM (SELECT * FROM known UNION ALL
          SELECT * FROM current_per_source
          WHERE inspectorate_id NOT IN (SELECT inspectorate_id FROM known))
    GROUP BY inspectorate_id
), summary AS (
    SELECT inspectorate_id,
        count(DISTINCT status) FILTER (WHERE status <> 'unknown') > 1 AS disagreement,
        string_agg(source || ': ' || status || ' (' || last_checked_on || ')', '; '
                   ORDER BY source) AS by_source,
        max(kd_klpd) AS kd_klpd
    FROM current_per_source
    GROUP BY inspectorate_id
), counts AS (
    SELECT inspectorate_id, count(*) AS n_observations
    FROM core.inspectorate_observations GROUP BY inspectorate_id
)
SELECT c.inspectorate, c.inspectorate_id, s.kd_klpd, c.status, c.valid_from AS since,
    c.last_checked_on AS checked_on, c.evidence_url, c.last_evidence_url, c.source, s.disagreement, s.by_source,
    n.n_observations
FROM pick p
JOIN current_per_source c USING (inspectorate_id, source)
JOIN summary s USING (inspectorate_id)
JOIN counts n USING (inspectorate_id)
ORDER BY c.inspectorate_id;
