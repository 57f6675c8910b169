-- Fleet sync (DESIGN.md "Fleet", "Spending allowances"): what edge agents pull (their tenant's sites, the crawler
-- registry, crawl-token keys and revocations, the tenant's blocklist, their allowances) and what they push (usage
-- posted as charges, metrics added to per-minute rollups).
--
-- Change tracking by transaction id. Every synced row carries `sync_xid`, the id of the transaction that last wrote
-- it (the column default on insert, a BEFORE UPDATE trigger on update). A sync answer is read in one snapshot, and
-- its version is that snapshot's xmin, `pg_snapshot_xmin(pg_current_snapshot())`: every transaction below xmin had
-- finished when the snapshot was taken, so its writes are in the answer; a transaction at or above xmin may still
-- have been running, and may commit later even though a higher id committed first. A delta since V therefore
-- returns every row with sync_xid >= V, so no commit order can hide a row behind a version an agent already holds.
-- Rows are sometimes sent twice, which is harmless because every entity in a bundle is an upsert. xid8 carries the
-- epoch, so versions never wrap. Deletions are soft (status, revoked_at, deleted_at) so they travel as upserts too.
-- A transaction held open for long keeps xmin, and so the version, from advancing: deltas then repeat the rows
-- written since it began until it ends.

CREATE FUNCTION fleet_touch_sync_xid() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.sync_xid := pg_current_xact_id();
    RETURN NEW;
END $$;

-- Tables whose every change matters to the edge: any update that changes the row bumps its sync_xid.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['sites', 'crawler_keys', 'crawler_accounts', 'signing_keys', 'crawl_tokens'] LOOP
        EXECUTE format('ALTER TABLE %I ADD COLUMN sync_xid xid8 NOT NULL DEFAULT pg_current_xact_id()', t);
        EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON %I FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
            EXECUTE FUNCTION fleet_touch_sync_xid()', t || '_sync_xid', t);
    END LOOP;
END $$;

-- The key-directory refresher rewrites crawlers' bookkeeping columns often; only what the edge receives counts.
ALTER TABLE crawlers ADD COLUMN sync_xid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE TRIGGER crawlers_sync_xid BEFORE UPDATE ON crawlers FOR EACH ROW
    WHEN ((OLD.operator_id, OLD.name, OLD.product_token, OLD.purposes, OLD.status)
          IS DISTINCT FROM (NEW.operator_id, NEW.name, NEW.product_token, NEW.purposes, NEW.status))
    EXECUTE FUNCTION fleet_touch_sync_xid();

CREATE INDEX sites_sync_idx ON sites (tenant_id, sync_xid);
CREATE INDEX crawlers_sync_idx ON crawlers (sync_xid);
CREATE INDEX crawler_keys_sync_idx ON crawler_keys (sync_xid);
CREATE INDEX crawler_accounts_sync_idx ON crawler_accounts (sync_xid);
CREATE INDEX crawl_tokens_sync_idx ON crawl_tokens (sync_xid) WHERE revoked_at IS NOT NULL;

-- The license or terms page the edge links on 402 and charged answers (Link: <…>; rel="license").
ALTER TABLE sites ADD COLUMN license_url text
    CHECK (length(license_url) <= 2048 AND license_url ~ '^https?://[A-Za-z0-9]');

-- A tenant's blocklist (CrowdSec-style decisions): who (scope + value) is blocked or allowed, until when.
-- Entries are deleted softly so the deletion reaches the edge in a delta.
CREATE TABLE blocklist_entries (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id          uuid NOT NULL REFERENCES tenants (id),
    scope              text NOT NULL CHECK (scope IN ('ip', 'range', 'crawler', 'ua')),
    value              text NOT NULL CHECK (length(value) BETWEEN 1 AND 200),
    action             text NOT NULL CHECK (action IN ('block', 'allow')),
    reason             text NOT NULL DEFAULT '' CHECK (length(reason) <= 200),
    expires_at         timestamptz,
    created_by         uuid REFERENCES users (id),
    created_at         timestamptz NOT NULL DEFAULT now(),
    deleted_at         timestamptz,
    sync_xid           xid8 NOT NULL DEFAULT pg_current_xact_id(),
    -- Addresses and ranges are parsed by the server; this keeps anything else out of the column.
    CHECK (scope NOT IN ('ip', 'range') OR value ~ '^[0-9A-Fa-f:.]+(/[0-9]{1,3})?$')
);
CREATE INDEX blocklist_entries_tenant_idx ON blocklist_entries (tenant_id, created_at DESC, id);
CREATE INDEX blocklist_entries_sync_idx ON blocklist_entries (tenant_id, sync_xid);
CREATE TRIGGER blocklist_entries_sync_xid BEFORE UPDATE ON blocklist_entries FOR EACH ROW
    WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION fleet_touch_sync_xid();

-- What each agent may charge each crawler account before it asks again. remaining = granted - spent; spent grows
-- with every charge the agent reports (trigger below), granted is reset by each grant to spent + the new slice.
-- tenant_id is the agent's tenant; the crawler account may pay many tenants.
CREATE TABLE agent_allowances (
    agent_id           uuid NOT NULL REFERENCES agents (id),
    crawler_account_id uuid NOT NULL REFERENCES crawler_accounts (id),
    tenant_id          uuid NOT NULL REFERENCES tenants (id),
    currency           text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    granted_micros     bigint NOT NULL CHECK (granted_micros >= 0),
    spent_micros       bigint NOT NULL DEFAULT 0 CHECK (spent_micros >= 0),
    status             text NOT NULL CHECK (status IN ('active', 'exhausted', 'capped', 'suspended')),
    expires_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL DEFAULT now(),
    sync_xid           xid8 NOT NULL DEFAULT pg_current_xact_id(),
    PRIMARY KEY (agent_id, crawler_account_id)
);
-- Other agents' outstanding slices of an account, summed at every grant.
CREATE INDEX agent_allowances_account_idx ON agent_allowances (crawler_account_id) WHERE status = 'active';
CREATE INDEX agent_allowances_sync_idx ON agent_allowances (agent_id, sync_xid);
CREATE TRIGGER agent_allowances_sync_xid BEFORE UPDATE ON agent_allowances FOR EACH ROW
    WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION fleet_touch_sync_xid();

-- Which agent reported a charge (usage events `agent:<agent id>:<sequence>`). A posted charge adds its price to the
-- agent's allowance in the same transaction; a charge row is inserted once per event id, so a re-sent batch
-- cannot add it again.
ALTER TABLE charges ADD COLUMN agent_id uuid REFERENCES agents (id);

CREATE FUNCTION agent_allowance_spend() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE agent_allowances SET spent_micros = spent_micros + NEW.price_micros, updated_at = now()
        WHERE agent_id = NEW.agent_id AND crawler_account_id = NEW.crawler_account_id;
    RETURN NULL;
END $$;
CREATE TRIGGER charges_agent_allowance_spend AFTER INSERT ON charges FOR EACH ROW
    WHEN (NEW.status = 'posted' AND NEW.agent_id IS NOT NULL) EXECUTE FUNCTION agent_allowance_spend();

-- Traffic rollups per tenant and minute, added to by every metrics batch (count = count + new count). Not
-- partitioned yet: one row per minute × site × action × reason × crawler × status class stays small next to the
-- request volume it summarises; partition by month when it does not. No foreign keys, for the write rate; the
-- server checks each site belongs to the tenant before writing. NULL site: a host no site claims; NULL crawler:
-- an unidentified client.
CREATE TABLE metrics_minute (
    tenant_id          uuid NOT NULL,
    minute             timestamptz NOT NULL,
    site_id            uuid,
    action             text NOT NULL CHECK (length(action) BETWEEN 1 AND 64),
    reason             text NOT NULL CHECK (length(reason) BETWEEN 1 AND 200),
    crawler            text CHECK (length(crawler) BETWEEN 1 AND 64),
    status_class       text NOT NULL CHECK (status_class ~ '^[1-5]xx$'),
    count              bigint NOT NULL CHECK (count >= 0),
    CONSTRAINT metrics_minute_key UNIQUE NULLS NOT DISTINCT (tenant_id, minute, site_id, action, reason, crawler, status_class)
);

-- Latency histograms per tenant, minute, site and action: 15 bucket counts (MetricsLatency.bucketBounds and one
-- above the last) added element-wise, and the sum of the latencies in milliseconds.
CREATE TABLE metrics_latency_minute (
    tenant_id          uuid NOT NULL,
    minute             timestamptz NOT NULL,
    site_id            uuid,
    action             text NOT NULL CHECK (length(action) BETWEEN 1 AND 64),
    counts             bigint[] NOT NULL CHECK (cardinality(counts) = 15 AND 0 <= ALL (counts)),
    sum_ms             double precision NOT NULL CHECK (sum_ms >= 0),
    CONSTRAINT metrics_latency_minute_key UNIQUE NULLS NOT DISTINCT (tenant_id, minute, site_id, action)
);

-- Metrics batches already added, so a batch re-sent after a lost answer is not counted twice.
CREATE TABLE agent_metric_batches (
    agent_id           uuid NOT NULL REFERENCES agents (id),
    sequence           bigint NOT NULL CHECK (sequence >= 0),
    tenant_id          uuid NOT NULL REFERENCES tenants (id),
    received_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (agent_id, sequence)
);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['blocklist_entries', 'agent_allowances', 'metrics_minute', 'metrics_latency_minute',
                             'agent_metric_batches'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I
            USING (tenant_id = tollgate_current_tenant() OR tollgate_is_platform())
            WITH CHECK (tenant_id = tollgate_current_tenant() OR tollgate_is_platform())', t);
    END LOOP;
END $$;
