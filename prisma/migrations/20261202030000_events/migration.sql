-- Events and webhooks (issue 17).
--
-- events: the outbox. Every status change of a deposit, withdrawal, order or wallet, every KYC decision step of a
-- user and every weekly summary written adds one row, from a trigger, in the same transaction as the change: an
-- event exists exactly when its change committed. `sequence` counts per resource (1, 2, ...), so consumers and the
-- webhook delivery keep each resource's order; two changes of one row are serialized by its row lock, and the
-- unique index refuses a duplicate sequence should anything slip past it. `xid` is the writing transaction's id:
-- readers list events ordered by (xid, position) and only below the oldest transaction still running, so an event
-- that commits late can never land behind a cursor that was already handed out. The snapshot is the row as an API
-- client would read it: camelCase, money as decimal strings. No foreign keys: an event outlives its resource.
CREATE TABLE "events" (
    "id" UUID NOT NULL DEFAULT uuid_generate_v4(),
    "position" BIGSERIAL NOT NULL,
    "xid" BIGINT NOT NULL,
    "type" VARCHAR(100) NOT NULL,
    "resource_type" VARCHAR(30) NOT NULL,
    "resource_id" UUID NOT NULL,
    "sequence" INTEGER NOT NULL,
    "user_id" UUID NOT NULL,
    "data" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "events_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "events_position_key" ON "events"("position");
CREATE UNIQUE INDEX "events_resource_type_resource_id_sequence_key" ON "events"("resource_type", "resource_id", "sequence");
CREATE INDEX "idx_events_xid_position" ON "events"("xid", "position");
CREATE INDEX "idx_events_user_id_xid_position" ON "events"("user_id", "xid", "position");

-- Appends one event; called by the triggers below.
CREATE FUNCTION fundflow_record_event(p_resource_type TEXT, p_status TEXT, p_resource_id UUID, p_user_id UUID, p_data JSONB)
RETURNS VOID AS $$
BEGIN
    INSERT INTO "events" ("xid", "type", "resource_type", "resource_id", "sequence", "user_id", "data")
    VALUES (
        pg_current_xact_id()::text::bigint,
        p_resource_type || '.' || p_status,
        p_resource_type,
        p_resource_id,
        COALESCE((SELECT max("sequence") FROM "events" WHERE "resource_type" = p_resource_type AND "resource_id" = p_resource_id), 0) + 1,
        p_user_id,
        p_data
    );
END;
$$ LANGUAGE plpgsql;

-- One trigger function for the five tables: the snapshot is built per table (amounts as text, never JSON numbers;
-- USDC without trailing zeros as the API writes it; no passcode hash, email or phone number).
CREATE FUNCTION fundflow_status_event() RETURNS TRIGGER AS $$
DECLARE
    ts TEXT := 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"';
BEGIN
    IF TG_TABLE_NAME = 'deposits' THEN
        PERFORM fundflow_record_event('deposit', NEW.status::text, NEW.id, NEW.user_id, jsonb_build_object(
            'id', NEW.id, 'userId', NEW.user_id, 'walletId', NEW.wallet_id, 'chain', NEW.chain, 'txHash', NEW.tx_hash,
            'token', NEW.token, 'amountUsdc', trim_scale(NEW.amount_stablecoin)::text,
            'amountUsd', trunc(NEW.amount_stablecoin, 2)::numeric(18,2)::text, 'status', NEW.status,
            'failureReason', NEW.failure_reason,
            'confirmedAt', to_char(NEW.confirmed_at AT TIME ZONE 'UTC', ts),
            'offRampInitiatedAt', to_char(NEW.off_ramp_initiated_at AT TIME ZONE 'UTC', ts),
            'offRampCompletedAt', to_char(NEW.off_ramp_completed_at AT TIME ZONE 'UTC', ts),
            'brokerFundedAt', to_char(NEW.broker_funded_at AT TIME ZONE 'UTC', ts),
            'createdAt', to_char(NEW.created_at AT TIME ZONE 'UTC', ts),
            'updatedAt', to_char(NEW.updated_at AT TIME ZONE 'UTC', ts)));
    ELSIF TG_TABLE_NAME = 'withdrawals' THEN
        PERFORM fundflow_record_event('withdrawal', NEW.status::text, NEW.id, NEW.user_id, jsonb_build_object(
            'id', NEW.id, 'userId', NEW.user_id, 'amountUsd', NEW.amount_usd::text, 'targetChain', NEW.target_chain,
            'targetAddress', NEW.target_address, 'status', NEW.status, 'txHash', NEW.tx_hash,
            'failureReason', NEW.failure_reason,
            'createdAt', to_char(NEW.created_at AT TIME ZONE 'UTC', ts),
            'updatedAt', to_char(NEW.updated_at AT TIME ZONE 'UTC', ts)));
    ELSIF TG_TABLE_NAME = 'orders' THEN
        PERFORM fundflow_record_event('order', NEW.status::text, NEW.id, NEW.user_id, jsonb_build_object(
            'id', NEW.id, 'userId', NEW.user_id, 'basketId', NEW.basket_id, 'assetType', NEW.asset_type,
            'side', NEW.side, 'amountUsd', NEW.amount_usd::text, 'status', NEW.status,
            'failureReason', NEW.failure_reason,
            'createdAt', to_char(NEW.created_at AT TIME ZONE 'UTC', ts),
            'updatedAt', to_char(NEW.updated_at AT TIME ZONE 'UTC', ts)));
    ELSIF TG_TABLE_NAME = 'wallets' THEN
        PERFORM fundflow_record_event('wallet', NEW.status::text, NEW.id, NEW.user_id, jsonb_build_object(
            'id', NEW.id, 'userId', NEW.user_id, 'chain', NEW.chain, 'address', NEW.address, 'status', NEW.status,
            'createdAt', to_char(NEW.created_at AT TIME ZONE 'UTC', ts),
            'updatedAt', to_char(NEW.updated_at AT TIME ZONE 'UTC', ts)));
    ELSIF TG_TABLE_NAME = 'users' THEN
        PERFORM fundflow_record_event('kyc', NEW.kyc_status::text, NEW.id, NEW.id, jsonb_build_object(
            'userId', NEW.id, 'kycStatus', NEW.kyc_status,
            'updatedAt', to_char(NEW.updated_at AT TIME ZONE 'UTC', ts)));
    ELSIF TG_TABLE_NAME = 'ai_summaries' THEN
        PERFORM fundflow_record_event('summary', 'created', NEW.id, NEW.user_id, jsonb_build_object(
            'id', NEW.id, 'userId', NEW.user_id, 'weekStartDate', to_char(NEW.week_start_date, 'YYYY-MM-DD'),
            'summaryMarkdown', NEW.summary_markdown,
            'generatedAt', to_char(NEW.generated_at AT TIME ZONE 'UTC', ts)));
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- A row's first status is an event; later ones only when the status really changed (an UPDATE that rewrites the
-- same status, e.g. one more partial fill, is none).
CREATE TRIGGER fundflow_deposits_status_event AFTER INSERT ON "deposits"
    FOR EACH ROW EXECUTE FUNCTION fundflow_status_event();
CREATE TRIGGER fundflow_deposits_status_change_event AFTER UPDATE OF "status" ON "deposits"
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION fundflow_status_event();
CREATE TRIGGER fundflow_withdrawals_status_event AFTER INSERT ON "withdrawals"
    FOR EACH ROW EXECUTE FUNCTION fundflow_status_event();
CREATE TRIGGER fundflow_withdrawals_status_change_event AFTER UPDATE OF "status" ON "withdrawals"
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION fundflow_status_event();
CREATE TRIGGER fundflow_orders_status_event AFTER INSERT ON "orders"
    FOR EACH ROW EXECUTE FUNCTION fundflow_status_event();
CREATE TRIGGER fundflow_orders_status_change_event AFTER UPDATE OF "status" ON "orders"
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION fundflow_status_event();
CREATE TRIGGER fundflow_wallets_status_event AFTER INSERT ON "wallets"
    FOR EACH ROW EXECUTE FUNCTION fundflow_status_event();
CREATE TRIGGER fundflow_wallets_status_change_event AFTER UPDATE OF "status" ON "wallets"
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION fundflow_status_event();
-- A user row starts not_started: only KYC steps (submitted, decided) are events.
CREATE TRIGGER fundflow_users_kyc_status_event AFTER UPDATE OF "kyc_status" ON "users"
    FOR EACH ROW WHEN (OLD.kyc_status IS DISTINCT FROM NEW.kyc_status) EXECUTE FUNCTION fundflow_status_event();
CREATE TRIGGER fundflow_ai_summaries_event AFTER INSERT ON "ai_summaries"
    FOR EACH ROW EXECUTE FUNCTION fundflow_status_event();

-- webhook_endpoints: where an operator wants events delivered. The secret is returned once at creation and kept
-- for signing (Standard Webhooks, `whsec_` + base64). `event_types` (a JSON array of strings) empty = every type; `deposit.*` = one
-- resource's. The fan-out cursor (cursor_xid, cursor_position) starts at the events of transactions still running
-- at creation: an endpoint gets what happens from its creation on.
CREATE TABLE "webhook_endpoints" (
    "id" UUID NOT NULL DEFAULT uuid_generate_v4(),
    "url" VARCHAR(2048) NOT NULL,
    "description" VARCHAR(500),
    "secret" VARCHAR(255) NOT NULL,
    "event_types" JSONB NOT NULL DEFAULT '[]',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "cursor_xid" BIGINT NOT NULL DEFAULT (pg_snapshot_xmin(pg_current_snapshot())::text::bigint),
    "cursor_position" BIGINT NOT NULL DEFAULT 0,
    "created_by" VARCHAR(255) NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_endpoints_pkey" PRIMARY KEY ("id")
);

-- webhook_deliveries: one per (endpoint, event) the endpoint wants; `pending` until a 2xx (`delivered`) or until
-- its retries ran out (`failed`). A replay sets it `pending` again: the same event id, a new attempt.
CREATE TABLE "webhook_deliveries" (
    "id" UUID NOT NULL DEFAULT uuid_generate_v4(),
    "endpoint_id" UUID NOT NULL,
    "event_id" UUID NOT NULL,
    "resource_type" VARCHAR(30) NOT NULL,
    "resource_id" UUID NOT NULL,
    "sequence" INTEGER NOT NULL,
    "status" VARCHAR(20) NOT NULL DEFAULT 'pending',
    "attempt_count" INTEGER NOT NULL DEFAULT 0,
    "last_attempt_at" TIMESTAMPTZ,
    "delivered_at" TIMESTAMPTZ,
    "created_at" TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "webhook_deliveries_status" CHECK ("status" IN ('pending', 'delivered', 'failed'))
);

CREATE UNIQUE INDEX "webhook_deliveries_endpoint_id_event_id_key" ON "webhook_deliveries"("endpoint_id", "event_id");
CREATE INDEX "idx_webhook_deliveries_resource" ON "webhook_deliveries"("endpoint_id", "resource_type", "resource_id", "sequence");
CREATE INDEX "idx_webhook_deliveries_status" ON "webhook_deliveries"("status");
CREATE INDEX "idx_webhook_deliveries_endpoint_created" ON "webhook_deliveries"("endpoint_id", "created_at");

ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_endpoint_id_fkey" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoints"("id") ON DELETE CASCADE ON UPDATE NO ACTION;
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- webhook_delivery_attempts: every HTTP attempt, as the receiver answered it (status code, latency) or why it
-- could not (error).
CREATE TABLE "webhook_delivery_attempts" (
    "id" BIGSERIAL NOT NULL,
    "delivery_id" UUID NOT NULL,
    "status_code" INTEGER,
    "latency_ms" INTEGER NOT NULL,
    "error" TEXT,
    "succeeded" BOOLEAN NOT NULL,
    "attempted_at" TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_delivery_attempts_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "idx_webhook_delivery_attempts_delivery_id" ON "webhook_delivery_attempts"("delivery_id");

ALTER TABLE "webhook_delivery_attempts" ADD CONSTRAINT "webhook_delivery_attempts_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "webhook_deliveries"("id") ON DELETE CASCADE ON UPDATE NO ACTION;
