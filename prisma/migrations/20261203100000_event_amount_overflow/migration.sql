-- The deposit snapshot's amountUsd went through numeric(18, 2), which overflows at 10^16 while amount_stablecoin
-- (DECIMAL(36, 18)) holds up to 10^18: the trigger, not the table, refused such a deposit, and with it the statement
-- that wrote it. trunc(x, 2) already has scale 2, so its text is the same "125.50" without the cast. The rest of the
-- function is unchanged (20261202030000_events).
CREATE OR REPLACE FUNCTION fundflow_status_event() RETURNS TRIGGER AS $$
DECLARE
    ts TEXT := 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"';
BEGIN
    IF TG_TABLE_NAME = 'deposits' THEN
        PERFORM fundflow_record_event('deposit', NEW.status::text, NEW.id, NEW.user_id, jsonb_build_object(
            'id', NEW.id, 'userId', NEW.user_id, 'walletId', NEW.wallet_id, 'chain', NEW.chain, 'txHash', NEW.tx_hash,
            'token', NEW.token, 'amountUsdc', trim_scale(NEW.amount_stablecoin)::text,
            'amountUsd', trunc(NEW.amount_stablecoin, 2)::text, 'status', NEW.status,
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
