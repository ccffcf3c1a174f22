-- core.history_tables, core.history_fields, core.changes, core.process_history: what changed in
-- each process, from the versions the loader keeps (issue 16).
-- Why: a source rewrites its packages (HPS raised after the announcement, the winner changed, a
-- package deleted from the portal); for a watchdog the change is often the story.
-- Source: raw.versions and raw.version_events (models/loader.py), read through the raw tables
-- each process kind is built from. A raw key's first part (before '|') is the process code; a
-- watched field of a per-stage or per-bidder record is named with the key's second part.
-- History of other sources' raw tables: add their rows to the two lists below (INAPROC's
-- tables follow ISB's, whose field names the gateway keeps).
-- Kept row by row (models/build_state.py): a night recomputes the history of the processes
-- whose raw records changed.
-- creates: core.inaproc_twin, core.history_tables, core.history_fields, core.changes,
--   core.process_history, temp.changes_in_scope, temp.process_history_in_scope
-- incremental: core.changes, core.process_history
-- depends: core.wib_day, raw.versions, raw.version_events
-- test unique: core.history_tables(table_name)
-- test unique: core.process_history(source, kind, source_id)
-- An ISB raw table's INAPROC twin (connectors/inaproc.py names them).
CREATE OR REPLACE MACRO core.inaproc_twin(isb_table) AS
    CASE isb_table WHEN 'isb_tender_pengumuman' THEN 'inaproc_pengumuman'
        ELSE replace(isb_table, 'isb_', 'inaproc_') END;

CREATE OR REPLACE TABLE core.history_tables AS
WITH isb AS (
    SELECT * FROM (VALUES
        ('isb_tender_pengumuman', 'isb', 'tender', true),
        ('isb_tender_selesai', 'isb', 'tender', false),
        ('isb_tender_selesai_nilai', 'isb', 'tender', false),
        ('isb_peserta_tender', 'isb', 'tender', false),
        ('isb_jadwal_tahapan_tender', 'isb', 'tender', false),
        ('isb_non_tender_pengumuman', 'isb', 'non_tender', true),
        ('isb_non_tender_selesai', 'isb', 'non_tender', false),
        ('isb_pencatatan_non_tender', 'isb', 'pencatatan_non_tender', true),
        ('isb_pencatatan_swakelola', 'isb', 'swakelola', true),
        ('isb_ecat_paket_epurchasing_v6', 'isb', 'epurchasing', true)
    ) AS t(table_name, source, kind, is_primary)
)
SELECT * FROM isb
-- The INAPROC gateway keeps ISB's field names (inaproc.md §4.2): its twin of each table, but
-- E-Katalog v6, which has names of its own.
UNION ALL
SELECT core.inaproc_twin(table_name), 'inaproc', kind, is_primary FROM isb
WHERE kind <> 'epurchasing'
UNION ALL
SELECT 'inaproc_ekatalog_paket_e_purchasing', 'inaproc', 'epurchasing', true;

-- The watched fields: pagu, HPS, status, schedule dates, winner, offer and contract values, RUP
-- code and method, named as the tenders view names them.
CREATE OR REPLACE TABLE core.history_fields AS
WITH isb AS (
    SELECT * FROM (VALUES
        ('isb_tender_pengumuman', 'pagu', 'pagu'),
        ('isb_tender_pengumuman', 'hps', 'hps'),
        ('isb_tender_pengumuman', 'status_tender', 'status'),
        ('isb_tender_pengumuman', 'mtd_pemilihan', 'method'),
        ('isb_tender_pengumuman', 'kd_rup', 'kd_rup'),
        ('isb_tender_pengumuman', 'tgl_pengumuman_tender', 'announced_at'),
        ('isb_tender_selesai', 'tgl_penetapan_pemenang', 'awarded_at'),
        ('isb_tender_selesai_nilai', 'nama_penyedia', 'supplier_name'),
        ('isb_tender_selesai_nilai', 'npwp_penyedia', 'supplier_npwp'),
        ('isb_tender_selesai_nilai', 'nilai_kontrak', 'contract_value'),
        ('isb_tender_selesai_nilai', 'nilai_penawaran', 'offer_value'),
        ('isb_peserta_tender', 'nilai_penawaran', 'offer_value'),
        ('isb_jadwal_tahapan_tender', 'tgl_awal', 'schedule_start'),
        ('isb_jadwal_tahapan_tender', 'tgl_akhir', 'schedule_end'),
        ('isb_non_tender_pengumuman', 'pagu', 'pagu'),
        ('isb_non_tender_pengumuman', 'hps', 'hps'),
        ('isb_non_tender_pengumuman', 'status_nontender', 'status'),
        ('isb_non_tender_pengumuman', 'mtd_pemilihan', 'method'),
        ('isb_non_tender_pengumuman', 'kd_rup', 'kd_rup'),
        ('isb_non_tender_selesai', 'nama_penyedia', 'supplier_name'),
        ('isb_non_tender_selesai', 'npwp_penyedia', 'supplier_npwp'),
        ('isb_non_tender_selesai', 'nilai_kontrak', 'contract_value'),
        ('isb_non_tender_selesai', 'nilai_penawaran', 'offer_value'),
        ('isb_pencatatan_non_tender', 'pagu', 'pagu'),
        ('isb_pencatatan_non_tender', 'status_nontender_pct', 'status'),
        ('isb_pencatatan_non_tender', 'total_realisasi', 'contract_value'),
        ('isb_pencatatan_non_tender', 'kd_rup', 'kd_rup'),
        ('isb_pencatatan_swakelola', 'pagu', 'pagu'),
        ('isb_pencatatan_swakelola', 'status_swakelola_pct', 'status'),
        ('isb_pencatatan_swakelola', 'kd_rup', 'kd_rup'),
        ('isb_ecat_paket_epurchasing_v6', 'total_harga', 'contract_value'),
        ('isb_ecat_paket_epurchasing_v6', 'status_pkt', 'status'),
        ('isb_ecat_paket_epurchasing_v6', 'kd_penyedia_v6', 'supplier_code'),
        ('isb_ecat_paket_epurchasing_v6', 'kd_rup', 'kd_rup')
    ) AS t(table_name, json_field, field)
)
SELECT * FROM isb
UNION ALL
SELECT core.inaproc_twin(table_name), json_field, field FROM isb
WHERE table_name <> 'isb_ecat_paket_epurchasing_v6'
UNION ALL
SELECT * FROM (VALUES
    ('inaproc_ekatalog_paket_e_purchasing', 'status', 'status'),
    ('inaproc_ekatalog_paket_e_purchasing', 'total', 'contract_value'),
    ('inaproc_ekatalog_paket_e_purchasing', 'rup_code', 'kd_rup')
) AS v(table_name, json_field, field);

CREATE OR REPLACE TEMP VIEW changes_in_scope AS
WITH events AS (
    SELECT e.seq, e.table_name, e.key, e.event, e.content_hash, e.previous_hash, t.source,
        t.kind, t.is_primary, split_part(e.key, '|', 1) AS source_id,
        nullif(split_part(e.key, '|', 2), '') AS part,
        core.wib_day(e.seen_at) AS seen_on
    FROM raw.version_events e JOIN core.history_tables t ON t.table_name = e.table_name
    WHERE in_scope(e.key)
),
-- A scope's rows by rowid: DuckDB then reads only their payloads (0.2 s at 1M against 1.0 s
-- for WHERE in_scope(key), which carries every payload through the scope's join).
versions AS (SELECT table_name, key, content_hash, payload FROM raw.versions
    WHERE getvariable('build_whole')
       OR rowid IN (SELECT rowid FROM raw.versions WHERE in_scope(key))),
fields AS (
    SELECT e.source, e.kind, e.source_id, e.seq,
        f.field || coalesce(' ' || e.part, '') AS field,
        o.payload ->> f.json_field AS old_value, n.payload ->> f.json_field AS new_value,
        e.seen_on, 'changed' AS change
    FROM events e
    JOIN core.history_fields f ON f.table_name = e.table_name
    JOIN versions o ON o.table_name = e.table_name AND o.key = e.key
        AND o.content_hash = e.previous_hash
    JOIN versions n ON n.table_name = e.table_name AND n.key = e.key
        AND n.content_hash = e.content_hash
    WHERE e.event IN ('changed', 'reappeared') AND e.previous_hash <> e.content_hash
),
presence AS (  -- a process comes and goes with its primary record
    SELECT source, kind, source_id, seq, NULL AS field, NULL AS old_value, NULL AS new_value,
        seen_on, event AS change
    FROM events WHERE is_primary AND event IN ('vanished', 'reappeared')
)
-- The same change seen in several datasets is one change.
SELECT source, kind, source_id, field, old_value, new_value, seen_on, change, min(seq) AS seq
FROM (SELECT * FROM fields WHERE old_value IS DISTINCT FROM new_value
      UNION ALL SELECT * FROM presence)
GROUP BY ALL;
CREATE TABLE IF NOT EXISTS core.changes AS FROM temp.changes_in_scope WITH NO DATA;
DELETE FROM core.changes WHERE in_scope(source_id);
INSERT INTO core.changes FROM temp.changes_in_scope;
DROP VIEW temp.changes_in_scope;

CREATE OR REPLACE TEMP VIEW process_history_in_scope AS
-- Only the primary tables' records say a process's history: the others are left out before
-- grouping, not after (0.8 s against 2 s at 1M processes, the same rows).
WITH primary_tables AS (
    SELECT table_name FROM core.history_tables WHERE is_primary
),
latest AS (
    SELECT table_name, key, arg_max(event, seq) AS event, arg_max(seen_at, seq) AS seen_at
    FROM raw.version_events
    WHERE table_name IN (SELECT table_name FROM primary_tables) AND in_scope(key)
    GROUP BY ALL
),
counted AS (
    SELECT table_name, key, count(*) AS n_versions FROM raw.versions
    WHERE table_name IN (SELECT table_name FROM primary_tables) AND in_scope(key)
    GROUP BY ALL
)
SELECT t.source, t.kind, split_part(c.key, '|', 1) AS source_id,
    max(c.n_versions) AS n_versions,
    max(CASE WHEN l.event = 'vanished'
        THEN core.wib_day(l.seen_at) END) AS vanished_on
FROM counted c
JOIN core.history_tables t ON t.table_name = c.table_name AND t.is_primary
LEFT JOIN latest l ON l.table_name = c.table_name AND l.key = c.key
GROUP BY ALL;
CREATE TABLE IF NOT EXISTS core.process_history AS FROM temp.process_history_in_scope WITH NO DATA;
DELETE FROM core.process_history WHERE in_scope(source_id);
INSERT INTO core.process_history FROM temp.process_history_in_scope;
DROP VIEW temp.process_history_in_scope;
