-- The edge fleet: one-time enrollment tokens a tenant hands to a new edge agent, and the agents that exchanged
-- one for their own credential. Secrets are stored only as HMAC-SHA256 under the server's secret key, like API keys.
-- Rows are revoked, never deleted, so the audit log and later usage batches keep pointing at them.

CREATE TABLE agents (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id          uuid NOT NULL REFERENCES tenants (id),
    name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    credential_hash    bytea NOT NULL UNIQUE CHECK (length(credential_hash) = 32),
    -- What the agent last reported (X-Tollgate-Agent-Version, else the version it enrolled with).
    version            text NOT NULL CHECK (length(version) BETWEEN 1 AND 64),
    -- The peer address it last called from.
    address            text,
    last_seen_at       timestamptz,
    revoked_at         timestamptz,
    -- The enrollment token it used (agent_enrollment_tokens.id).
    enrolled_with      uuid NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agents_tenant_idx ON agents (tenant_id, created_at DESC, id);

CREATE TABLE agent_enrollment_tokens (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id          uuid NOT NULL REFERENCES tenants (id),
    label              text NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
    token_hash         bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    expires_at         timestamptz NOT NULL,
    used_at            timestamptz,
    used_by_agent      uuid REFERENCES agents (id),
    revoked_at         timestamptz,
    created_by         uuid REFERENCES users (id),
    created_at         timestamptz NOT NULL DEFAULT now(),
    CHECK (expires_at > created_at),
    CHECK ((used_at IS NULL) = (used_by_agent IS NULL))
);
CREATE INDEX agent_enrollment_tokens_tenant_idx ON agent_enrollment_tokens (tenant_id, created_at DESC, id);

ALTER TABLE agents ADD CONSTRAINT agents_enrolled_with_fkey
    FOREIGN KEY (enrolled_with) REFERENCES agent_enrollment_tokens (id);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['agents', 'agent_enrollment_tokens'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I
            USING (tenant_id = tollgate_current_tenant() OR tollgate_is_platform())
            WITH CHECK (tenant_id = tollgate_current_tenant() OR tollgate_is_platform())', t);
    END LOOP;
END $$;
