import { Badge, Card, Empty, Table, Tabs, Tag, Typography } from "antd";
import type { ServiceWorklist } from "@gradphoto/contracts";
import { api } from "../api";
import { useLoad } from "../components/Common";
import { dateTime, fromNow, yuan } from "../format";

const REFUND_STATUS: Record<string, { label: string; color: string }> = { PROCESSING: { label: "退款中", color: "processing" }, ABNORMAL: { label: "退款异常", color: "error" } };

/**
 * What waits for customer service, oldest first: graduates whose 3 qualifying comparisons failed
 * (待人工通过), admission-photo disputes, refunds not completed yet. The role's landing page; it
 * refreshes itself every 15 s and after every action taken from it.
 */
export function ServiceWorkList({ open, reloadKey }: { open(submissionId: string): void; reloadKey: number }) {
  const { data, loading } = useLoad(() => api.serviceWorklist(), [reloadKey], { intervalMs: 15_000 });
  const w: ServiceWorklist | null = data;
  const person = (name: string | null, unique: string | null) => (
    <>
      <Typography.Text strong>{name ?? "（未绑定）"}</Typography.Text> <span className="mono">{unique ?? ""}</span>
    </>
  );
  const people = (rows: ServiceWorklist["manualPass"], empty: string, detailTitle: string) => (
    <Table
      size="small"
      rowKey="submissionId"
      loading={loading && !w}
      dataSource={rows}
      pagination={false}
      locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={empty} /> }}
      onRow={(r) => ({ onClick: () => open(r.submissionId), style: { cursor: "pointer" } })}
      columns={[
        { title: "毕业生", render: (_, r) => person(r.name, r.uniqueNumber) },
        { title: "学院专业", render: (_, r) => (r.college ? `${r.college} · ${r.major}` : "—") },
        { title: "手机号", dataIndex: "phone", render: (v: string | null) => v ?? "—" },
        { title: "活动", dataIndex: "campaignName" },
        { title: detailTitle, dataIndex: "detail", render: (v: string | null) => v ?? "（未填写说明）" },
        { title: "等待", dataIndex: "since", render: (v: string) => <span title={dateTime(v)}>{fromNow(v)}</span> },
        { title: "", render: () => <a data-testid="worklist-open">处理</a> },
      ]}
    />
  );
  const tab = (label: string, count: number | undefined) => (
    <span>
      {label} <Badge count={count ?? 0} showZero color={count ? "#d4380d" : "#b8c2d3"} />
    </span>
  );
  return (
    <Card size="small" data-testid="service-worklist" title="待处理事项" extra={w ? <Typography.Text type="secondary">更新于 {dateTime(w.generatedAt)}</Typography.Text> : null}>
      <Tabs
        items={[
          { key: "manual", label: tab("待人工通过", w?.counts.manualPass), children: people(w?.manualPass ?? [], "没有等待人工通过的毕业生", "情况") },
          { key: "disputed", label: tab("录取照片有异议", w?.counts.disputed), children: people(w?.disputed ?? [], "没有录取照片异议", "毕业生说明") },
          {
            key: "refunds",
            label: tab("退款处理中", w?.counts.refunds),
            children: (
              <Table
                size="small"
                rowKey="refundId"
                dataSource={w?.refunds ?? []}
                pagination={false}
                locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="没有未完成的退款" /> }}
                onRow={(r) => ({ onClick: () => open(r.submissionId), style: { cursor: "pointer" } })}
                columns={[
                  { title: "毕业生", render: (_, r) => person(r.name, r.uniqueNumber) },
                  { title: "订单号", dataIndex: "outTradeNo", render: (v: string) => <span className="mono">{v}</span> },
                  { title: "金额", dataIndex: "amountFen", render: yuan },
                  { title: "状态", dataIndex: "status", render: (s: string) => <Tag color={REFUND_STATUS[s]?.color}>{REFUND_STATUS[s]?.label ?? s}</Tag> },
                  { title: "原因", dataIndex: "reason" },
                  { title: "发起", render: (_, r) => `${r.staffName ?? "—"} · ${dateTime(r.createdAt)}` },
                ]}
              />
            ),
          },
        ]}
      />
    </Card>
  );
}
