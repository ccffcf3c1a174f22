-- view tenders: one row per procurement process of any kind (tender, non-tender, recorded, self-managed, e-purchasing) and any source.
-- Why: the analysts' starting point; every indicator and metric is about these rows.
-- Source: core.processes (sql/core/100_isb_processes.sql and the other sources' files).
-- Timestamps are Asia/Jakarta wall-clock time; money is in rupiah.
-- column source: where the row comes from: inaproc (LKPP INAPROC gateway), isb (LKPP ISB), spse (national SPSE portal), ocds
-- column kind: tender, non_tender, pencatatan_non_tender, swakelola, darurat or epurchasing
-- column source_id: the source's package code as text (kd_tender, kd_nontender, kd_nontender_pct, kd_swakelola_pct, kd_paket, ...)
-- column kd_rup: SiRUP plan code(s) of the package; several are separated by ';' as published
-- column kd_klpd: K/L/PD code (K.. ministry, L.. agency, D.. regional government)
-- column klpd_name: name of the K/L/PD
-- column kd_satker: the buying work unit's (satuan kerja) dotted code
-- column satker_name: name of the work unit
-- column kd_lpse: the LPSE that ran the process
-- column title: package name (nama paket)
-- column category: jenis pengadaan (goods, works, consultancy, other services) as the source names it
-- column method: metode pemilihan as the source names it (Tender, Seleksi, Pengadaan Langsung, ...)
-- column status: the status as the source names it
-- column status_class: finished, failed (gagal/batal), ongoing or unknown
-- column year: budget year (tahun anggaran)
-- column pagu: budget ceiling, rupiah
-- column hps: owner's estimate (Harga Perkiraan Sendiri), rupiah
-- column contract_value: contract value (recorded packages: total realised; e-purchasing: order total), rupiah
-- column supplier_npwp: the winner's NPWP, 15 digits
-- column supplier_name: the winner's name
-- column n_participants: registered participants whose identity is published (tenders); null while SPSE masks them
-- column n_bids: participants who submitted an offer (tenders); null while SPSE masks the participants
-- column n_registered: registrations, masked ones included (SPSE lists "Peserta 1", "Peserta 2", ... before evaluation)
-- column announced_at: announcement (recorded packages: start; e-purchasing: order date), WIB
-- column awarded_at: winner determination (non-tender: completion), WIB
-- column pdn_value: contract value going to domestic products (PDN), where reported
-- column umk_value: contract value going to micro and small business (UMK), where reported
-- column qualification: kualifikasi usaha of the package (Kecil, Non Kecil, ...)
-- column sources: every source that describes this process
-- column vanished_on: the date (WIB) from which the source no longer publishes the process (a complete answer without it); null while it does
-- column n_versions: how many distinct contents of the process's record pantau has seen (1: never changed; see the changes view)
-- depends: core.process_history, core.processes, core.status_classes
-- test unique: tenders(kind, source_id)
-- test not_null: tenders(source, kind, source_id, status_class)
-- test accepted_values: tenders(status_class) in ('finished', 'failed', 'ongoing', 'unknown')
CREATE OR REPLACE VIEW main.tenders AS
SELECT source, kind, source_id, kd_rup, kd_klpd, klpd_name, kd_satker, satker_name, kd_lpse,
    title, category, method, p.status, s.status_class, year,
    pagu, hps, contract_value, supplier_npwp, supplier_name, n_participants, n_bids, n_registered,
    timezone('Asia/Jakarta', announced_at) AS announced_at,
    timezone('Asia/Jakarta', awarded_at) AS awarded_at,
    pdn_value, umk_value, qualification, sources, h.vanished_on, h.n_versions
FROM core.processes p
JOIN core.status_classes s ON s.status IS NOT DISTINCT FROM p.status
LEFT JOIN core.process_history h USING (source, kind, source_id)
-- In core's order (ocid order), as before the join (exports and reports page through it).
ORDER BY p.rowid;
