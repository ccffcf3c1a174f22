-- Issue 18: each landing's run row keeps the answer it landed (its SHA-256 and the server's
-- ETag / Last-Modified), so the next night asks conditionally and skips an identical answer.
ALTER TABLE ops.runs ADD COLUMN IF NOT EXISTS answer_sha256 VARCHAR;
ALTER TABLE ops.runs ADD COLUMN IF NOT EXISTS answer_etag VARCHAR;
ALTER TABLE ops.runs ADD COLUMN IF NOT EXISTS answer_last_modified VARCHAR;
