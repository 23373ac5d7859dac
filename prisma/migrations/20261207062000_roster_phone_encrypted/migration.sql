-- Phone numbers are stored like ID numbers: AES-256-GCM ciphertext plus a keyed hash for exact search.
-- Existing plaintext values are encrypted and emptied by the application on start (the key is not in
-- the database): apps/api/src/services/admin/phone-backfill.ts, run by `pnpm db:migrate` and at startup.
ALTER TABLE "roster_entries" ADD COLUMN "phone_encrypted" BYTEA;
ALTER TABLE "roster_entries" ADD COLUMN "phone_hash" TEXT;
CREATE INDEX "roster_entries_phone_hash_idx" ON "roster_entries"("phone_hash");
