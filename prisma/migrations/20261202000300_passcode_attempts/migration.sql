-- Passcode brute-force guard (issue 15): consecutive wrong passcodes per user, the time before which the next
-- try is refused (backoff, then a lockout), and the withdrawal hold a passcode change starts. In the database, so
-- the count survives restarts and every API process sees the same one. The seed's users table keeps its DDL.

CREATE TABLE "passcode_attempts" (
    "user_id" UUID NOT NULL,
    "consecutive_failures" INTEGER NOT NULL DEFAULT 0,
    "locked_until" TIMESTAMPTZ,
    "last_attempt_at" TIMESTAMPTZ,
    "withdrawals_held_until" TIMESTAMPTZ,
    "created_at" TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "passcode_attempts_pkey" PRIMARY KEY ("user_id"),
    CONSTRAINT "passcode_attempts_failures_not_negative" CHECK ("consecutive_failures" >= 0)
);

ALTER TABLE "passcode_attempts" ADD CONSTRAINT "passcode_attempts_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION;

CREATE TRIGGER update_passcode_attempts_updated_at BEFORE UPDATE ON "passcode_attempts"
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
