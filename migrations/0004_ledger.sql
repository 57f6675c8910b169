-- The money ledger: double-entry, integer micros, one currency per account.
--
-- * Every transaction's entries sum to zero (checked at commit by a deferred constraint trigger) and use the
--   accounts' one currency.
-- * Balances are maintained by a trigger on entry insert, in the same transaction, so a balance always equals the
--   sum of its entries; crawler balances may not fall below minus their overdraft limit (a CHECK, as a backstop
--   to the service's own check).
-- * Transactions carry a unique idempotency key and a fingerprint of what was asked, so a retry returns the first
--   result and a different request under the same key is refused.
-- * Entries and transactions are append-only; corrections are new transactions.

CREATE TABLE ledger_accounts (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind                    text NOT NULL CHECK (kind IN (
                                'crawler_balance', 'tenant_earnings', 'platform_fees', 'gateway_clearing',
                                'refunds', 'manual_adjustments')),
    crawler_account_id      uuid REFERENCES crawler_accounts (id),
    tenant_id               uuid REFERENCES tenants (id),
    currency                text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    balance_micros          bigint NOT NULL DEFAULT 0,
    overdraft_limit_micros  bigint NOT NULL DEFAULT 0 CHECK (overdraft_limit_micros >= 0),
    created_at              timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'crawler_balance') = (crawler_account_id IS NOT NULL)),
    CHECK ((kind = 'tenant_earnings') = (tenant_id IS NOT NULL)),
    CONSTRAINT ledger_accounts_no_overdraft CHECK (kind <> 'crawler_balance' OR balance_micros >= -overdraft_limit_micros),
    CONSTRAINT ledger_accounts_identity UNIQUE NULLS NOT DISTINCT (kind, crawler_account_id, tenant_id, currency)
);

CREATE TABLE ledger_transactions (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    idempotency_key         text NOT NULL UNIQUE CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    kind                    text NOT NULL CHECK (kind IN ('charge', 'top_up', 'refund', 'credit', 'adjustment')),
    -- What caused it (a usage event, a gateway payment, an operator action …), for tracing every movement.
    cause_type              text NOT NULL,
    cause_id                text NOT NULL,
    memo                    text NOT NULL DEFAULT '' CHECK (length(memo) <= 500),
    fingerprint             bytea NOT NULL,
    created_at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ledger_transactions_cause_idx ON ledger_transactions (cause_type, cause_id);

CREATE TABLE ledger_entries (
    id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    transaction_id          uuid NOT NULL REFERENCES ledger_transactions (id),
    account_id              uuid NOT NULL REFERENCES ledger_accounts (id),
    amount_micros           bigint NOT NULL CHECK (amount_micros <> 0),
    created_at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ledger_entries_account_idx ON ledger_entries (account_id, id);
CREATE INDEX ledger_entries_transaction_idx ON ledger_entries (transaction_id);

CREATE FUNCTION ledger_apply_entry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE ledger_accounts SET balance_micros = balance_micros + NEW.amount_micros WHERE id = NEW.account_id;
    RETURN NEW;
END $$;
CREATE TRIGGER ledger_apply_entry AFTER INSERT ON ledger_entries FOR EACH ROW EXECUTE FUNCTION ledger_apply_entry();

CREATE FUNCTION ledger_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    total numeric;
    currencies integer;
BEGIN
    SELECT sum(e.amount_micros), count(DISTINCT a.currency) INTO total, currencies
        FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id
        WHERE e.transaction_id = NEW.transaction_id;
    IF total <> 0 OR currencies <> 1 THEN
        RAISE EXCEPTION 'ledger transaction % is unbalanced (sum % micros over % currencies)', NEW.transaction_id, total, currencies
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER ledger_check_balanced AFTER INSERT ON ledger_entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_balanced();

CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only; post a correcting transaction instead', TG_TABLE_NAME;
END $$;
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_transactions_append_only BEFORE UPDATE OR DELETE ON ledger_transactions
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();

-- Usage events from the edge, each posted at most once (keyed by its event id) as a charge or recorded as refused.
CREATE TABLE charges (
    event_id                text PRIMARY KEY CHECK (length(event_id) BETWEEN 1 AND 200),
    status                  text NOT NULL CHECK (status IN ('posted', 'rejected')),
    -- Why a charge was refused: insufficient_funds, daily_cap, monthly_cap, account_suspended, currency_mismatch,
    -- unknown_account, unknown_site.
    reason                  text,
    transaction_id          uuid REFERENCES ledger_transactions (id),
    tenant_id               uuid REFERENCES tenants (id),
    site_id                 uuid REFERENCES sites (id),
    crawler_account_id      uuid REFERENCES crawler_accounts (id),
    url                     text NOT NULL CHECK (length(url) <= 4096),
    price_micros            bigint NOT NULL CHECK (price_micros > 0),
    currency                text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    fee_micros              bigint NOT NULL DEFAULT 0,
    occurred_at             timestamptz NOT NULL,
    posted_at               timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'posted') = (transaction_id IS NOT NULL))
);
CREATE INDEX charges_tenant_idx ON charges (tenant_id, occurred_at);
CREATE INDEX charges_account_idx ON charges (crawler_account_id, occurred_at);

-- What each crawler account spent per UTC day, maintained with each charge: the caps' running totals.
CREATE TABLE crawler_spend_days (
    crawler_account_id      uuid NOT NULL REFERENCES crawler_accounts (id),
    day                     date NOT NULL,
    spent_micros            bigint NOT NULL,
    PRIMARY KEY (crawler_account_id, day)
);

-- Tenants see their own charges and earnings accounts (statements); rows without a tenant, and everything else in
-- the ledger, are reached only in platform transactions.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['charges', 'ledger_accounts'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I
            USING (tenant_id = tollgate_current_tenant() OR tollgate_is_platform())
            WITH CHECK (tenant_id = tollgate_current_tenant() OR tollgate_is_platform())', t);
    END LOOP;
END $$;
