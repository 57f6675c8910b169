-- Sites: what a tenant protects, and the pay-per-crawl price list the edge applies to it.
-- Sites are archived, never deleted, so ledger entries and charges keep pointing at them.

CREATE TABLE sites (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id          uuid NOT NULL REFERENCES tenants (id),
    name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- Lowercase host names (no port) the site answers to; a host belongs to at most one live site platform-wide.
    hostnames          text[] NOT NULL CHECK (cardinality(hostnames) BETWEEN 1 AND 50),
    -- A TollgateCore PricingPolicy as JSON; NULL while pay-per-crawl is off for the site.
    pricing            jsonb,
    -- Bumped on every change, so the edge fleet can tell which version it has.
    version            bigint NOT NULL DEFAULT 1 CHECK (version >= 1),
    status             text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sites_tenant_idx ON sites (tenant_id, created_at DESC, id);

-- One row per (live site, host name): the platform-wide uniqueness of host names.
CREATE TABLE site_hostnames (
    hostname           text PRIMARY KEY CHECK (length(hostname) <= 253
                                               AND hostname ~ '^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$'),
    site_id            uuid NOT NULL REFERENCES sites (id),
    tenant_id          uuid NOT NULL REFERENCES tenants (id)
);
CREATE INDEX site_hostnames_site_idx ON site_hostnames (site_id);
-- Row-level security hides other tenants' host names, but the primary key still sees them: claiming one with
-- INSERT … ON CONFLICT DO NOTHING reports a clash without revealing whose it is.

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['sites', 'site_hostnames'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I
            USING (tenant_id = tollgate_current_tenant() OR tollgate_is_platform())
            WITH CHECK (tenant_id = tollgate_current_tenant() OR tollgate_is_platform())', t);
    END LOOP;
END $$;
