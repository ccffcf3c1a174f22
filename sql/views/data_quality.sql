-- view data_quality: the data-quality annex, per source and dataset: the coverage of each field, the freshness of the data, and consistency checks.
-- Why: a flag or metric is only as good as the fields it reads; an analyst must see which fields a source fills, how old its newest record is, and which records contradict themselves, before citing a number.
-- Source: core.field_coverage (sql/indicators/970_field_coverage.sql: the ISB raw tables of the processes, coverage as OCP Cardinal's coverage counts it, a field is present when it is not null and not an empty string, array or object), core.processes (freshness of the newest record, consistency checks as OCP Pelican runs them where they apply), raw NPWP fields (NPWP length), ops.runs (last landed answer).
-- column source: isb, spse, ocds, ...
-- column dataset: coverage: the source's dataset; freshness and checks: the process kind (tender, non_tender, ...) or the dataset of the NPWP fields
-- column measure: coverage (a field's presence), freshness (days), or check (records failing a consistency check)
-- column item: coverage: the source's field name; freshness: newest_record (days from the newest announcement to the last landed answer) or since_landed (days from the last landed answer to today, WIB); check: award_before_tender (tenders and non-tenders: winner determined before the announcement), contract_above_hps, negative_amount, absurd_amount (above Rp100 T) or npwp_not_15_16_digits
-- column n_records: coverage and checks: the records looked at
-- column n: coverage: records with the field present; check: records failing it; freshness: the days
-- column share: n / n_records (coverage: the field's coverage; check: the share failing)
-- column newest: freshness: the date of the newest record or landed answer
-- depends: core.field_coverage, core.processes, ops.runs, raw.isb_non_tender_selesai,
--   raw.isb_tender_selesai_nilai, core.wib_day
-- test not_null: data_quality(source, dataset, measure, item)
-- test accepted_values: data_quality(measure) in ('coverage', 'freshness', 'check')
CREATE OR REPLACE VIEW main.data_quality AS
WITH coverage AS (
    SELECT source, dataset, 'coverage' AS measure, field AS item, n_records, n
    FROM core.field_coverage
),
landed AS (
    SELECT source, max(finished_at) AS landed_at FROM ops.runs WHERE status = 'ok' GROUP BY ALL
),
freshness AS (
    SELECT p.source, p.kind AS dataset, 'freshness' AS measure, 'newest_record' AS item,
        NULL::BIGINT AS n_records,
        date_diff('day', core.wib_day(max(p.announced_at)),
                  core.wib_day(any_value(l.landed_at))) AS n,
        core.wib_day(max(p.announced_at)) AS newest
    FROM core.processes p LEFT JOIN landed l USING (source)
    GROUP BY ALL
    UNION ALL
    SELECT source, '*', 'freshness', 'since_landed', NULL,
        date_diff('day', core.wib_day(landed_at), core.wib_day(now())),
        core.wib_day(landed_at)
    FROM landed
),
checks AS (
    SELECT source, kind AS dataset, 'check' AS measure, u.item, count(*) AS n_records,
        count(*) FILTER (WHERE u.failing) AS n
    FROM core.processes,
        LATERAL (VALUES
            -- the tender's dates: recorded packages' announced_at is their start
            ('award_before_tender', awarded_at < announced_at AND kind IN ('tender', 'non_tender')),
            ('contract_above_hps', contract_value > hps AND hps > 0),
            ('negative_amount', least(pagu, hps, contract_value) < 0),
            ('absurd_amount', greatest(pagu, hps, contract_value) > 1e14)
        ) AS u(item, failing)
    GROUP BY ALL
    UNION ALL
    SELECT 'isb', dataset, 'check', 'npwp_not_15_16_digits', count(*),
        count(*) FILTER (WHERE length(regexp_replace(npwp, '\D', '', 'g')) NOT IN (15, 16))
    FROM (SELECT 'SPSE-TenderSelesaiNilai' AS dataset, payload ->> 'npwp_penyedia' AS npwp
          FROM raw.isb_tender_selesai_nilai
          UNION ALL SELECT 'SPSE-NonTenderSelesai', payload ->> 'npwp_penyedia'
          FROM raw.isb_non_tender_selesai)
    WHERE npwp IS NOT NULL AND npwp <> ''
    GROUP BY ALL
)
SELECT source, dataset, measure, item, n_records, n,
    round(n / nullif(n_records, 0), 4) AS share, NULL::DATE AS newest
FROM coverage
UNION ALL
SELECT source, dataset, measure, item, n_records, n, NULL, newest FROM freshness
UNION ALL
SELECT source, dataset, measure, item, n_records, n, round(n / nullif(n_records, 0), 4), NULL
FROM checks
ORDER BY source, measure, dataset, item;
