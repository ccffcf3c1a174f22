-- view quarantine: every input pantau could not use, with the reason and the raw bytes.
-- Why: nothing is silently dropped; a rejected record can be inspected and reported back.
-- Source: ops.quarantine, written by the loader.
-- column source: source name
-- column dataset: dataset name
-- column region: region label
-- column year: budget year
-- column reason: why it was set aside
-- column raw_text: the input as text (null when it is not valid UTF-8)
-- column n_bytes: size of the raw input in bytes
-- column first_seen: when it was first received, WIB
-- depends: ops.quarantine
CREATE OR REPLACE VIEW main.quarantine AS
SELECT source, dataset, region, year, reason,
    try(decode(raw)) AS raw_text, octet_length(raw) AS n_bytes,
    timezone('Asia/Jakarta', first_seen) AS first_seen
FROM ops.quarantine;
