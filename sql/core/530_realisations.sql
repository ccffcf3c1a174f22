-- core.realisations: the payments recorded against recorded (pencatatan) packages.
-- Payments: ISB's, and SPSE's for packages ISB has none for.
-- creates: core.realisations
-- depends: core.isb_realisations, core.spse_realisations
CREATE OR REPLACE TABLE core.realisations AS
SELECT * FROM core.isb_realisations
UNION ALL BY NAME
SELECT * FROM core.spse_realisations r
WHERE NOT EXISTS (SELECT 1 FROM core.isb_realisations i
                  WHERE i.kind = r.kind AND i.source_id = r.source_id);
