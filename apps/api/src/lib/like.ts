/**
 * Escapes LIKE wildcards for Prisma's `contains` / `startsWith` (PostgreSQL's default escape
 * character is the backslash): a staff search for "%" or "_" finds those characters, not everyone.
 */
export function likeLiteral(q: string): string {
  return q.replace(/[\\%_]/g, (c) => `\\${c}`);
}
