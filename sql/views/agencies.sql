-- view agencies: the buyers: each K/L/PD and each of its satuan kerja.
-- Why: metrics are reported per K/L/PD and per work unit; names come from LKPP's master lists.
-- Source: core.agencies (ISB MasterKLPD, RUP-MasterSatker, and units seen in processes).
-- column level: klpd for the government as a whole, satker for a work unit
-- column kd_klpd: K/L/PD code
-- column kd_satker: the work unit's dotted code (null on the klpd row)
-- column name: name of the K/L/PD or work unit
-- column kind: jenis (PROVINSI, KABUPATEN, KOTA, ...; SKPD, ...) where known
-- column satker_id: SiRUP's numeric work-unit id, where known
-- depends: core.agencies
-- test unique: agencies(level, kd_klpd, kd_satker)
CREATE OR REPLACE VIEW main.agencies AS
SELECT level, kd_klpd, kd_satker, name, kind, satker_id FROM core.agencies;
