-- A paid request that a crawler retries through another edge replica reaches the ledger twice, under two
-- (agent, sequence) event ids. Its request key (crawler key id + signature nonce + URL, protocols §1.7) names the
-- purchase itself: a crawler account gets at most one posted charge per key, and later reports of it are refused
-- as `duplicate_request`. Stored as SHA-256 (keys carry whole URLs); rejected rows keep it for the record.
ALTER TABLE charges ADD COLUMN request_key_sha256 bytea CHECK (length(request_key_sha256) = 32);
CREATE UNIQUE INDEX charges_request_key_idx ON charges (crawler_account_id, request_key_sha256)
    WHERE status = 'posted' AND request_key_sha256 IS NOT NULL;
