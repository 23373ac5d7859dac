-- A validly signed payment for an order that is no longer awaiting payment (already PAID, REFUNDED,
-- CLOSED, …) under another transaction id is kept for reconciliation but never credited.
ALTER TABLE "payments" ADD COLUMN "anomaly" TEXT;

-- The stored notify payload keeps what reconciliation needs, not the payer's openid.
UPDATE "payments" SET "raw" = "raw" - 'payer' WHERE jsonb_typeof("raw") = 'object' AND "raw" ? 'payer';
