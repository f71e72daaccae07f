-- Double-entry ledger (issue 14). Every money movement is one ledger transaction: postings on named accounts,
-- signed (+ debit, - credit), that sum to zero per asset ('USD', 'USDC', 'share:<symbol>'). The database refuses
-- an unbalanced or empty transaction at commit (deferred constraint triggers), so a statement that writes one
-- cannot commit half of it. Both tables are append-only: a correction is a new transaction.
--
-- Accounts are text: user:<uuid>:<purpose> for what the firm owes a user (credit-normal: a balance is -sum),
-- circle:*, alpaca:* for the pools the providers hold (debit-normal), firm:* for conversion at par, rounding and
-- suspense. The seed's balances and positions_cache are projections of the user accounts (src/ledger/).
-- One transaction per (reference, kind): the reference names what moved (deposit:<id>, order-leg:<...>), the
-- kind the step, so a retried step can never book twice.

CREATE TABLE "ledger_transactions" (
    "id" BIGSERIAL NOT NULL,
    "reference" VARCHAR(255) NOT NULL,
    "kind" VARCHAR(100) NOT NULL,
    "user_id" UUID,
    "created_at" TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ledger_transactions_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "ledger_transactions_reference_kind_key" ON "ledger_transactions"("reference", "kind");
CREATE INDEX "idx_ledger_transactions_user_id" ON "ledger_transactions"("user_id");

CREATE TABLE "ledger_postings" (
    "id" BIGSERIAL NOT NULL,
    "transaction_id" BIGINT NOT NULL,
    "account" VARCHAR(255) NOT NULL,
    "asset" VARCHAR(110) NOT NULL,
    "amount" DECIMAL(36,18) NOT NULL,
    "user_id" UUID,

    CONSTRAINT "ledger_postings_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "ledger_postings_nonzero" CHECK ("amount" <> 0),
    CONSTRAINT "ledger_postings_user_account" CHECK (("account" LIKE 'user:%') = ("user_id" IS NOT NULL))
);

CREATE INDEX "idx_ledger_postings_transaction_id" ON "ledger_postings"("transaction_id");
CREATE INDEX "idx_ledger_postings_account_asset" ON "ledger_postings"("account", "asset");
CREATE INDEX "idx_ledger_postings_user_id" ON "ledger_postings"("user_id");

ALTER TABLE "ledger_postings" ADD CONSTRAINT "ledger_postings_transaction_id_fkey" FOREIGN KEY ("transaction_id") REFERENCES "ledger_transactions"("id") ON DELETE NO ACTION ON UPDATE NO ACTION;
ALTER TABLE "ledger_postings" ADD CONSTRAINT "ledger_postings_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE NO ACTION ON UPDATE NO ACTION;
ALTER TABLE "ledger_transactions" ADD CONSTRAINT "ledger_transactions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE NO ACTION ON UPDATE NO ACTION;

-- At commit: every asset of the posting's transaction sums to zero.
CREATE FUNCTION fundflow_ledger_balanced() RETURNS TRIGGER LANGUAGE plpgsql AS $$
DECLARE
    unbalanced RECORD;
BEGIN
    SELECT asset, sum(amount) AS total INTO unbalanced FROM ledger_postings
    WHERE transaction_id = NEW.transaction_id GROUP BY asset HAVING sum(amount) <> 0 LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'check_violation',
            MESSAGE = format('ledger transaction %s does not balance: %s sums to %s', NEW.transaction_id, unbalanced.asset, unbalanced.total);
    END IF;
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER ledger_postings_balanced AFTER INSERT ON "ledger_postings"
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fundflow_ledger_balanced();

-- At commit: a transaction has postings (an empty one would record a movement that moved nothing).
CREATE FUNCTION fundflow_ledger_not_empty() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM ledger_postings WHERE transaction_id = NEW.id) THEN
        RAISE EXCEPTION USING ERRCODE = 'check_violation',
            MESSAGE = format('ledger transaction %s (%s %s) has no postings', NEW.id, NEW.kind, NEW.reference);
    END IF;
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER ledger_transactions_not_empty AFTER INSERT ON "ledger_transactions"
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fundflow_ledger_not_empty();

CREATE FUNCTION fundflow_ledger_append_only() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
        MESSAGE = format('%s is append-only: %s is not allowed', TG_TABLE_NAME, TG_OP);
END;
$$;

CREATE TRIGGER ledger_transactions_append_only BEFORE UPDATE OR DELETE ON "ledger_transactions"
    FOR EACH ROW EXECUTE FUNCTION fundflow_ledger_append_only();
CREATE TRIGGER ledger_transactions_no_truncate BEFORE TRUNCATE ON "ledger_transactions"
    FOR EACH STATEMENT EXECUTE FUNCTION fundflow_ledger_append_only();
CREATE TRIGGER ledger_postings_append_only BEFORE UPDATE OR DELETE ON "ledger_postings"
    FOR EACH ROW EXECUTE FUNCTION fundflow_ledger_append_only();
CREATE TRIGGER ledger_postings_no_truncate BEFORE TRUNCATE ON "ledger_postings"
    FOR EACH STATEMENT EXECUTE FUNCTION fundflow_ledger_append_only();
