-- view flags: every red flag and score of every process and organisation: OCP Cardinal's indicators (R003 ... R058) and pantau's Indonesian compliance checks and ICW PFA scores.
-- Why: one place to ask "what is suspicious, and why": a flag is a reason to look, not proof.
-- Source: core.flags (sql/indicators/900_flags.sql): core.flags_cardinal (190) and core.flags_compliance (490).
-- column source: where the flagged process comes from (inaproc, isb, spse, ocds); null for an organisation-level flag
-- column kind: the flagged process's kind (joins tenders.kind: ISB reuses a code across kinds); null for an organisation-level flag
-- column source_id: the flagged process's package code (joins tenders.source_id); null for an organisation-level flag
-- column code: the indicator: Cardinal R003, R018, R024, R025, R028, R030, R035, R036, R038, R048, R058; ID-C01 ... for compliance checks; PFA-1 ... for ICW scores
-- column value: the indicator's value (Cardinal: 1.0 for yes/no flags, else the measured ratio or count; PFA: the score)
-- column grp: what is flagged: OCID (a process), Buyer (a K/L/PD), ProcuringEntity (a work unit), Tenderer (a company)
-- column entity_id: the flagged process (its source_id) or organisation (OCDS id: pantau-klpd-<kd_klpd>, pantau-satker-<kd_satker>, IDN-NPWP-<npwp>, or the publisher's id)
-- column description: what the indicator means, in one line
-- depends: core.flags
-- test not_null: flags(code, grp, entity_id)
-- test relationship: flags(kind, source_id) -> tenders(kind, source_id)
CREATE OR REPLACE VIEW main.flags AS
SELECT source, kind, source_id, code, value, grp, entity_id, description
FROM core.flags;
