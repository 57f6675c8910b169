-- Ed25519 keys the control plane signs with (crawl tokens, charge receipts), and the crawl tokens it issued.
-- Private keys are sealed with AES-GCM under a key derived from the server's secret key, so a copy of the database
-- alone cannot forge tokens or receipts. Retired keys stay to verify what they signed.

CREATE TABLE signing_keys (
    id                  text PRIMARY KEY,          -- RFC 7638 thumbprint of the public key
    purpose             text NOT NULL CHECK (purpose IN ('crawl_token', 'receipt')),
    public_key          bytea NOT NULL CHECK (length(public_key) = 32),
    sealed_private_key  bytea NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    retired_at          timestamptz
);
CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys (purpose) WHERE retired_at IS NULL;

CREATE TABLE crawl_tokens (
    id                  uuid PRIMARY KEY,
    crawler_account_id  uuid NOT NULL REFERENCES crawler_accounts (id),
    key_id              text NOT NULL REFERENCES signing_keys (id),
    scope               jsonb NOT NULL,
    max_price_micros    bigint NOT NULL CHECK (max_price_micros >= 0),
    currency            text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    issued_at           timestamptz NOT NULL,
    expires_at          timestamptz NOT NULL,
    revoked_at          timestamptz,
    CHECK (expires_at > issued_at)
);
CREATE INDEX crawl_tokens_account_idx ON crawl_tokens (crawler_account_id, issued_at DESC, id);
-- The edge syncs revocations of tokens that have not expired yet.
CREATE INDEX crawl_tokens_revoked_idx ON crawl_tokens (expires_at) WHERE revoked_at IS NOT NULL;
