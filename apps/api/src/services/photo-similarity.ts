import { createHash } from "node:crypto";
import sharp from "sharp";
import type { Db } from "@gradphoto/db";
import { cosine, type FaceComparer } from "@gradphoto/face";
import type { ObjectStorage } from "@gradphoto/storage";

/**
 * "Three different photos": decides whether a photo is the same photo as an earlier one — the same
 * file, the same picture re-encoded or resized, or a near-identical capture (a re-take seconds later in
 * the same place). Thresholds and their measurement: docs/face-comparison.md ("Different photos").
 */

/** Perceptual hash distance (of 64 bits) at or below which two images are the same picture. */
export const SAME_PICTURE_MAX_DISTANCE = 6;
/** A near-identical capture: the pictures look alike (distance at or below this)… */
export const SAME_CAPTURE_MAX_DISTANCE = 14;
/** …and the faces are the same capture (raw cosine of the two embeddings at or above this). */
export const SAME_CAPTURE_MIN_COSINE = 0.8;

export type SimilarityKind = "SAME_FILE" | "SAME_PICTURE" | "SAME_CAPTURE";

export interface PhotoFingerprint {
  sha256: string;
  /** 64-bit DCT perceptual hash of the orientation-corrected grey image */
  phash: bigint;
  /** face embedding (largest face), null when no face could be embedded */
  embedding: Float32Array | null;
}

export interface SimilarityVerdict {
  kind: SimilarityKind | null;
  distance: number;
  cosine: number | null;
}

const HASH_SIDE = 32;
const LOW = 8;

// cos((2x+1)uπ / 2N) for the 8 lowest frequencies, computed once
const DCT_COS: Float64Array = (() => {
  const t = new Float64Array(LOW * HASH_SIDE);
  for (let u = 0; u < LOW; u++) for (let x = 0; x < HASH_SIDE; x++) t[u * HASH_SIDE + x] = Math.cos(((2 * x + 1) * u * Math.PI) / (2 * HASH_SIDE));
  return t;
})();

/**
 * pHash: grey 32×32 (EXIF orientation applied, so a rotated re-save is the same picture), the 8×8
 * lowest DCT frequencies, one bit per coefficient above their median (the DC term excluded).
 * Re-encoding and resizing barely move these coefficients; a different picture flips about half.
 */
export async function perceptualHash(bytes: Buffer): Promise<bigint> {
  const px = await sharp(bytes, { failOn: "none" }).rotate().greyscale().resize(HASH_SIDE, HASH_SIDE, { fit: "fill", kernel: "lanczos3" }).raw().toBuffer();
  const coeffs = new Float64Array(LOW * LOW);
  for (let u = 0; u < LOW; u++) {
    for (let v = 0; v < LOW; v++) {
      let sum = 0;
      for (let y = 0; y < HASH_SIDE; y++) {
        const cy = DCT_COS[u * HASH_SIDE + y]!;
        let row = 0;
        for (let x = 0; x < HASH_SIDE; x++) row += px[y * HASH_SIDE + x]! * DCT_COS[v * HASH_SIDE + x]!;
        sum += cy * row;
      }
      coeffs[u * LOW + v] = sum;
    }
  }
  const ac = Array.from(coeffs.subarray(1)).sort((a, b) => a - b);
  const median = (ac[31]! + ac[32]!) / 2;
  let hash = 0n;
  for (let i = 0; i < LOW * LOW; i++) if (i > 0 && coeffs[i]! > median) hash |= 1n << BigInt(i);
  return hash;
}

export function hammingDistance(a: bigint, b: bigint): number {
  let x = a ^ b;
  let n = 0;
  while (x) {
    n += Number(x & 1n);
    x >>= 1n;
  }
  return n;
}

export async function fingerprint(bytes: Buffer, comparer: Pick<FaceComparer, "embed"> | null): Promise<PhotoFingerprint> {
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const phash = await perceptualHash(bytes);
  let embedding: Float32Array | null = null;
  if (comparer) embedding = await comparer.embed(bytes, "photo").then((e) => e.embedding, () => null);
  return { sha256, phash, embedding };
}

/** Whether `a` is the same photo as `b`, and why. */
export function samePhoto(a: PhotoFingerprint, b: PhotoFingerprint): SimilarityVerdict {
  const distance = hammingDistance(a.phash, b.phash);
  const cos = a.embedding && b.embedding ? cosine(a.embedding, b.embedding) : null;
  let kind: SimilarityKind | null = null;
  if (a.sha256 === b.sha256) kind = "SAME_FILE";
  else if (distance <= SAME_PICTURE_MAX_DISTANCE) kind = "SAME_PICTURE";
  else if (distance <= SAME_CAPTURE_MAX_DISTANCE && cos !== null && cos >= SAME_CAPTURE_MIN_COSINE) kind = "SAME_CAPTURE";
  return { kind, distance, cosine: cos };
}

/** The graduate's message for a photo that repeats an earlier failed one (does not count as a different photo). */
export function similarPhotoMessage(kind: SimilarityKind): string {
  const what = kind === "SAME_CAPTURE" ? "与之前比对未通过的照片几乎相同（同一场景连拍）" : "与之前比对未通过的照片是同一张";
  return `这张照片${what}，不计入"3张不同合格照片"。请在不同时间、不同地点重新拍摄一张照片再比对`;
}

export interface RepeatedPhoto {
  kind: SimilarityKind;
  /** the earlier failed photo it repeats */
  photoId: string;
  distance: number;
  cosine: number | null;
}

/**
 * Whether the photo repeats one of the submission's earlier qualifying comparison failures (compared on
 * the graduate's originals). Those photos are at most two, so their fingerprints are computed here
 * rather than stored.
 */
export async function repeatsEarlierFailure(
  deps: { db: Db; storage: ObjectStorage },
  submissionId: string,
  photo: { id: string; originalKey: string },
  comparer: Pick<FaceComparer, "embed">,
): Promise<RepeatedPhoto | null> {
  const earlier = await deps.db.comparison.findMany({
    where: { submissionId, qualifying: true, photoId: { not: photo.id } },
    select: { photo: { select: { id: true, originalKey: true } } },
    orderBy: { createdAt: "asc" },
  });
  if (earlier.length === 0) return null;
  const mine = await fingerprint(await deps.storage.get(photo.originalKey), comparer);
  for (const { photo: e } of earlier) {
    const v = samePhoto(mine, await fingerprint(await deps.storage.get(e.originalKey), comparer));
    if (v.kind) return { kind: v.kind, photoId: e.id, distance: v.distance, cosine: v.cosine };
  }
  return null;
}
