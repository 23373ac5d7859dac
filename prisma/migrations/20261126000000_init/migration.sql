-- CreateEnum
CREATE TYPE "review_mode" AS ENUM ('MANUAL', 'AUTOMATIC');
CREATE TYPE "retake_policy" AS ENUM ('PAY_AGAIN', 'CONTACT_SUPPORT');
CREATE TYPE "campaign_status" AS ENUM ('DRAFT', 'OPEN', 'CLOSED');
CREATE TYPE "admission_photo_status" AS ENUM ('MISSING', 'PRESENT', 'DISPUTED');
CREATE TYPE "roster_status" AS ENUM ('ELIGIBLE', 'INELIGIBLE');
CREATE TYPE "capture_code_status" AS ENUM ('BOUND', 'REVOKED');
CREATE TYPE "submission_state" AS ENUM ('NEW', 'CONSENTED', 'CODE_BOUND', 'PAID', 'PHOTO_CHECKED', 'STANDARDIZED', 'SUBMITTED', 'ADMISSION_CONFIRMED', 'ADMISSION_DISPUTED', 'COMPARE_BLOCKED', 'NEEDS_MANUAL_PASS', 'REVIEWING', 'APPROVED', 'REJECTED');
CREATE TYPE "order_status" AS ENUM ('CREATED', 'PAID', 'CLOSED', 'REFUNDING', 'PARTIALLY_REFUNDED', 'REFUNDED');
CREATE TYPE "refund_status" AS ENUM ('PROCESSING', 'SUCCESS', 'CLOSED', 'ABNORMAL');
CREATE TYPE "photo_source" AS ENUM ('CAMERA', 'ALBUM');
CREATE TYPE "review_decision" AS ENUM ('APPROVED', 'REJECTED');
CREATE TYPE "notification_status" AS ENUM ('PENDING', 'SENT', 'FAILED', 'SKIPPED');
CREATE TYPE "staff_role" AS ENUM ('OPERATOR', 'SCHOOL_ADMIN', 'REVIEWER', 'CUSTOMER_SERVICE');
CREATE TYPE "session_kind" AS ENUM ('GRADUATE', 'STAFF');
CREATE TYPE "actor_type" AS ENUM ('STAFF', 'GRADUATE', 'SYSTEM');
CREATE TYPE "task_status" AS ENUM ('QUEUED', 'RUNNING', 'DONE', 'FAILED');

-- CreateTable
CREATE TABLE "schools" (
    "id" UUID NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,
    CONSTRAINT "schools_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "campaigns" (
    "id" UUID NOT NULL,
    "school_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "cohort" TEXT NOT NULL,
    "status" "campaign_status" NOT NULL DEFAULT 'DRAFT',
    "opens_at" TIMESTAMPTZ(6) NOT NULL,
    "closes_at" TIMESTAMPTZ(6) NOT NULL,
    "fee_fen" INTEGER NOT NULL DEFAULT 0,
    "school_paid" BOOLEAN NOT NULL DEFAULT false,
    "photo_spec" JSONB NOT NULL,
    "review_mode" "review_mode" NOT NULL DEFAULT 'MANUAL',
    "free_retakes" INTEGER NOT NULL DEFAULT 2,
    "retake_policy" "retake_policy" NOT NULL DEFAULT 'CONTACT_SUPPORT',
    "capture_code_provider" TEXT NOT NULL DEFAULT 'demo',
    "provider_config" JSONB NOT NULL DEFAULT '{}',
    "customer_service_phone" TEXT NOT NULL,
    "customer_service_hours" TEXT NOT NULL,
    "registrar_contact" TEXT NOT NULL,
    "payment_contact" TEXT NOT NULL,
    "notify_templates" JSONB NOT NULL DEFAULT '{}',
    "export_name_pattern" TEXT NOT NULL DEFAULT '{uniqueNumber}.jpg',
    "consent_version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,
    CONSTRAINT "campaigns_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "consent_texts" (
    "id" UUID NOT NULL,
    "campaign_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "text" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "consent_texts_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "roster_entries" (
    "id" UUID NOT NULL,
    "campaign_id" UUID NOT NULL,
    "unique_number" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "id_number_masked" TEXT NOT NULL,
    "id_number_encrypted" BYTEA,
    "phone" TEXT,
    "college" TEXT NOT NULL,
    "major" TEXT NOT NULL,
    "degree_level" TEXT NOT NULL,
    "admission_photo_key" TEXT,
    "admission_photo_status" "admission_photo_status" NOT NULL DEFAULT 'MISSING',
    "dispute_note" TEXT,
    "disputed_at" TIMESTAMPTZ(6),
    "status" "roster_status" NOT NULL DEFAULT 'ELIGIBLE',
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,
    CONSTRAINT "roster_entries_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "wechat_users" (
    "id" UUID NOT NULL,
    "openid" TEXT NOT NULL,
    "unionid" TEXT,
    "nickname" TEXT,
    "avatar_url" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_login_at" TIMESTAMPTZ(6),
    CONSTRAINT "wechat_users_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "consents" (
    "id" UUID NOT NULL,
    "wechat_user_id" UUID NOT NULL,
    "campaign_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "accepted_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "client_info" JSONB NOT NULL DEFAULT '{}',
    "ip" TEXT,
    CONSTRAINT "consents_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "capture_codes" (
    "id" UUID NOT NULL,
    "raw_text" TEXT NOT NULL,
    "raw_sha256" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "decoded_fields" JSONB NOT NULL,
    "unique_number" TEXT NOT NULL,
    "roster_entry_id" UUID NOT NULL,
    "wechat_user_id" UUID NOT NULL,
    "status" "capture_code_status" NOT NULL DEFAULT 'BOUND',
    "bound_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(6),
    CONSTRAINT "capture_codes_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "submissions" (
    "id" UUID NOT NULL,
    "campaign_id" UUID NOT NULL,
    "wechat_user_id" UUID NOT NULL,
    "roster_entry_id" UUID,
    "state" "submission_state" NOT NULL DEFAULT 'NEW',
    "version" INTEGER NOT NULL DEFAULT 0,
    "consent_version" INTEGER,
    "payment_exempt" BOOLEAN NOT NULL DEFAULT false,
    "free_retakes_left" INTEGER NOT NULL DEFAULT 2,
    "qualifying_failures" INTEGER NOT NULL DEFAULT 0,
    "current_photo_id" UUID,
    "submitted_photo_id" UUID,
    "review_claimed_by_id" UUID,
    "review_claimed_until" TIMESTAMPTZ(6),
    "submitted_at" TIMESTAMPTZ(6),
    "decided_at" TIMESTAMPTZ(6),
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,
    CONSTRAINT "submissions_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "submission_transitions" (
    "id" BIGSERIAL NOT NULL,
    "submission_id" UUID NOT NULL,
    "event" TEXT NOT NULL,
    "from_state" "submission_state" NOT NULL,
    "to_state" "submission_state" NOT NULL,
    "actor_type" "actor_type" NOT NULL,
    "actor_id" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "submission_transitions_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "orders" (
    "id" UUID NOT NULL,
    "submission_id" UUID NOT NULL,
    "out_trade_no" TEXT NOT NULL,
    "amount_fen" INTEGER NOT NULL,
    "description" TEXT NOT NULL,
    "status" "order_status" NOT NULL DEFAULT 'CREATED',
    "prepay_id" TEXT,
    "expires_at" TIMESTAMPTZ(6) NOT NULL,
    "paid_at" TIMESTAMPTZ(6),
    "last_queried_at" TIMESTAMPTZ(6),
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,
    CONSTRAINT "orders_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "payments" (
    "id" UUID NOT NULL,
    "order_id" UUID NOT NULL,
    "transaction_id" TEXT NOT NULL,
    "amount_fen" INTEGER NOT NULL,
    "payer_openid" TEXT NOT NULL,
    "trade_state" TEXT NOT NULL,
    "success_time" TIMESTAMPTZ(6) NOT NULL,
    "raw" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "payments_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "refunds" (
    "id" UUID NOT NULL,
    "order_id" UUID NOT NULL,
    "out_refund_no" TEXT NOT NULL,
    "refund_id" TEXT,
    "amount_fen" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "status" "refund_status" NOT NULL DEFAULT 'PROCESSING',
    "staff_user_id" UUID,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "succeeded_at" TIMESTAMPTZ(6),
    CONSTRAINT "refunds_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "photos" (
    "id" UUID NOT NULL,
    "submission_id" UUID NOT NULL,
    "source" "photo_source" NOT NULL,
    "original_key" TEXT NOT NULL,
    "original_sha256" TEXT NOT NULL,
    "original_bytes" INTEGER NOT NULL,
    "standardized_key" TEXT,
    "print_key" TEXT,
    "check_report" JSONB,
    "compliant" BOOLEAN,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "photos_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "standardisation_attempts" (
    "id" UUID NOT NULL,
    "submission_id" UUID NOT NULL,
    "photo_id" UUID NOT NULL,
    "day" DATE NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "standardisation_attempts_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "comparisons" (
    "id" UUID NOT NULL,
    "submission_id" UUID NOT NULL,
    "photo_id" UUID NOT NULL,
    "reference_key" TEXT NOT NULL,
    "score" DOUBLE PRECISION,
    "threshold" DOUBLE PRECISION NOT NULL,
    "passed" BOOLEAN NOT NULL,
    "qualifying" BOOLEAN NOT NULL,
    "model_id" TEXT NOT NULL,
    "calibration_version" TEXT NOT NULL,
    "error_code" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "comparisons_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "reviews" (
    "id" UUID NOT NULL,
    "submission_id" UUID NOT NULL,
    "photo_id" UUID NOT NULL,
    "decision" "review_decision" NOT NULL,
    "reason" TEXT,
    "automatic" BOOLEAN NOT NULL DEFAULT false,
    "reviewer_id" UUID,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "reviews_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "rejection_reason_templates" (
    "id" UUID NOT NULL,
    "school_id" UUID NOT NULL,
    "text" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "sort_order" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "rejection_reason_templates_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "overrides" (
    "id" UUID NOT NULL,
    "submission_id" UUID NOT NULL,
    "staff_user_id" UUID NOT NULL,
    "reason" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "overrides_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "subscription_grants" (
    "id" UUID NOT NULL,
    "wechat_user_id" UUID NOT NULL,
    "template_id" TEXT NOT NULL,
    "accepted_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "used_at" TIMESTAMPTZ(6),
    CONSTRAINT "subscription_grants_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "notifications" (
    "id" UUID NOT NULL,
    "wechat_user_id" UUID NOT NULL,
    "submission_id" UUID,
    "kind" TEXT NOT NULL,
    "template_id" TEXT,
    "payload" JSONB NOT NULL,
    "status" "notification_status" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "sent_at" TIMESTAMPTZ(6),
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,
    CONSTRAINT "notifications_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "staff_users" (
    "id" UUID NOT NULL,
    "username" TEXT NOT NULL,
    "display_name" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "role" "staff_role" NOT NULL,
    "school_id" UUID,
    "failed_logins" INTEGER NOT NULL DEFAULT 0,
    "locked_until" TIMESTAMPTZ(6),
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "last_login_at" TIMESTAMPTZ(6),
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,
    CONSTRAINT "staff_users_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "sessions" (
    "id" UUID NOT NULL,
    "token_hash" TEXT NOT NULL,
    "kind" "session_kind" NOT NULL,
    "wechat_user_id" UUID,
    "staff_user_id" UUID,
    "expires_at" TIMESTAMPTZ(6) NOT NULL,
    "ip" TEXT,
    "user_agent" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "sessions_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "audit_logs" (
    "id" BIGSERIAL NOT NULL,
    "actor_type" "actor_type" NOT NULL,
    "actor_id" TEXT,
    "school_id" UUID,
    "action" TEXT NOT NULL,
    "target_type" TEXT NOT NULL,
    "target_id" TEXT,
    "before" JSONB,
    "after" JSONB,
    "ip" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "audit_logs_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "export_jobs" (
    "id" UUID NOT NULL,
    "campaign_id" UUID NOT NULL,
    "requested_by" UUID NOT NULL,
    "status" "task_status" NOT NULL DEFAULT 'QUEUED',
    "total" INTEGER NOT NULL DEFAULT 0,
    "done" INTEGER NOT NULL DEFAULT 0,
    "object_key" TEXT,
    "error" TEXT,
    "expires_at" TIMESTAMPTZ(6),
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,
    CONSTRAINT "export_jobs_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "roster_imports" (
    "id" UUID NOT NULL,
    "campaign_id" UUID NOT NULL,
    "requested_by" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "status" "task_status" NOT NULL DEFAULT 'QUEUED',
    "object_key" TEXT NOT NULL,
    "total" INTEGER NOT NULL DEFAULT 0,
    "done" INTEGER NOT NULL DEFAULT 0,
    "report" JSONB,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,
    CONSTRAINT "roster_imports_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "schools_code_key" ON "schools"("code");
CREATE INDEX "campaigns_school_id_status_idx" ON "campaigns"("school_id", "status");
CREATE UNIQUE INDEX "consent_texts_campaign_id_version_key" ON "consent_texts"("campaign_id", "version");
CREATE INDEX "roster_entries_campaign_id_college_major_idx" ON "roster_entries"("campaign_id", "college", "major");
CREATE INDEX "roster_entries_name_idx" ON "roster_entries"("name");
CREATE UNIQUE INDEX "roster_entries_campaign_id_unique_number_key" ON "roster_entries"("campaign_id", "unique_number");
CREATE UNIQUE INDEX "wechat_users_openid_key" ON "wechat_users"("openid");
CREATE INDEX "wechat_users_unionid_idx" ON "wechat_users"("unionid");
CREATE UNIQUE INDEX "consents_wechat_user_id_campaign_id_version_key" ON "consents"("wechat_user_id", "campaign_id", "version");
CREATE INDEX "capture_codes_roster_entry_id_status_idx" ON "capture_codes"("roster_entry_id", "status");
CREATE INDEX "capture_codes_wechat_user_id_idx" ON "capture_codes"("wechat_user_id");
CREATE UNIQUE INDEX "submissions_roster_entry_id_key" ON "submissions"("roster_entry_id");
CREATE INDEX "submissions_campaign_id_state_idx" ON "submissions"("campaign_id", "state");
CREATE UNIQUE INDEX "submissions_wechat_user_id_campaign_id_key" ON "submissions"("wechat_user_id", "campaign_id");
CREATE INDEX "submission_transitions_submission_id_created_at_idx" ON "submission_transitions"("submission_id", "created_at");
CREATE UNIQUE INDEX "orders_out_trade_no_key" ON "orders"("out_trade_no");
CREATE INDEX "orders_submission_id_idx" ON "orders"("submission_id");
CREATE INDEX "orders_status_created_at_idx" ON "orders"("status", "created_at");
CREATE UNIQUE INDEX "payments_transaction_id_key" ON "payments"("transaction_id");
CREATE INDEX "payments_order_id_idx" ON "payments"("order_id");
CREATE UNIQUE INDEX "refunds_out_refund_no_key" ON "refunds"("out_refund_no");
CREATE UNIQUE INDEX "refunds_refund_id_key" ON "refunds"("refund_id");
CREATE INDEX "refunds_order_id_idx" ON "refunds"("order_id");
CREATE INDEX "photos_submission_id_created_at_idx" ON "photos"("submission_id", "created_at");
CREATE INDEX "standardisation_attempts_submission_id_created_at_idx" ON "standardisation_attempts"("submission_id", "created_at");
CREATE INDEX "comparisons_submission_id_created_at_idx" ON "comparisons"("submission_id", "created_at");
CREATE INDEX "reviews_submission_id_idx" ON "reviews"("submission_id");
CREATE INDEX "reviews_reviewer_id_created_at_idx" ON "reviews"("reviewer_id", "created_at");
CREATE INDEX "rejection_reason_templates_school_id_active_idx" ON "rejection_reason_templates"("school_id", "active");
CREATE INDEX "overrides_submission_id_idx" ON "overrides"("submission_id");
CREATE INDEX "subscription_grants_wechat_user_id_template_id_used_at_idx" ON "subscription_grants"("wechat_user_id", "template_id", "used_at");
CREATE INDEX "notifications_status_created_at_idx" ON "notifications"("status", "created_at");
CREATE INDEX "notifications_submission_id_idx" ON "notifications"("submission_id");
CREATE UNIQUE INDEX "staff_users_username_key" ON "staff_users"("username");
CREATE INDEX "staff_users_school_id_idx" ON "staff_users"("school_id");
CREATE UNIQUE INDEX "sessions_token_hash_key" ON "sessions"("token_hash");
CREATE INDEX "sessions_expires_at_idx" ON "sessions"("expires_at");
CREATE INDEX "audit_logs_school_id_created_at_idx" ON "audit_logs"("school_id", "created_at");
CREATE INDEX "audit_logs_target_type_target_id_idx" ON "audit_logs"("target_type", "target_id");
CREATE INDEX "audit_logs_actor_type_actor_id_idx" ON "audit_logs"("actor_type", "actor_id");
CREATE INDEX "export_jobs_campaign_id_created_at_idx" ON "export_jobs"("campaign_id", "created_at");
CREATE INDEX "roster_imports_campaign_id_created_at_idx" ON "roster_imports"("campaign_id", "created_at");

-- AddForeignKey
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_school_id_fkey" FOREIGN KEY ("school_id") REFERENCES "schools"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "consent_texts" ADD CONSTRAINT "consent_texts_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "campaigns"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "roster_entries" ADD CONSTRAINT "roster_entries_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "campaigns"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "consents" ADD CONSTRAINT "consents_wechat_user_id_fkey" FOREIGN KEY ("wechat_user_id") REFERENCES "wechat_users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "capture_codes" ADD CONSTRAINT "capture_codes_roster_entry_id_fkey" FOREIGN KEY ("roster_entry_id") REFERENCES "roster_entries"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "capture_codes" ADD CONSTRAINT "capture_codes_wechat_user_id_fkey" FOREIGN KEY ("wechat_user_id") REFERENCES "wechat_users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "submissions" ADD CONSTRAINT "submissions_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "campaigns"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "submissions" ADD CONSTRAINT "submissions_wechat_user_id_fkey" FOREIGN KEY ("wechat_user_id") REFERENCES "wechat_users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "submissions" ADD CONSTRAINT "submissions_roster_entry_id_fkey" FOREIGN KEY ("roster_entry_id") REFERENCES "roster_entries"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "submissions" ADD CONSTRAINT "submissions_review_claimed_by_id_fkey" FOREIGN KEY ("review_claimed_by_id") REFERENCES "staff_users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "submission_transitions" ADD CONSTRAINT "submission_transitions_submission_id_fkey" FOREIGN KEY ("submission_id") REFERENCES "submissions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "orders" ADD CONSTRAINT "orders_submission_id_fkey" FOREIGN KEY ("submission_id") REFERENCES "submissions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "payments" ADD CONSTRAINT "payments_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_staff_user_id_fkey" FOREIGN KEY ("staff_user_id") REFERENCES "staff_users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "photos" ADD CONSTRAINT "photos_submission_id_fkey" FOREIGN KEY ("submission_id") REFERENCES "submissions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "standardisation_attempts" ADD CONSTRAINT "standardisation_attempts_submission_id_fkey" FOREIGN KEY ("submission_id") REFERENCES "submissions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "standardisation_attempts" ADD CONSTRAINT "standardisation_attempts_photo_id_fkey" FOREIGN KEY ("photo_id") REFERENCES "photos"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "comparisons" ADD CONSTRAINT "comparisons_submission_id_fkey" FOREIGN KEY ("submission_id") REFERENCES "submissions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "comparisons" ADD CONSTRAINT "comparisons_photo_id_fkey" FOREIGN KEY ("photo_id") REFERENCES "photos"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_submission_id_fkey" FOREIGN KEY ("submission_id") REFERENCES "submissions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_reviewer_id_fkey" FOREIGN KEY ("reviewer_id") REFERENCES "staff_users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "rejection_reason_templates" ADD CONSTRAINT "rejection_reason_templates_school_id_fkey" FOREIGN KEY ("school_id") REFERENCES "schools"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "overrides" ADD CONSTRAINT "overrides_submission_id_fkey" FOREIGN KEY ("submission_id") REFERENCES "submissions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "overrides" ADD CONSTRAINT "overrides_staff_user_id_fkey" FOREIGN KEY ("staff_user_id") REFERENCES "staff_users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "subscription_grants" ADD CONSTRAINT "subscription_grants_wechat_user_id_fkey" FOREIGN KEY ("wechat_user_id") REFERENCES "wechat_users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_wechat_user_id_fkey" FOREIGN KEY ("wechat_user_id") REFERENCES "wechat_users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_submission_id_fkey" FOREIGN KEY ("submission_id") REFERENCES "submissions"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "staff_users" ADD CONSTRAINT "staff_users_school_id_fkey" FOREIGN KEY ("school_id") REFERENCES "schools"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_wechat_user_id_fkey" FOREIGN KEY ("wechat_user_id") REFERENCES "wechat_users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_staff_user_id_fkey" FOREIGN KEY ("staff_user_id") REFERENCES "staff_users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "export_jobs" ADD CONSTRAINT "export_jobs_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "campaigns"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "export_jobs" ADD CONSTRAINT "export_jobs_requested_by_fkey" FOREIGN KEY ("requested_by") REFERENCES "staff_users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "roster_imports" ADD CONSTRAINT "roster_imports_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "campaigns"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "roster_imports" ADD CONSTRAINT "roster_imports_requested_by_fkey" FOREIGN KEY ("requested_by") REFERENCES "staff_users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
