-- Crawler operators (the companies that run crawlers and pay for access) and their crawler accounts (what a
-- balance, spending caps and charges belong to). Platform-level: not owned by any tenant, so no row-level security;
-- the server reaches them only in platform transactions.

CREATE TABLE crawler_operators (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email              text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    password_hash      text NOT NULL,
    status             text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX crawler_operators_email_key ON crawler_operators (lower(email));

-- Bearer tokens (`tgp_…`) for the crawler-operator API, stored only as HMAC.
CREATE TABLE crawler_operator_tokens (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    operator_id        uuid NOT NULL REFERENCES crawler_operators (id),
    token_hash         bytea NOT NULL UNIQUE,
    created_at         timestamptz NOT NULL DEFAULT now(),
    expires_at         timestamptz NOT NULL,
    revoked_at         timestamptz
);

CREATE TABLE crawler_accounts (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    operator_id        uuid NOT NULL REFERENCES crawler_operators (id),
    name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    currency           text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    -- Spending caps the charge path enforces, per UTC day and calendar month; NULL means no cap.
    daily_cap_micros   bigint CHECK (daily_cap_micros > 0),
    monthly_cap_micros bigint CHECK (monthly_cap_micros > 0),
    status             text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX crawler_accounts_operator_idx ON crawler_accounts (operator_id, created_at);

-- The platform's own audit chain (crawler-operator sign-ups, manual credits and adjustments) lives under a
-- reserved tenant id that no person can belong to, so the existing chain and its verification cover it.
SELECT set_config('tollgate.platform', 'on', true);
INSERT INTO tenants (id, name, status) VALUES ('00000000-0000-0000-0000-000000000000', 'Tollgate platform', 'active');
INSERT INTO audit_heads (tenant_id, last_seq, last_hash)
    VALUES ('00000000-0000-0000-0000-000000000000', 0, '\x0000000000000000000000000000000000000000000000000000000000000000');
