-- view suppliers: every supplier seen as a bidder or a winner, keyed by NPWP.
-- Why: the same company appears under several spellings; its tax number does not change.
-- Source: core.suppliers (bids and processes of every source).
-- column npwp: NPWP normalised to 15 digits
-- column name: the most frequent spelling of its name
-- column n_bids: offers submitted
-- column n_wins: processes won
-- depends: core.suppliers
-- test unique: suppliers(npwp)
-- test not_null: suppliers(npwp)
CREATE OR REPLACE VIEW main.suppliers AS
SELECT npwp, name, n_bids, n_wins FROM core.suppliers;
