-- The crawler registry: crawlers that crawler operators register (name, robots.txt product token, user agent,
-- contact, purposes) and the Ed25519 public keys that identify their signed requests, either uploaded by the
-- operator (asserted) or proven by a signed Web Bot Auth key directory (verified). Platform-level like the
-- operators themselves: every tenant sees the same registry, so no row-level security.

CREATE TABLE crawlers (
    id                          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    operator_id                 uuid NOT NULL REFERENCES crawler_operators (id),
    name                        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- The robots.txt product token (RFC 9309 §2.2.1, plus digits as real tokens use them), e.g. GPTBot.
    product_token               text NOT NULL CHECK (product_token ~ '^[A-Za-z][A-Za-z0-9_-]{0,63}$'),
    user_agent                  text NOT NULL CHECK (length(user_agent) BETWEEN 1 AND 500),
    -- An email address or an http(s) URL.
    contact                     text NOT NULL CHECK (length(contact) BETWEEN 3 AND 500),
    -- TollgateCore CrawlPurpose raw values.
    purposes                    text[] NOT NULL CHECK (cardinality(purposes) BETWEEN 1 AND 4
                                                       AND purposes <@ ARRAY['training', 'search', 'ai-input', 'other']),
    -- The key directory; NULL when the crawler is identified by uploaded keys only.
    key_directory_url           text CHECK (length(key_directory_url) <= 2048 AND key_directory_url ~ '^https?://'),
    directory_status            text NOT NULL DEFAULT 'none'
                                CHECK (directory_status IN ('none', 'pending', 'ok', 'failed')),
    directory_fetched_at        timestamptz,   -- last fetch whose signature verified
    directory_checked_at        timestamptz,   -- last attempt, successful or not
    directory_next_refresh_at   timestamptz,   -- from Cache-Control, or the backoff after a failure
    directory_failures          integer NOT NULL DEFAULT 0 CHECK (directory_failures >= 0),
    directory_last_error        text,
    -- At least one directory-proven key is usable now; kept current by every write and the refresher.
    verified                    boolean NOT NULL DEFAULT false,
    verified_at                 timestamptz,   -- when a signed directory last proved its keys
    status                      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
    created_at                  timestamptz NOT NULL DEFAULT now(),
    updated_at                  timestamptz NOT NULL DEFAULT now(),
    revoked_at                  timestamptz,
    CHECK ((key_directory_url IS NULL) = (directory_status = 'none')),
    CHECK ((status = 'revoked') = (revoked_at IS NOT NULL)),
    CHECK (verified = (verified_at IS NOT NULL))
);
-- A product token names one crawler platform-wide, revoked ones included: tenants' policies and robots.txt
-- refer to crawlers by token, so a token must never pass to another operator.
CREATE UNIQUE INDEX crawlers_product_token_key ON crawlers (lower(product_token));
CREATE INDEX crawlers_operator_idx ON crawlers (operator_id, created_at, id);
-- The refresher's queue.
CREATE INDEX crawlers_directory_due_idx ON crawlers (directory_next_refresh_at)
    WHERE status = 'active' AND key_directory_url IS NOT NULL;

CREATE TABLE crawler_keys (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    crawler_id          uuid NOT NULL REFERENCES crawlers (id),
    -- RFC 7638 JWK thumbprint (SHA-256, base64url): the keyid of Web Bot Auth signatures.
    thumbprint          text NOT NULL CHECK (thumbprint ~ '^[A-Za-z0-9_-]{43}$'),
    -- The public JWK; private members never reach the database.
    jwk                 jsonb NOT NULL CHECK (jsonb_typeof(jwk) = 'object'
                                              AND NOT (jwk ?| ARRAY['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'])),
    source              text NOT NULL CHECK (source IN ('uploaded', 'directory')),
    created_at          timestamptz NOT NULL DEFAULT now(),
    -- From the JWK's nbf / exp, and for directory keys also bounded by the directory's cache lifetime.
    not_before          timestamptz,
    expires_at          timestamptz,
    revoked_at          timestamptz,
    -- operator: revoked by the operator (final); removed-from-directory: gone from the directory (restored if it
    -- comes back); superseded: a signed directory of another crawler proved the key; crawler-revoked.
    revoked_reason      text CHECK (revoked_reason IN ('operator', 'removed-from-directory', 'superseded', 'crawler-revoked')),
    CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL)),
    UNIQUE (crawler_id, thumbprint)
);
-- The edge looks keys up by keyid: one unrevoked key per thumbprint platform-wide, so a keyid names one crawler.
CREATE UNIQUE INDEX crawler_keys_thumbprint_key ON crawler_keys (thumbprint) WHERE revoked_at IS NULL;
