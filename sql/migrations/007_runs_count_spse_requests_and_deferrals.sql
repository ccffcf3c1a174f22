-- Issue 18: a run row counts the requests an SPSE fetch made and the detail fetches it left for
-- a later night (the nightly request budget). create_all gives new warehouses both columns.
ALTER TABLE ops.runs ADD COLUMN IF NOT EXISTS n_requests INTEGER;
ALTER TABLE ops.runs ADD COLUMN IF NOT EXISTS n_deferred INTEGER;
