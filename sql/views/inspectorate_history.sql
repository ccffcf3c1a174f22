-- view inspectorate_history: the e-pengaduan PBJ status of each inspectorate over time, as intervals, per register.
-- Why: shows exactly when a status changed and on what evidence; two registers that disagree each keep their own rows.
-- Source: core.inspectorate_intervals (sql/core/750_inspectorates.sql) over every observation ever landed.
-- Consecutive observations with the same status are one interval; an interval ends the day a
-- different status was first observed by the same register.
-- column inspectorate: the inspectorate's name
-- column inspectorate_id: pantau's key for it (the normalised region name)
-- column kd_klpd: the region's K/L/PD code where the register gives one
-- column source: the register that observed it
-- column status: joined, not_joined or unknown
-- column valid_from: first day this status was observed (the checked_on of that row)
-- column valid_to: day a different status was first observed; empty for the current status
-- column evidence_url: evidence of the observation that started the interval
-- column note: the register's note on that observation
-- column last_checked_on: latest re-check within the interval
-- column last_evidence_url: evidence of that latest re-check
-- column n_observations: observations in the interval
-- column previous_status: the status of the interval before (empty for the first)
-- column recorded_at: when pantau first landed an observation of the interval, WIB
-- depends: core.inspectorate_intervals
CREATE OR REPLACE VIEW main.inspectorate_history AS
SELECT inspectorate, inspectorate_id, kd_klpd, source, status, valid_from, valid_to,
    evidence_url, note, last_checked_on, last_evidence_url, n_observations, previous_status,
    timezone('Asia/Jakarta', recorded_at) AS recorded_at
FROM core.inspectorate_intervals
ORDER BY inspectorate_id, source, valid_from;
