import { useCallback, useEffect, useRef, useState, type ReactNode } from "react";
import { App, Empty, Space, Typography } from "antd";
import { errorText, isAuthError } from "../api";
import { useSession } from "../session";

/** Page title row with optional actions on the right. */
export function PageHeader({ title, sub, extra }: { title: ReactNode; sub?: ReactNode; extra?: ReactNode }) {
  return (
    <div className="page-header">
      <div>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {title}
        </Typography.Title>
        {sub ? <Typography.Text type="secondary">{sub}</Typography.Text> : null}
      </div>
      {extra ? <Space wrap>{extra}</Space> : null}
    </div>
  );
}

export function NoCampaign() {
  return <Empty style={{ marginTop: 80 }} description="还没有采集活动，请先在“采集活动”中创建" />;
}

/**
 * Loads data with a loader; errors are shown as messages, a 401 returns to the login page.
 * `reload()` refreshes; `intervalMs` polls (e.g. progress, dashboard).
 */
export function useLoad<T>(loader: () => Promise<T>, deps: unknown[], opts: { intervalMs?: number; enabled?: boolean } = {}) {
  const { message } = App.useApp();
  const { expired } = useSession();
  const [data, setData] = useState<T | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const seq = useRef(0);
  const enabled = opts.enabled ?? true;
  const reload = useCallback(
    async (quiet = false) => {
      if (!enabled) return;
      const my = ++seq.current;
      if (!quiet) setLoading(true);
      try {
        const v = await loader();
        if (my === seq.current) {
          setData(v);
          setError(null);
        }
      } catch (e) {
        if (isAuthError(e)) expired();
        else if (my === seq.current) {
          setError(errorText(e));
          if (!quiet) void message.error(errorText(e));
        }
      } finally {
        if (my === seq.current) setLoading(false);
      }
      // eslint-disable-next-line react-hooks/exhaustive-deps
    },
    [...deps, enabled],
  );
  useEffect(() => {
    void reload();
  }, [reload]);
  useEffect(() => {
    if (!opts.intervalMs || !enabled) return;
    const t = setInterval(() => void reload(true), opts.intervalMs);
    return () => clearInterval(t);
  }, [reload, opts.intervalMs, enabled]);
  return { data, loading, error, reload, setData };
}

/** Wraps an action: shows the server's Chinese message on failure, success text on success. */
export function useAction() {
  const { message } = App.useApp();
  const { expired } = useSession();
  const [busy, setBusy] = useState(false);
  const run = useCallback(
    async <T,>(fn: () => Promise<T>, success?: string): Promise<T | undefined> => {
      setBusy(true);
      try {
        const v = await fn();
        if (success) void message.success(success);
        return v;
      } catch (e) {
        if (isAuthError(e)) expired();
        else void message.error(errorText(e));
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [message, expired],
  );
  return { busy, run };
}
