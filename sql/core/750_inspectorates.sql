-- core.inspectorate_observations / _intervals / _current: the integration register as history.
-- Why: whether an inspectorate (APIP) has joined LKPP's e-pengaduan PBJ is known only from
-- registers people keep (../shared/sources.md §4); every observation is kept in
-- raw.inspectorate_register (keyed by register, inspectorate, checked_on and content), and the
-- status of an inspectorate is read from them, per register, so that two registers that disagree
-- are both visible.
-- Source: raw.inspectorate_register (connectors/inspectorates.py); rejected rows never get here.
-- These are views, not tables: the inspectorate flow (every 6 hours) and the alert rules read
-- them between nightly builds (flows/inspectorate_steps.py runs this file before using them).
-- The three views stay in one file: the inspectorate flow runs exactly this file between
-- nightly builds, and each view is the previous one refined.
-- creates: core.inspectorate_observations, core.inspectorate_intervals,
--   core.inspectorate_known_status
-- depends: raw.inspectorate_register

-- One observation per (register, inspectorate, checked_on): a corrected row replaces the one it
-- corrects (the latest landed wins); different days are different observations.
CREATE OR REPLACE VIEW core.inspectorate_observations AS
SELECT payload ->> 'source' AS source,
    payload ->> 'inspectorate_id' AS inspectorate_id,
    payload ->> 'inspectorate' AS inspectorate,
    nullif(payload ->> 'kd_klpd', '') AS kd_klpd,
    payload ->> 'status' AS status,
    payload ->> 'evidence_url' AS evidence_url,
    CAST(payload ->> 'checked_on' AS DATE) AS checked_on,
    payload ->> 'note' AS note,
    fetched_at, run_id, key
FROM raw.inspectorate_register
QUALIFY row_number() OVER (
    PARTITION BY payload ->> 'source', payload ->> 'inspectorate_id', payload ->> 'checked_on'
    ORDER BY fetched_at DESC, key DESC) = 1;

-- Status intervals per (register, inspectorate): consecutive observations with the same status
-- form one interval [valid_from, valid_to); valid_to is the day the next status was observed,
-- null for the current one. The evidence is that of the interval's first observation (the one
-- that showed the change); last_evidence_url is that of its latest re-check.
CREATE OR REPLACE VIEW core.inspectorate_intervals AS
WITH marked AS (
    SELECT *, CASE WHEN lag(status) OVER w IS DISTINCT FROM status THEN 1 ELSE 0 END AS change
    FROM core.inspectorate_observations
    WINDOW w AS (PARTITION BY source, inspectorate_id ORDER BY checked_on)
), islands AS (
    SELECT *, sum(change) OVER (PARTITION BY source, inspectorate_id ORDER BY checked_on
                                ROWS UNBOUNDED PRECEDING) AS island
    FROM marked
), intervals AS (
    SELECT source, inspectorate_id, island, any_value(status) AS status,
        arg_max(inspectorate, checked_on) AS inspectorate,
        max(kd_klpd) AS kd_klpd,
        min(checked_on) AS valid_from,
        arg_min(evidence_url, checked_on) AS evidence_url,
        arg_min_null(note, checked_on) AS note,
        max(checked_on) AS last_checked_on,
        arg_max(evidence_url, checked_on) AS last_evidence_url,
        count(*) AS n_observations,
        min(fetched_at) AS recorded_at
    FROM islands
    GROUP BY source, inspectorate_id, island
)
SELECT source, inspectorate_id, inspectorate, kd_klpd, status, valid_from,
    lead(valid_from) OVER (PARTITION BY source, inspectorate_id ORDER BY valid_from) AS valid_to,
    evidence_url, note, last_checked_on, last_evidence_url, n_observations, recorded_at,
    lag(status) OVER (PARTITION BY source, inspectorate_id ORDER BY valid_from) AS previous_status
FROM intervals;

-- The current known status per (register, inspectorate), for the alert rule: 'unknown'
-- observations are history but do not end a known status (joined -> unknown -> joined is no
-- change), so intervals are recomputed over joined / not_joined observations only.
CREATE OR REPLACE VIEW core.inspectorate_known_status AS
WITH known AS (
    SELECT * FROM core.inspectorate_observations WHERE status IN ('joined', 'not_joined')
), marked AS (
    SELECT *, lag(status) OVER w AS previous_status, lag(checked_on) OVER w AS previous_checked_on,
        CASE WHEN lag(status) OVER w IS DISTINCT FROM status THEN 1 ELSE 0 END AS change
    FROM known
    WINDOW w AS (PARTITION BY source, inspectorate_id ORDER BY checked_on)
), islands AS (
    SELECT *, sum(change) OVER (PARTITION BY source, inspectorate_id ORDER BY checked_on
                                ROWS UNBOUNDED PRECEDING) AS island
    FROM marked
), last_island AS (
    SELECT * FROM islands
    QUALIFY island = max(island) OVER (PARTITION BY source, inspectorate_id)
)
SELECT source, inspectorate_id,
    arg_max(inspectorate, checked_on) AS inspectorate,
    max(kd_klpd) AS kd_klpd,
    any_value(status) AS status,
    min(checked_on) AS since,
    arg_min(evidence_url, checked_on) AS evidence_url,
    arg_min_null(previous_status, checked_on) AS previous_status,
    arg_min_null(previous_checked_on, checked_on) AS previous_checked_on,
    max(checked_on) AS last_checked_on
FROM last_island
GROUP BY source, inspectorate_id;
