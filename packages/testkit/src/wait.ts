/**
 * Polls `fn` until it returns a truthy value (background jobs, notifications, UI updates) or the
 * time is up; the error names what was awaited.
 */
export async function waitFor<T>(
  fn: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const end = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting${opts.what ? ` for ${opts.what}` : ""}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 200));
  }
}
