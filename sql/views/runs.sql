-- view runs: what each nightly run fetched, landed and failed, per dataset, region and year.
-- Why: an analyst must know how fresh the data is and what is missing before publishing.
-- Source: ops.runs, written by the loader in the same transaction as the data.
-- column run_id: the nightly run
-- column source: source name
-- column dataset: dataset name; SPSE's detail/{list}/{page} rows count that night's detail pages of one kind quarantined for their layout or values (n_records 0)
-- column region: region label (K/L/PD code or SPSE slug)
-- column year: budget year
-- column started_at: when the fetch started, WIB
-- column finished_at: when the landing finished, WIB
-- column status: ok, failed, skipped or shrank (an answer held back by the shrinkage guard, [run] max_shrink: see quarantine)
-- column n_records: records received
-- column n_new: records new to pantau
-- column n_changed: records whose content changed
-- column n_quarantined: records set aside with a reason (see quarantine)
-- column error: why it failed (secrets redacted)
-- column n_requests: SPSE: requests the fetch made, counted against [sources.spse] max_requests_per_night
-- column n_deferred: SPSE detail rows: packages due a detail fetch that did not fit the night's request budget, carried over to the next night
-- depends: ops.runs
CREATE OR REPLACE VIEW main.runs AS
SELECT run_id, source, dataset, region, year,
    timezone('Asia/Jakarta', started_at) AS started_at,
    timezone('Asia/Jakarta', finished_at) AS finished_at,
    status, n_records, n_new, n_changed, n_quarantined, error, n_requests, n_deferred
FROM ops.runs;
