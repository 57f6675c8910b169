-- Payment gateways and the money that moves through them: gateway settings (credentials sealed), vendor customers and
-- saved payment methods of crawler operators, top-ups, refunds, webhook deliveries, and tenant payouts.
-- Every row that moves money carries the idempotency key it was (or will be) sent to the vendor with, written before
-- the vendor is called, so a crash at any point is resolved by re-sending the same key.

CREATE TABLE payment_gateways (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name                  text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    kind                  text NOT NULL CHECK (kind IN ('stripe', 'paypal', 'braintree', 'square', 'adyen', 'authorize_net', 'generic')),
    base_url              text NOT NULL CHECK (length(base_url) BETWEEN 8 AND 500),
    -- AES-GCM under a key derived from TOLLGATE_SECRET_KEY, with the gateway id as associated data.
    sealed_credentials    bytea NOT NULL,
    credential_names      text[] NOT NULL,
    minimum_top_up_micros bigint NOT NULL DEFAULT 1000000 CHECK (minimum_top_up_micros > 0),
    enabled               boolean NOT NULL DEFAULT true,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE payment_customers (
    operator_id           uuid NOT NULL REFERENCES crawler_operators (id),
    gateway_id            uuid NOT NULL REFERENCES payment_gateways (id),
    vendor_customer_id    text NOT NULL,
    created_at            timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (operator_id, gateway_id)
);

CREATE TABLE payment_methods (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    operator_id           uuid NOT NULL REFERENCES crawler_operators (id),
    gateway_id            uuid NOT NULL REFERENCES payment_gateways (id),
    vendor_method_id      text NOT NULL,
    display               text NOT NULL,
    status                text NOT NULL CHECK (status IN ('active', 'expired', 'disabled', 'removed')),
    expires_month         int CHECK (expires_month BETWEEN 1 AND 12),
    expires_year          int,
    created_at            timestamptz NOT NULL DEFAULT now(),
    UNIQUE (gateway_id, vendor_method_id)
);
CREATE INDEX payment_methods_operator_idx ON payment_methods (operator_id, created_at);

CREATE TABLE top_ups (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    crawler_account_id    uuid NOT NULL REFERENCES crawler_accounts (id),
    payment_method_id     uuid NOT NULL REFERENCES payment_methods (id),
    gateway_id            uuid NOT NULL REFERENCES payment_gateways (id),
    -- What the caller sent as Idempotency-Key (or the auto top-up's own key): a retried request finds this row.
    request_key           text NOT NULL CHECK (length(request_key) BETWEEN 1 AND 255),
    -- Sent to the vendor: the idempotency key and our reference (≤ 20 of [A-Z0-9], Authorize.Net's limit).
    vendor_key            text NOT NULL UNIQUE,
    reference             text NOT NULL UNIQUE CHECK (reference ~ '^[A-Z0-9]{1,20}$'),
    source                text NOT NULL CHECK (source IN ('manual', 'auto')),
    amount_micros         bigint NOT NULL CHECK (amount_micros > 0),
    currency              text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    status                text NOT NULL CHECK (status IN ('pending', 'succeeded', 'declined', 'failed')),
    vendor_payment_id     text,
    failure_code          text,
    failure_message       text,
    refunded_micros       bigint NOT NULL DEFAULT 0 CHECK (refunded_micros >= 0),
    ledger_transaction_id uuid REFERENCES ledger_transactions (id),
    attempts              int NOT NULL DEFAULT 0,
    next_attempt_at       timestamptz NOT NULL DEFAULT now(),
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    UNIQUE (crawler_account_id, request_key),
    -- Refunds never exceed what was paid, and only succeeded top-ups are refunded.
    CHECK (refunded_micros <= amount_micros),
    CHECK (refunded_micros = 0 OR status = 'succeeded'),
    CHECK ((status = 'succeeded') = (ledger_transaction_id IS NOT NULL))
);
CREATE INDEX top_ups_account_idx ON top_ups (crawler_account_id, created_at DESC);
CREATE INDEX top_ups_pending_idx ON top_ups (next_attempt_at) WHERE status = 'pending';
CREATE UNIQUE INDEX top_ups_vendor_payment_idx ON top_ups (gateway_id, vendor_payment_id);
-- At most one automatic top-up in flight per account.
CREATE UNIQUE INDEX top_ups_one_auto_pending ON top_ups (crawler_account_id) WHERE source = 'auto' AND status = 'pending';

CREATE TABLE refunds (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    top_up_id             uuid NOT NULL REFERENCES top_ups (id),
    request_key           text NOT NULL CHECK (length(request_key) BETWEEN 1 AND 255),
    vendor_key            text NOT NULL UNIQUE,
    reference             text NOT NULL UNIQUE CHECK (reference ~ '^[A-Z0-9]{1,20}$'),
    amount_micros         bigint NOT NULL CHECK (amount_micros > 0),
    currency              text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    reason                text NOT NULL CHECK (length(reason) <= 500),
    -- The ledger debit is posted when the refund is asked for (so the money cannot be spent meanwhile) and reversed
    -- if the vendor refuses.
    status                text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    vendor_refund_id      text,
    failure_message       text,
    ledger_transaction_id uuid NOT NULL REFERENCES ledger_transactions (id),
    reversal_transaction_id uuid REFERENCES ledger_transactions (id),
    attempts              int NOT NULL DEFAULT 0,
    next_attempt_at       timestamptz NOT NULL DEFAULT now(),
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    UNIQUE (top_up_id, request_key),
    CHECK ((status = 'failed') = (reversal_transaction_id IS NOT NULL))
);
CREATE INDEX refunds_pending_idx ON refunds (next_attempt_at) WHERE status = 'pending';

CREATE TABLE auto_top_ups (
    crawler_account_id    uuid PRIMARY KEY REFERENCES crawler_accounts (id),
    payment_method_id     uuid NOT NULL REFERENCES payment_methods (id),
    threshold_micros      bigint NOT NULL CHECK (threshold_micros >= 0),
    amount_micros         bigint NOT NULL CHECK (amount_micros > 0),
    enabled               boolean NOT NULL DEFAULT true,
    -- Why the last automatic top-up did not go through; cleared by a success or a settings change.
    last_failure          text,
    updated_at            timestamptz NOT NULL DEFAULT now()
);

-- One row per vendor event id: a redelivered event finds its row and changes nothing.
CREATE TABLE webhook_events (
    gateway_id            uuid NOT NULL REFERENCES payment_gateways (id),
    event_id              text NOT NULL CHECK (length(event_id) BETWEEN 1 AND 255),
    event_type            text NOT NULL,
    outcome               text NOT NULL,
    received_at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (gateway_id, event_id)
);

CREATE TABLE payouts (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id             uuid NOT NULL REFERENCES tenants (id),
    period_start          date NOT NULL,
    period_end            date NOT NULL,
    amount_micros         bigint NOT NULL CHECK (amount_micros > 0),
    currency              text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    method                text NOT NULL CHECK (method IN ('manual')),
    reference             text NOT NULL CHECK (length(reference) BETWEEN 1 AND 200),
    note                  text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    ledger_transaction_id uuid NOT NULL REFERENCES ledger_transactions (id),
    created_by            uuid NOT NULL,
    created_at            timestamptz NOT NULL DEFAULT now(),
    CHECK (period_end > period_start),
    UNIQUE (tenant_id, currency, period_start, period_end)
);
CREATE INDEX payouts_tenant_idx ON payouts (tenant_id, period_start DESC);
ALTER TABLE payouts ENABLE ROW LEVEL SECURITY;
ALTER TABLE payouts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON payouts
    USING (tenant_id = tollgate_current_tenant() OR tollgate_is_platform())
    WITH CHECK (tenant_id = tollgate_current_tenant() OR tollgate_is_platform());

-- Payouts move tenant earnings out of the platform.
ALTER TABLE ledger_accounts DROP CONSTRAINT ledger_accounts_kind_check;
ALTER TABLE ledger_accounts ADD CONSTRAINT ledger_accounts_kind_check CHECK (kind IN (
    'crawler_balance', 'tenant_earnings', 'platform_fees', 'gateway_clearing', 'refunds', 'manual_adjustments', 'payouts'));
ALTER TABLE ledger_transactions DROP CONSTRAINT ledger_transactions_kind_check;
ALTER TABLE ledger_transactions ADD CONSTRAINT ledger_transactions_kind_check CHECK (
    kind IN ('charge', 'top_up', 'refund', 'credit', 'adjustment', 'payout'));
