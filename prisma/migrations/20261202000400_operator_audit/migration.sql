-- Operator audit log (issue 15): one row per operator action (KYC decision, retry, abort, summary run) with the
-- operator's token subject, the action, its target, whether it was accepted or refused (and why) and when.
-- Append-only by the database, not by convention: a trigger refuses every UPDATE, DELETE and TRUNCATE, so neither
-- a bug nor a hand with the application's credentials can rewrite who did what. The target is kept as text
-- without a foreign key: the record outlives its target and names even ids that never existed.

CREATE TABLE "operator_audit_log" (
    "id" UUID NOT NULL DEFAULT uuid_generate_v4(),
    "operator_subject" VARCHAR(255) NOT NULL,
    "action" VARCHAR(50) NOT NULL,
    "target_kind" VARCHAR(50) NOT NULL,
    "target_id" VARCHAR(255) NOT NULL,
    "outcome" VARCHAR(20) NOT NULL,
    "reason" TEXT,
    "details" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "operator_audit_log_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "operator_audit_log_outcome" CHECK ("outcome" IN ('accepted', 'refused', 'failed')),
    CONSTRAINT "operator_audit_log_refusal_has_reason" CHECK (("outcome" = 'accepted') = ("reason" IS NULL))
);

CREATE INDEX "idx_operator_audit_log_created_at" ON "operator_audit_log"("created_at", "id");

CREATE FUNCTION fundflow_operator_audit_append_only() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
        MESSAGE = format('operator_audit_log is append-only: %s is not allowed', TG_OP);
END;
$$;

CREATE TRIGGER operator_audit_log_no_update_or_delete BEFORE UPDATE OR DELETE ON "operator_audit_log"
    FOR EACH ROW EXECUTE FUNCTION fundflow_operator_audit_append_only();
CREATE TRIGGER operator_audit_log_no_truncate BEFORE TRUNCATE ON "operator_audit_log"
    FOR EACH STATEMENT EXECUTE FUNCTION fundflow_operator_audit_append_only();
