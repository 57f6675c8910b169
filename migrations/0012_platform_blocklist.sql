-- Platform-wide blocklist entries (tenant_id NULL), kept by platform operators: addresses, ranges, crawlers and user
-- agents that every tenant's edge agents refuse. Tenants read them (their agents sync them) but cannot change them;
-- a tenant's own allow entry still exempts a client on that tenant's sites (an allow wins at the edge).
ALTER TABLE blocklist_entries
    ALTER COLUMN tenant_id DROP NOT NULL,
    ADD COLUMN created_by_operator uuid REFERENCES operators (id),
    ADD CHECK (tenant_id IS NOT NULL OR created_by IS NULL);
CREATE INDEX blocklist_entries_platform_idx ON blocklist_entries (created_at DESC, id) WHERE tenant_id IS NULL;

DROP POLICY tenant_isolation ON blocklist_entries;
CREATE POLICY tenant_isolation ON blocklist_entries
    USING (tenant_id = tollgate_current_tenant() OR tollgate_is_platform())
    WITH CHECK (tenant_id = tollgate_current_tenant() OR tollgate_is_platform());
-- Policies of one command are OR-ed: reading also sees the platform's entries, writing does not.
CREATE POLICY platform_entries_readable ON blocklist_entries FOR SELECT USING (tenant_id IS NULL);
