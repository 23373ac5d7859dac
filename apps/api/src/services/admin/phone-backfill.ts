import type { Db } from "@gradphoto/db";
import { encryptIdNumber, phoneSearchHash } from "../../lib/id-crypto.js";

/**
 * Encrypts phone numbers still stored in plaintext (rows from before the phone_encrypted migration)
 * and empties the plaintext column. Idempotent; run after migrations (the key is not in the database).
 */
export async function sealPlaintextPhones(db: Db, key: Buffer): Promise<number> {
  let sealed = 0;
  for (;;) {
    const rows = await db.rosterEntry.findMany({ where: { phone: { not: null } }, select: { id: true, phone: true }, take: 500 });
    if (rows.length === 0) return sealed;
    for (const r of rows) {
      const phone = r.phone!.trim();
      await db.rosterEntry.update({
        where: { id: r.id },
        data: phone ? { phone: null, phoneEncrypted: new Uint8Array(encryptIdNumber(key, phone)), phoneHash: phoneSearchHash(key, phone) } : { phone: null },
      });
      sealed++;
    }
  }
}
