-- Money safety (issue 13): every inbound transfer and what became of it, money the firm holds that no user
-- balance shows (suspense, rounding), and the position quantity a sell holds from accept until it settles.
-- The seed's tables keep their DDL; only order_legs (ours) gains a column.

-- What became of an inbound transfer: the deposit row of its transaction, held for an operator (USDC that cannot
-- be the transaction's deposit row, e.g. a second transfer in one transaction), or ignored (not our USDC).
CREATE TYPE "inbound_disposition" AS ENUM ('deposit', 'held', 'ignored');

CREATE TABLE "inbound_transfers" (
    "circle_transfer_id" VARCHAR(255) NOT NULL,
    "chain" "chain_type" NOT NULL,
    "tx_hash" VARCHAR(255) NOT NULL,
    "wallet_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "token_id" VARCHAR(255) NOT NULL,
    "token_address" VARCHAR(255),
    "token_symbol" VARCHAR(50),
    "amount" DECIMAL(36,18) NOT NULL,
    "disposition" "inbound_disposition" NOT NULL,
    "reason" TEXT,
    "deposit_id" UUID,
    "created_at" TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "inbound_transfers_pkey" PRIMARY KEY ("circle_transfer_id"),
    CONSTRAINT "inbound_transfers_deposit_link" CHECK (("disposition" = 'deposit') = ("deposit_id" IS NOT NULL))
);

CREATE UNIQUE INDEX "inbound_transfers_deposit_id_key" ON "inbound_transfers"("deposit_id");
CREATE INDEX "idx_inbound_transfers_chain_tx_hash" ON "inbound_transfers"("chain", "tx_hash");
CREATE INDEX "idx_inbound_transfers_disposition" ON "inbound_transfers"("disposition");

ALTER TABLE "inbound_transfers" ADD CONSTRAINT "inbound_transfers_wallet_id_fkey" FOREIGN KEY ("wallet_id") REFERENCES "wallets"("id") ON DELETE NO ACTION ON UPDATE NO ACTION;
ALTER TABLE "inbound_transfers" ADD CONSTRAINT "inbound_transfers_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION;
ALTER TABLE "inbound_transfers" ADD CONSTRAINT "inbound_transfers_deposit_id_fkey" FOREIGN KEY ("deposit_id") REFERENCES "deposits"("id") ON DELETE NO ACTION ON UPDATE NO ACTION;

CREATE TRIGGER update_inbound_transfers_updated_at BEFORE UPDATE ON inbound_transfers FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

-- suspense: money received for a user and not credited (a deposit whose payout or funding was abandoned);
-- rounding: what truncation to cents and fill rounding left over (dust), signed, in the firm's favour when > 0.
CREATE TYPE "unallocated_kind" AS ENUM ('suspense', 'rounding');

CREATE TABLE "unallocated_funds" (
    "id" UUID NOT NULL DEFAULT uuid_generate_v4(),
    "kind" "unallocated_kind" NOT NULL,
    "currency" VARCHAR(100) NOT NULL,
    "amount" DECIMAL(36,18) NOT NULL,
    "user_id" UUID,
    "source" VARCHAR(255) NOT NULL,
    "reason" TEXT NOT NULL,
    "resolved_at" TIMESTAMPTZ,
    "created_at" TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "unallocated_funds_pkey" PRIMARY KEY ("id")
);

-- Recording is idempotent: one entry per source, kind and currency, whoever retries.
CREATE UNIQUE INDEX "unallocated_funds_source_kind_currency_key" ON "unallocated_funds"("source", "kind", "currency");
CREATE INDEX "idx_unallocated_funds_kind" ON "unallocated_funds"("kind");

ALTER TABLE "unallocated_funds" ADD CONSTRAINT "unallocated_funds_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION;

-- A sell leg takes the quantity it may sell out of positions_cache at accept and keeps it here; fills are paid
-- from it (never more), and settling gives back what did not fill.
ALTER TABLE "order_legs" ADD COLUMN "held_quantity" DECIMAL(36,18) NOT NULL DEFAULT 0;

-- Raises, and so undoes the whole statement, when a guarded money statement would change a row without the
-- balance move that the change requires (a missing balances row must never turn into a silent status change).
CREATE FUNCTION fundflow_require(ok BOOLEAN, message TEXT) RETURNS BOOLEAN LANGUAGE plpgsql AS $$
BEGIN
    IF ok IS NOT TRUE THEN
        RAISE EXCEPTION USING ERRCODE = 'check_violation', MESSAGE = message;
    END IF;
    RETURN TRUE;
END;
$$;
