/**
 * Per-staff-account limits (config.subjectRateLimit, keyed on the staff id, on top of the per-IP limit) for staff
 * routes that do expensive work or change money or data. Sized so a reviewer working fast (a decision every
 * second or two) never meets them, while one stolen or scripted account cannot flood imports, exports or refunds
 * by opening more sessions.
 */
export const STAFF_REVIEW_LIMIT = { max: 180, timeWindow: "1 minute" };
/** Imports, admission-photo uploads, exports, purges: each parses files, decodes images or writes archives. */
export const STAFF_HEAVY_LIMIT = { max: 30, timeWindow: "1 minute" };
/** Refunds, payment resolutions, reconciliation, resends, unbinding: calls to WeChat or money-relevant writes. */
export const STAFF_MONEY_LIMIT = { max: 30, timeWindow: "1 minute" };
/** Searches and lists that scan many rows (LIKE queries, joins). */
export const STAFF_SEARCH_LIMIT = { max: 120, timeWindow: "1 minute" };
