-- core.ocds_releases: every contracting process of core as an OCDS 1.1 compiled release.
-- What: one row per core.processes row (source, kind, source_id, ocid, region, year, release JSON):
-- tender, bids.details (bid extension) with statuses, awards, contracts, parties, planning (RUP).
-- A process that came in as OCDS (source 'ocds') keeps its publisher's compiled release as is.
-- Why: the Cardinal indicators (sql/indicators/1xx_cardinal_*.sql) and `pantau export ocds` read
-- OCDS; mapping once here makes both see the same data, for every source.
-- Source: OCDS 1.1 release schema and the bid extension (tests/schema/); mapping choices for SPSE:
-- * ocid = 'ocds-pantau-' || kind || '-' || source_id (pantau's prefix; not registered with OCP);
-- * buyer = the K/L/PD (kd_klpd); tender.procuringEntity = the satuan kerja (kd_satker);
-- * procurementMethod: Tender*/Seleksi* -> open, Penunjukan Langsung -> limited, everything else
--   (Pengadaan Langsung, e-purchasing, swakelola, darurat) -> direct; procurementMethodDetails =
--   the method as published (Cardinal's per-method settings key on it);
-- * tender.numberOfTenderers = participants who submitted an offer (n_bids), not registrations;
-- * tender.tenderPeriod = the schedule stage "upload dokumen penawaran" (core.schedule);
-- * bids.details: every registered participant; status: invited when it never submitted an
--   offer; disqualified when SPSE's evaluation says it failed a stage (a passed_* is false);
--   valid when it passed every published stage, or when the tender is finished and no
--   evaluation is published (ISB: no passed_* at all, so every offer of a finished tender is
--   valid: Cardinal's disqualification indicators R035/R036/R038 cannot fire on ISB-only data);
--   pending while the tender is ongoing;
-- * organisation ids: 'IDN-NPWP-' || the 15-digit NPWP when known, else 'pantau-penyedia-' ||
--   the SPSE kd_penyedia, else (a winner known only by name) 'pantau-name-' || a hash of the
--   name; buyers 'pantau-klpd-' || kd_klpd, work units 'pantau-satker-' || code.
-- Amounts are IDR; dates are RFC 3339 with the +07:00 (WIB) offset; the release date is the
-- award date, else the announcement, else the build's run date (OCDS requires one).
CREATE OR REPLACE MACRO core.ocds_date(ts) AS
    strftime(timezone('Asia/Jakarta', ts), '%Y-%m-%dT%H:%M:%S') || '+07:00';
CREATE OR REPLACE MACRO core.ocds_value(v) AS
    CASE WHEN v IS NOT NULL THEN json_object('amount', CAST(v AS DOUBLE), 'currency', 'IDR') END;
CREATE OR REPLACE MACRO core.ocds_org_id(npwp, supplier_id) AS CASE
    WHEN npwp IS NOT NULL THEN 'IDN-NPWP-' || npwp
    WHEN supplier_id IS NOT NULL THEN 'pantau-penyedia-' || supplier_id
    END;
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

CREATE OR REPLACE TABLE core.ocds_releases AS
WITH p AS (
    SELECT *, 'ocds-pantau-' || kind || '-' || source_id AS ocid,
        core.ocds_tender_status(status) AS tender_status
    FROM core.processes
),
period AS (
    SELECT source_id, min(starts_at) AS starts_at, max(ends_at) AS ends_at
    FROM core.schedule WHERE stage = 'upload dokumen penawaran' GROUP BY source_id
),
b AS (
    SELECT b.*, core.ocds_org_id(b.supplier_npwp, b.supplier_id) AS org_id
    FROM core.bids b
),
bid_details AS (
    SELECT b.source_id,
        list(json_object(
            'id', b.participant_id,
            'status', CASE
                WHEN NOT b.is_bid THEN 'invited'
                WHEN false IN (b.passed_administration, b.passed_technical, b.passed_price,
                               b.passed_qualification) THEN 'disqualified'
                WHEN b.passed_administration AND b.passed_technical AND b.passed_price
                     AND b.passed_qualification THEN 'valid'
                WHEN p.tender_status IN ('complete') THEN 'valid'
                ELSE 'pending' END,
            'tenderers', CASE WHEN b.org_id IS NOT NULL
                THEN [json_object('id', b.org_id, 'name', b.supplier_name)] END,
            'value', core.ocds_value(b.offer_value)
        ) ORDER BY b.participant_id) AS details,
        list(DISTINCT {'id': b.org_id, 'name': b.supplier_name, 'npwp': b.supplier_npwp})
            FILTER (WHERE b.org_id IS NOT NULL) AS tenderers,
        min(b.org_id) FILTER (WHERE b.is_winner) AS winner_id,  -- min: stable if listed twice
        min(b.supplier_name) FILTER (WHERE b.is_winner) AS winner_name
    FROM b JOIN p ON p.kind = 'tender' AND p.source_id = b.source_id AND p.source = b.source
    GROUP BY b.source_id
),
r AS (
    SELECT p.*, d.details, d.tenderers,
        coalesce(core.ocds_org_id(p.supplier_npwp, NULL), d.winner_id,
                 CASE WHEN p.supplier_name IS NOT NULL
                     THEN 'pantau-name-' || md5(lower(core.squash(p.supplier_name)))[:12] END)
            AS award_supplier_id,
        coalesce(p.supplier_name, d.winner_name) AS award_supplier_name,
        pe.starts_at AS period_start, pe.ends_at AS period_end
    FROM p
    LEFT JOIN bid_details d ON p.kind = 'tender' AND d.source_id = p.source_id
    LEFT JOIN period pe ON p.kind = 'tender' AND pe.source_id = p.source_id
),
parties AS (
    SELECT ocid, list(party ORDER BY ord, party ->> 'id') AS parties FROM (
        SELECT ocid, 0 AS ord, json_object('id', 'pantau-klpd-' || kd_klpd, 'name', klpd_name,
            'roles', ['buyer']) AS party
        FROM r WHERE kd_klpd IS NOT NULL
        UNION ALL
        SELECT ocid, 1, json_object('id', 'pantau-satker-' || kd_satker, 'name', satker_name,
            'roles', ['procuringEntity'])
        FROM r WHERE kd_satker IS NOT NULL
        UNION ALL
        SELECT ocid, 2, json_object('id', t.id, 'name', t.name,
            'roles', CASE WHEN t.id = r.award_supplier_id THEN ['tenderer', 'supplier'] ELSE ['tenderer'] END,
            'identifier', CASE WHEN t.npwp IS NOT NULL
                THEN json_object('scheme', 'ID-NPWP', 'id', t.npwp) END)
        FROM r, unnest(r.tenderers) AS u(t)
        UNION ALL
        SELECT ocid, 3, json_object('id', award_supplier_id, 'name', award_supplier_name,
            'roles', ['supplier'],
            'identifier', CASE WHEN supplier_npwp IS NOT NULL
                THEN json_object('scheme', 'ID-NPWP', 'id', supplier_npwp) END)
        FROM r
        WHERE award_supplier_id IS NOT NULL
            AND NOT list_contains(coalesce(list_transform(r.tenderers, lambda t: t.id), []), award_supplier_id)
    ) GROUP BY ocid
)
SELECT r.source, r.kind, r.source_id, r.ocid, r.kd_klpd AS region, r.year,
    CASE WHEN r.source = 'ocds' THEN o.payload ELSE json_strip_nulls(json_object(
        'ocid', r.ocid,
        'id', r.ocid || '-compiled',
        'date', core.ocds_date(coalesce(r.awarded_at, r.announced_at,
                                        CAST(getvariable('run_date') AS TIMESTAMPTZ))),
        'tag', ['compiled'],
        'initiationType', 'tender',
        'language', 'id',
        'parties', parties.parties,
        'buyer', CASE WHEN r.kd_klpd IS NOT NULL
            THEN json_object('id', 'pantau-klpd-' || r.kd_klpd, 'name', r.klpd_name) END,
        'planning', CASE WHEN r.kd_rup IS NOT NULL OR r.pagu IS NOT NULL THEN json_object(
            'budget', json_object('id', r.kd_rup, 'description', 'SiRUP RUP ' || r.kd_rup,
                                  'amount', core.ocds_value(r.pagu))) END,
        'tender', json_object(
            'id', r.source_id,
            'title', r.title,
            'status', r.tender_status,
            'procuringEntity', CASE WHEN r.kd_satker IS NOT NULL
                THEN json_object('id', 'pantau-satker-' || r.kd_satker, 'name', r.satker_name) END,
            'value', core.ocds_value(r.hps),
            'procurementMethod', core.ocds_method(r.method),
            'procurementMethodDetails', r.method,
            'mainProcurementCategory', core.ocds_category(r.category),
            'numberOfTenderers', r.n_bids,
            'tenderPeriod', CASE WHEN r.period_start IS NOT NULL OR r.period_end IS NOT NULL
                THEN json_object('startDate', core.ocds_date(r.period_start),
                                 'endDate', core.ocds_date(r.period_end)) END,
            'datePublished', core.ocds_date(r.announced_at)),
        'bids', CASE WHEN r.details IS NOT NULL OR r.n_participants = 0
            THEN json_object('details', coalesce(r.details, []::JSON[])) END,
        'awards', CASE WHEN r.award_supplier_id IS NOT NULL OR r.contract_value IS NOT NULL
                       OR r.awarded_at IS NOT NULL
            THEN [json_object(
                'id', r.ocid || '-award',
                'status', CASE WHEN r.tender_status IN ('cancelled', 'unsuccessful')
                    THEN 'cancelled' ELSE 'active' END,
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
FROM r
LEFT JOIN parties USING (ocid)
LEFT JOIN raw.ocds_compiled_release o ON r.source = 'ocds' AND o.key = r.source_id;
