-- Reconciliation against the providers (issue 14, src/reconcile/).
--
-- provider_movements: every money-moving call fundflow made at a provider, as the provider answered it, written by
-- the decorator around the provider ports (src/providers/recorded.ts) whatever the saga's own rows say. One row per
-- (provider, provider_id): a retried call that the provider answers with the same effect changes nothing. The
-- idempotency key is ours (<workflowId>:<step>, or an order leg's client_order_id), so a movement names its saga.
CREATE TABLE "provider_movements" (
    "id" BIGSERIAL NOT NULL,
    "provider" VARCHAR(50) NOT NULL,
    "kind" VARCHAR(50) NOT NULL,
    "provider_id" VARCHAR(255) NOT NULL,
    "idempotency_key" VARCHAR(255) NOT NULL,
    "amount" DECIMAL(36,18) NOT NULL,
    "asset" VARCHAR(110) NOT NULL,
    "details" JSONB NOT NULL DEFAULT '{}',
    "first_seen_at" TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "provider_movements_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "provider_movements_provider_provider_id_key" ON "provider_movements"("provider", "provider_id");
CREATE INDEX "idx_provider_movements_idempotency_key" ON "provider_movements"("idempotency_key");

-- reconciliation_breaks: what a reconciliation run found that does not add up, open until an operator resolves it.
-- A break is named by its check and subject (an account, a movement): open_key is "<check> <subject>" while it
-- is open and NULL once resolved, so a later run that sees an open break again updates it (last_seen_at,
-- expected, found) instead of adding another, and the same break seen after its resolution opens a new row.
CREATE TABLE "reconciliation_breaks" (
    "id" UUID NOT NULL DEFAULT uuid_generate_v4(),
    "check_name" VARCHAR(50) NOT NULL,
    "subject" VARCHAR(255) NOT NULL,
    "expected" TEXT NOT NULL,
    "found" TEXT NOT NULL,
    "status" VARCHAR(20) NOT NULL DEFAULT 'open',
    "open_key" VARCHAR(310),
    "first_seen_at" TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_at" TIMESTAMPTZ,
    "resolved_by" VARCHAR(255),
    "resolution_note" TEXT,

    CONSTRAINT "reconciliation_breaks_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "reconciliation_breaks_status" CHECK ("status" IN ('open', 'resolved')),
    CONSTRAINT "reconciliation_breaks_open_key_when_open" CHECK (("status" = 'open') = ("open_key" IS NOT NULL)),
    CONSTRAINT "reconciliation_breaks_resolution" CHECK (("status" = 'resolved') = ("resolved_at" IS NOT NULL AND "resolved_by" IS NOT NULL AND "resolution_note" IS NOT NULL))
);

CREATE UNIQUE INDEX "reconciliation_breaks_open_key_key" ON "reconciliation_breaks"("open_key");
CREATE INDEX "idx_reconciliation_breaks_status" ON "reconciliation_breaks"("status", "first_seen_at");
