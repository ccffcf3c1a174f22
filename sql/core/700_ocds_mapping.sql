-- core.ocds_*: the mapping rules from core to OCDS 1.1, once, as macros (ids, statuses, amounts,
-- dates); the files 710-745_ocds_*.sql apply them: core.ocds_run_date, core.ocds_tender_statuses,
-- the views core.ocds_bid_rows (one row per bids.details entry, in document order idx) and
-- core.ocds_release_rows (one row per core.processes row: each release-level field as OCDS has
-- it), and the view core.ocds_releases (source, kind, source_id, ocid, region, year, release
-- JSON) that assembles them: tender, bids.details (bid extension) with statuses, awards,
-- contracts, parties, planning (RUP). A process that came in as OCDS (source 'ocds') keeps its
-- publisher's compiled release as is (core.ocds_releases_in).
-- Why: `pantau export ocds` writes the view (computed on demand: its ordered list/JSON
-- aggregates need ~9 GB at 1M processes and do not spill, so no night builds them); the
-- nightly Cardinal indicators read the same rows without the JSON
-- (sql/indicators/106_cardinal_from_core.sql), so the export and the flags cannot drift.
-- The macros stay together in this file: each is one line of the mapping, read as a whole
-- (as the parsing macros stay in 000_macros.sql).
-- Source: the official OCDS 1.1.5 release schema and bid extension; mapping choices for SPSE:
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
-- creates: core.ocds_date, core.ocds_amount, core.ocds_currency, core.ocds_value, core.ocds_ocid,
--   core.ocds_buyer_id, core.ocds_satker_id, core.ocds_org_id, core.ocds_name_id,
--   core.ocds_method, core.ocds_category, core.ocds_tender_status, core.ocds_bid_status,
--   core.ocds_award_status
-- depends: core.squash, core.status_class
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
