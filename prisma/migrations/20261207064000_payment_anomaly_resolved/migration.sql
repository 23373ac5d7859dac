-- Staff mark a payment kept for reconciliation as handled (refunded in the merchant platform, …).
ALTER TABLE "payments" ADD COLUMN "anomaly_resolved_at" TIMESTAMPTZ(6);
ALTER TABLE "payments" ADD COLUMN "anomaly_note" TEXT;
