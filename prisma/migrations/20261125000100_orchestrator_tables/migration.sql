-- Tables beyond the seed; the README says why each exists.

CREATE TABLE "idempotency_keys" (
    "user_id" UUID NOT NULL,
    "key" VARCHAR(255) NOT NULL,
    "request_hash" CHAR(64) NOT NULL,
    "resource_type" VARCHAR(50) NOT NULL,
    "resource_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "idempotency_keys_pkey" PRIMARY KEY ("user_id","key")
);

CREATE TABLE "order_legs" (
    "order_id" UUID NOT NULL,
    "symbol" VARCHAR(100) NOT NULL,
    "client_order_id" VARCHAR(128) NOT NULL,
    "notional_usd" DECIMAL(18,2),
    "quantity" DECIMAL(36,18),
    "alpaca_order_ref" VARCHAR(255),
    "status" "order_status" NOT NULL DEFAULT 'pending',
    "filled_quantity" DECIMAL(36,18) NOT NULL DEFAULT 0,
    "filled_amount_usd" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "filled_avg_price" DECIMAL(18,6),
    "created_at" TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "order_legs_pkey" PRIMARY KEY ("order_id","symbol")
);

CREATE UNIQUE INDEX "order_legs_client_order_id_key" ON "order_legs"("client_order_id");

ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION;

ALTER TABLE "order_legs" ADD CONSTRAINT "order_legs_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE NO ACTION;

CREATE TRIGGER update_order_legs_updated_at BEFORE UPDATE ON order_legs FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
