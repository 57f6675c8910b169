-- Tenants, people, sessions, API keys, invites, audit log and login throttling.
--
-- Row-level security: every tenant-owned table is FORCEd, so even the owning role sees only the rows of the tenant
-- named by the transaction-local setting `tollgate.tenant_id`. A few authentication paths (resolving a session,
-- an API key or an invite token before the tenant is known, and the platform operator) run with
-- `tollgate.platform = 'on'` instead; the server sets either setting with set_config(..., true) per transaction.

CREATE FUNCTION tollgate_current_tenant() RETURNS uuid
    LANGUAGE sql STABLE AS $$ SELECT nullif(current_setting('tollgate.tenant_id', true), '')::uuid $$;

CREATE FUNCTION tollgate_is_platform() RETURNS boolean
    LANGUAGE sql STABLE AS $$ SELECT coalesce(current_setting('tollgate.platform', true), '') = 'on' $$;

CREATE TABLE tenants (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    status             text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    suspended_at       timestamptz,
    suspension_reason  text,
    created_at         timestamptz NOT NULL DEFAULT now()
);

-- People are platform-wide (one person can belong to several tenants); a tenant sees only its members.
CREATE TABLE users (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email              text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    name               text NOT NULL DEFAULT '' CHECK (length(name) <= 200),
    password_hash      text NOT NULL,
    totp_secret        bytea,
    totp_enabled       boolean NOT NULL DEFAULT false,
    totp_last_step     bigint NOT NULL DEFAULT 0,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE memberships (
    tenant_id          uuid NOT NULL REFERENCES tenants (id),
    user_id            uuid NOT NULL REFERENCES users (id),
    role               text NOT NULL CHECK (role IN ('owner', 'admin', 'billing', 'analyst', 'viewer')),
    created_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX memberships_user_idx ON memberships (user_id);

CREATE TABLE invites (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id          uuid NOT NULL REFERENCES tenants (id),
    email              text NOT NULL,
    role               text NOT NULL CHECK (role IN ('owner', 'admin', 'billing', 'analyst', 'viewer')),
    token_hash         bytea NOT NULL UNIQUE,
    invited_by         uuid REFERENCES users (id),
    created_at         timestamptz NOT NULL DEFAULT now(),
    expires_at         timestamptz NOT NULL,
    accepted_at        timestamptz,
    accepted_by        uuid REFERENCES users (id),
    revoked_at         timestamptz
);
CREATE INDEX invites_tenant_idx ON invites (tenant_id, created_at DESC);

CREATE TABLE sessions (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id          uuid NOT NULL REFERENCES tenants (id),
    user_id            uuid NOT NULL REFERENCES users (id),
    token_hash         bytea NOT NULL UNIQUE,
    csrf_token         text NOT NULL,
    client_address     text,
    user_agent         text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    expires_at         timestamptz NOT NULL,
    revoked_at         timestamptz
);
CREATE INDEX sessions_user_idx ON sessions (tenant_id, user_id);

CREATE TABLE api_keys (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id          uuid NOT NULL REFERENCES tenants (id),
    name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    prefix             text NOT NULL UNIQUE,
    secret_hash        bytea NOT NULL,
    scopes             text[] NOT NULL,
    created_by         uuid REFERENCES users (id),
    created_at         timestamptz NOT NULL DEFAULT now(),
    expires_at         timestamptz,
    last_used_at       timestamptz,
    revoked_at         timestamptz
);
CREATE INDEX api_keys_tenant_idx ON api_keys (tenant_id, created_at DESC);

-- Hash-chained, append-only audit log: hash = SHA-256(prev_hash || canonical event), seq contiguous per tenant.
CREATE TABLE audit_events (
    tenant_id          uuid NOT NULL REFERENCES tenants (id),
    seq                bigint NOT NULL CHECK (seq > 0),
    id                 uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    occurred_at        timestamptz NOT NULL,
    actor_type         text NOT NULL,
    actor_id           text NOT NULL,
    actor_label        text NOT NULL,
    client_address     text NOT NULL,
    action             text NOT NULL,
    target_type        text NOT NULL,
    target_id          text NOT NULL,
    details            jsonb NOT NULL DEFAULT '{}',
    prev_hash          bytea NOT NULL,
    hash               bytea NOT NULL,
    PRIMARY KEY (tenant_id, seq)
);

CREATE TABLE audit_heads (
    tenant_id          uuid PRIMARY KEY REFERENCES tenants (id),
    last_seq           bigint NOT NULL DEFAULT 0,
    last_hash          bytea NOT NULL
);

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END $$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

-- Platform-level tables (not tenant-owned).
CREATE TABLE operators (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email              text NOT NULL,
    password_hash      text NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX operators_email_key ON operators (lower(email));

CREATE TABLE operator_sessions (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    operator_id        uuid NOT NULL REFERENCES operators (id),
    token_hash         bytea NOT NULL UNIQUE,
    created_at         timestamptz NOT NULL DEFAULT now(),
    expires_at         timestamptz NOT NULL,
    revoked_at         timestamptz
);

-- Failed-login counters per account and per client address, shared by every server replica.
CREATE TABLE login_throttle (
    key                text PRIMARY KEY,
    failures           integer NOT NULL,
    window_started_at  timestamptz NOT NULL
);

-- Row-level security.
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenants
    USING (id = tollgate_current_tenant() OR tollgate_is_platform())
    WITH CHECK (id = tollgate_current_tenant() OR tollgate_is_platform());

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_members ON users
    USING (tollgate_is_platform() OR EXISTS (
        SELECT 1 FROM memberships m WHERE m.user_id = users.id AND m.tenant_id = tollgate_current_tenant()))
    WITH CHECK (tollgate_is_platform() OR EXISTS (
        SELECT 1 FROM memberships m WHERE m.user_id = users.id AND m.tenant_id = tollgate_current_tenant()));

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['memberships', 'invites', 'sessions', 'api_keys', 'audit_events', 'audit_heads'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I
            USING (tenant_id = tollgate_current_tenant() OR tollgate_is_platform())
            WITH CHECK (tenant_id = tollgate_current_tenant() OR tollgate_is_platform())', t);
    END LOOP;
END $$;
