-- core.ocds_releases: every contracting process of core as an OCDS 1.1 compiled release (a VIEW).
-- What: the mapping rules from core to OCDS, once: macros (ids, statuses, amounts, dates), the
-- views core.ocds_release_rows (one row per core.processes row: each release-level field as
-- OCDS has it) and core.ocds_bid_rows (one row per bids.details entry, in document order idx),
-- and the view core.ocds_releases (source, kind, source_id, ocid, region, year, release JSON)
-- that assembles them: tender, bids.details (bid extension) with statuses, awards, contracts,
-- parties, planning (RUP). A process that came in as OCDS (source 'ocds') keeps its
-- publisher's compiled release as is (core.ocds_releases_in).
-- Why: `pantau export ocds` writes the view (computed on demand: its ordered list/JSON
-- aggregates need ~9 GB at 1M processes and do not spill, so no night builds them); the
-- nightly Cardinal indicators read the same rows without the JSON
-- (sql/indicators/106_cardinal_from_core.sql), so the export and the flags cannot drift.
-- Source: OCDS 1.1 release schema and the bid extension (tests/schema/); mapping choices for SPSE:
-- * ocid = 'ocds-pantau-' || kind || '-' || source_id (pantau's prefix; not registered with OCP);
-- * buyer = the K/L/PD (kd_klpd); tender.procuringEntity = the satuan kerja (kd_satker);
-- * procurementMethod: Tender*/Seleksi* -> open, Penunjukan Langsung -> limited, everything else
--   (Pengadaan Langsung, e-purchasing, swakelola, darurat) -> direct; procurementMethodDetails =
--   the method as published (Cardinal's per-method settings key on it);
-- * tender.numberOfTenderers = participants who submitted an offer (n_bids), not registrations;
-- * tender.tenderPeriod = the schedule stage "upload dokumen penawaran" (core.schedule);
-- * bids.details: every registered participant (core.bids rows of the process's own source),
--   ordered by participant id; status: invited when it never submitted an
--   offer; disqualified when SPSE's evaluation says it failed a stage (a passed_* is false);
--   valid when it passed every published stage, or when the tender is finished and no
--   evaluation is published (ISB: no passed_* at all, so every offer of a finished tender is
--   valid: Cardinal's disqualification indicators R035/R036/R038 cannot fire on ISB-only data);
--   pending while the tender is ongoing;
-- * organisation ids: 'IDN-NPWP-' || the 15-digit NPWP when known, else 'pantau-penyedia-' ||
--   the SPSE kd_penyedia, else (a winner known only by name) 'pantau-name-' || a hash of the
--   name; buyers 'pantau-klpd-' || kd_klpd, work units 'pantau-satker-' || code;
-- * one award when a supplier, a contract value or an award date is known: cancelled when the
--   tender is cancelled or unsuccessful, else active; its supplier is the process's supplier,
--   else the winning participant (the smallest id if several).
-- Amounts are IDR; dates are RFC 3339 with the +07:00 (WIB) offset; the release date is the
-- award date, else the announcement, else the build's run date (OCDS requires one; kept in
-- core.ocds_run_date, since a view cannot see the night's variables).
CREATE OR REPLACE MACRO core.ocds_date(ts) AS
    strftime(timezone('Asia/Jakarta', ts), '%Y-%m-%dT%H:%M:%S') || '+07:00';
CREATE OR REPLACE MACRO core.ocds_amount(v) AS CAST(v AS DOUBLE);
CREATE OR REPLACE MACRO core.ocds_currency(v) AS CASE WHEN v IS NOT NULL THEN 'IDR' END;
CREATE OR REPLACE MACRO core.ocds_value(v) AS CASE WHEN v IS NOT NULL
    THEN json_object('amount', core.ocds_amount(v), 'currency', core.ocds_currency(v)) END;
CREATE OR REPLACE MACRO core.ocds_ocid(kind, source_id) AS 'ocds-pantau-' || kind || '-' || source_id;
CREATE OR REPLACE MACRO core.ocds_buyer_id(kd_klpd) AS 'pantau-klpd-' || kd_klpd;
CREATE OR REPLACE MACRO core.ocds_satker_id(kd_satker) AS 'pantau-satker-' || kd_satker;
CREATE OR REPLACE MACRO core.ocds_org_id(npwp, supplier_id) AS CASE
    WHEN npwp IS NOT NULL THEN 'IDN-NPWP-' || npwp
    WHEN supplier_id IS NOT NULL THEN 'pantau-penyedia-' || supplier_id
    END;
CREATE OR REPLACE MACRO core.ocds_name_id(name) AS CASE
    WHEN name IS NOT NULL THEN 'pantau-name-' || md5(lower(core.squash(name)))[:12] END;
CREATE OR REPLACE MACRO core.ocds_method(m) AS CASE
    WHEN lower(m) LIKE 'tender%' OR lower(m) LIKE 'seleksi%' THEN 'open'
    WHEN lower(m) LIKE 'penunjukan langsung%' THEN 'limited'
    ELSE 'direct'
    END;
CREATE OR REPLACE MACRO core.ocds_category(c) AS CASE
    WHEN lower(c) LIKE '%barang%' THEN 'goods'
    WHEN lower(c) LIKE '%konstruksi%' THEN 'works'
    WHEN lower(c) LIKE '%jasa%' THEN 'services'
    END;
CREATE OR REPLACE MACRO core.ocds_tender_status(s) AS CASE
    WHEN lower(s) LIKE '%gagal%' THEN 'unsuccessful'
    WHEN core.status_class(s) = 'failed' THEN 'cancelled'
    WHEN core.status_class(s) = 'finished' THEN 'complete'
    ELSE 'active'
    END;
CREATE OR REPLACE MACRO core.ocds_bid_status(is_bid, adm, tech, price, qual, tender_status) AS CASE
    WHEN NOT is_bid THEN 'invited'
    WHEN false IN (adm, tech, price, qual) THEN 'disqualified'
    WHEN adm AND tech AND price AND qual THEN 'valid'
    WHEN tender_status IN ('complete') THEN 'valid'
    ELSE 'pending'
    END;
CREATE OR REPLACE MACRO core.ocds_award_status(tender_status) AS
    CASE WHEN tender_status IN ('cancelled', 'unsuccessful') THEN 'cancelled' ELSE 'active' END;

CREATE OR REPLACE TABLE core.ocds_run_date AS
SELECT CAST(getvariable('run_date') AS TIMESTAMPTZ) AS run_date;

-- tender.status of each status text in core.processes (a handful of texts: mapped once each).
CREATE OR REPLACE VIEW core.ocds_tender_statuses AS
SELECT status, core.ocds_tender_status(status) AS tender_status
FROM (SELECT DISTINCT status FROM core.processes);

-- One row per bids.details entry of a release built from core (kind 'tender'; the bids of the
-- process's own source); idx = its 0-based position in the release's bids.details.
CREATE OR REPLACE VIEW core.ocds_bid_rows AS
WITH b AS (
    SELECT b.source, b.source_id, core.ocds_ocid(p.kind, p.source_id) AS ocid,
        b.participant_id,
        core.ocds_bid_status(b.is_bid, b.passed_administration, b.passed_technical,
                             b.passed_price, b.passed_qualification, s.tender_status) AS status,
        core.ocds_org_id(b.supplier_npwp, b.supplier_id) AS org_id,
        b.supplier_name, b.supplier_npwp, b.offer_value, b.is_winner
    FROM core.bids b
    JOIN core.processes p ON p.kind = 'tender' AND p.source_id = b.source_id AND p.source = b.source
    JOIN core.ocds_tender_statuses s ON s.status IS NOT DISTINCT FROM p.status
)
SELECT *,
    -- Ties on participant_id are broken on everything a details entry shows: a stable order.
    row_number() OVER (PARTITION BY source_id ORDER BY participant_id, org_id, supplier_name,
                                                       offer_value, status) - 1 AS idx
FROM b;

-- One row per core.processes row: the release-level fields, as the release shows them.
CREATE OR REPLACE VIEW core.ocds_release_rows AS
WITH p AS (
    SELECT p.*, core.ocds_ocid(p.kind, p.source_id) AS ocid, s.tender_status
    FROM core.processes p
    JOIN core.ocds_tender_statuses s ON s.status IS NOT DISTINCT FROM p.status
),
period AS (
    SELECT source_id, min(starts_at) AS starts_at, max(ends_at) AS ends_at
    FROM core.schedule WHERE stage = 'upload dokumen penawaran' GROUP BY source_id
),
bids AS (
    SELECT source, source_id, count(*) AS n_details,
        min(core.ocds_org_id(supplier_npwp, supplier_id)) FILTER (WHERE is_winner) AS winner_id,  -- min: stable if listed twice
        min(supplier_name) FILTER (WHERE is_winner) AS winner_name
    FROM core.bids GROUP BY source, source_id
),
r AS (
    SELECT p.*,
        coalesce(core.ocds_org_id(p.supplier_npwp, NULL), d.winner_id,
                 core.ocds_name_id(p.supplier_name)) AS award_supplier_id,
        coalesce(p.supplier_name, d.winner_name) AS award_supplier_name,
        d.n_details, pe.starts_at AS period_start, pe.ends_at AS period_end
    FROM p
    LEFT JOIN bids d ON p.kind = 'tender' AND d.source = p.source AND d.source_id = p.source_id
    LEFT JOIN period pe ON p.kind = 'tender' AND pe.source_id = p.source_id
)
SELECT *,
    CASE WHEN kd_klpd IS NOT NULL THEN core.ocds_buyer_id(kd_klpd) END AS buyer_id,
    CASE WHEN kd_satker IS NOT NULL THEN core.ocds_satker_id(kd_satker) END AS procuring_entity_id,
    core.ocds_method(method) AS procurement_method,
    -- tender.numberOfTenderers (a JSON integer)
    n_bids AS number_of_tenderers,
    CASE WHEN period_start IS NOT NULL OR period_end IS NOT NULL THEN true END AS has_tender_period,
    core.ocds_date(period_start) AS tender_period_start,
    core.ocds_date(period_end) AS tender_period_end,
    -- bids.details is present (possibly empty)
    n_details IS NOT NULL OR n_participants = 0 AS has_bid_details,
    award_supplier_id IS NOT NULL OR contract_value IS NOT NULL OR awarded_at IS NOT NULL
        AS has_award,
    core.ocds_award_status(tender_status) AS award_status
FROM r;

CREATE OR REPLACE VIEW core.ocds_releases AS
WITH r AS (SELECT * FROM core.ocds_release_rows),
bid_details AS (
    SELECT source_id,
        list(json_object(
            'id', participant_id,
            'status', status,
            'tenderers', CASE WHEN org_id IS NOT NULL
                THEN [json_object('id', org_id, 'name', supplier_name)] END,
            'value', core.ocds_value(offer_value)
        ) ORDER BY idx) AS details,
        list(DISTINCT {'id': org_id, 'name': supplier_name, 'npwp': supplier_npwp})
            FILTER (WHERE org_id IS NOT NULL) AS tenderers
    FROM core.ocds_bid_rows
    GROUP BY source_id
),
rt AS (
    SELECT r.*, d.details, d.tenderers
    FROM r LEFT JOIN bid_details d ON r.kind = 'tender' AND d.source_id = r.source_id
),
parties AS (
    SELECT ocid, list(party ORDER BY ord, party ->> 'id') AS parties FROM (
        SELECT ocid, 0 AS ord, json_object('id', buyer_id, 'name', klpd_name,
            'roles', ['buyer']) AS party
        FROM rt WHERE buyer_id IS NOT NULL
        UNION ALL
        SELECT ocid, 1, json_object('id', procuring_entity_id, 'name', satker_name,
            'roles', ['procuringEntity'])
        FROM rt WHERE procuring_entity_id IS NOT NULL
        UNION ALL
        SELECT ocid, 2, json_object('id', t.id, 'name', t.name,
            'roles', CASE WHEN t.id = rt.award_supplier_id THEN ['tenderer', 'supplier'] ELSE ['tenderer'] END,
            'identifier', CASE WHEN t.npwp IS NOT NULL
                THEN json_object('scheme', 'ID-NPWP', 'id', t.npwp) END)
        FROM rt, unnest(rt.tenderers) AS u(t)
        UNION ALL
        SELECT ocid, 3, json_object('id', award_supplier_id, 'name', award_supplier_name,
            'roles', ['supplier'],
            'identifier', CASE WHEN supplier_npwp IS NOT NULL
                THEN json_object('scheme', 'ID-NPWP', 'id', supplier_npwp) END)
        FROM rt
        WHERE award_supplier_id IS NOT NULL
            AND NOT list_contains(coalesce(list_transform(rt.tenderers, lambda t: t.id), []), award_supplier_id)
    ) GROUP BY ocid
)
SELECT r.source, r.kind, r.source_id, r.ocid, r.kd_klpd AS region, r.year,
    CASE WHEN r.source = 'ocds' THEN o.r ELSE json_strip_nulls(json_object(
        'ocid', r.ocid,
        'id', r.ocid || '-compiled',
        'date', core.ocds_date(coalesce(r.awarded_at, r.announced_at,
                                        (SELECT run_date FROM core.ocds_run_date))),
        'tag', ['compiled'],
        'initiationType', 'tender',
        'language', 'id',
        'parties', parties.parties,
        'buyer', CASE WHEN r.buyer_id IS NOT NULL
            THEN json_object('id', r.buyer_id, 'name', r.klpd_name) END,
        'planning', CASE WHEN r.kd_rup IS NOT NULL OR r.pagu IS NOT NULL THEN json_object(
            'budget', json_object('id', r.kd_rup, 'description', 'SiRUP RUP ' || r.kd_rup,
                                  'amount', core.ocds_value(r.pagu))) END,
        'tender', json_object(
            'id', r.source_id,
            'title', r.title,
            'status', r.tender_status,
            'procuringEntity', CASE WHEN r.procuring_entity_id IS NOT NULL
                THEN json_object('id', r.procuring_entity_id, 'name', r.satker_name) END,
            'value', core.ocds_value(r.hps),
            'procurementMethod', r.procurement_method,
            'procurementMethodDetails', r.method,
            'mainProcurementCategory', core.ocds_category(r.category),
            'numberOfTenderers', r.number_of_tenderers,
            'tenderPeriod', CASE WHEN r.has_tender_period
                THEN json_object('startDate', r.tender_period_start,
                                 'endDate', r.tender_period_end) END,
            'datePublished', core.ocds_date(r.announced_at)),
        'bids', CASE WHEN r.has_bid_details
            THEN json_object('details', coalesce(r.details, []::JSON[])) END,
        'awards', CASE WHEN r.has_award
            THEN [json_object(
                'id', r.ocid || '-award',
                'status', r.award_status,
                'date', core.ocds_date(r.awarded_at),
                'value', core.ocds_value(r.contract_value),
                'suppliers', CASE WHEN r.award_supplier_id IS NOT NULL THEN [json_object(
                    'id', r.award_supplier_id, 'name', r.award_supplier_name)] END)] END,
        'contracts', CASE WHEN r.contract_value IS NOT NULL AND r.award_supplier_id IS NOT NULL
            THEN [json_object(
                'id', r.ocid || '-contract',
                'awardID', r.ocid || '-award',
                'value', core.ocds_value(r.contract_value))] END
    )) END AS release
FROM rt AS r
LEFT JOIN parties USING (ocid)
-- A publisher's release: the process core.ocds_releases_in maps it to (pantau's own ocids
-- give back kind and source_id, so the ocid is not always the source_id).
LEFT JOIN core.ocds_releases_in o ON r.source = 'ocds' AND o.kind = r.kind AND o.source_id = r.source_id;
