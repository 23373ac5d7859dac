/** What the dev-set labels encode, shared by the evaluation scripts (eval.ts, threshold-fit.ts). */

/** Checks for product rules the dev-set labels do not encode (the labels call grayscale 150-px crops compliant). */
export const UNLABELLED_RULES = new Set(["colour", "face_resolution", "hair_in_frame", "album_input"]);
/** Identity of a dev-set photo: its folder; each compliance/ file is its own identity. */
export const identityOf = (p: string): string => (p.startsWith("compliance/") ? p : p.split("/")[0]!);
