-- core.ocds_releases: every contracting process of core as an OCDS 1.1 compiled release (a VIEW).
-- What: source, kind, source_id, ocid, region, year and the release JSON, assembled from
-- core.ocds_release_rows and core.ocds_bid_rows with the macros of 700_ocds_mapping.sql; a
-- process that came in as OCDS keeps its publisher's compiled release (core.ocds_releases_in).
-- Why: `pantau export ocds` writes this view (computed on demand, never by the night).
-- creates: core.ocds_releases
-- depends: core.ocds_bid_rows, core.ocds_category, core.ocds_date, core.ocds_release_rows,
--   core.ocds_releases_in, core.ocds_run_date, core.ocds_value
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
