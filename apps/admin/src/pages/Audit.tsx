import { useState } from "react";
import { Card, DatePicker, Input, Select, Space, Table, Tag, Typography } from "antd";
import type { AuditEntry } from "@gradphoto/contracts";
import type { Dayjs } from "dayjs";
import { api } from "../api";
import { useSession } from "../session";
import { PageHeader, useLoad } from "../components/Common";
import { actionLabel, dateTimeSec, fromPicker } from "../format";

const TARGETS: Record<string, string> = {
  submission: "毕业生采集",
  campaign: "活动",
  staff_user: "账号",
  roster_import: "导入",
  roster_entry: "名单",
  order: "订单",
  export_job: "导出",
  rejection_reason: "驳回理由",
  school: "学校",
};

export function AuditPage() {
  const { staff, schools } = useSession();
  const [f, setF] = useState<{ schoolId?: string; action?: string; actorId?: string; actorType?: "STAFF" | "GRADUATE" | "SYSTEM"; targetId?: string; range?: [Dayjs, Dayjs] | null }>({});
  const [page, setPage] = useState(1);
  const { data, loading } = useLoad(
    () => api.auditLogs({ schoolId: f.schoolId, action: f.action, actorId: f.actorId, actorType: f.actorType, targetId: f.targetId || undefined, from: f.range?.[0] ? fromPicker(f.range[0].startOf("day")).toISOString() : undefined, to: f.range?.[1] ? fromPicker(f.range[1].endOf("day")).toISOString() : undefined, page, pageSize: 30 }),
    [f, page],
  );
  const set = (patch: Partial<typeof f>) => (setF({ ...f, ...patch }), setPage(1));
  return (
    <>
      <PageHeader title="操作日志" sub="每一项工作人员操作（登录、设置、导入、审核、人工通过、退款、导出）都记录在此" />
      <Card size="small">
        <Space wrap style={{ marginBottom: 12 }}>
          {staff?.role === "OPERATOR" ? <Select allowClear placeholder="学校" style={{ width: 180 }} value={f.schoolId} onChange={(v) => set({ schoolId: v })} options={schools.map((s) => ({ value: s.id, label: s.name }))} /> : null}
          <Select allowClear showSearch placeholder="操作类型" style={{ width: 220 }} value={f.action} onChange={(v) => set({ action: v })} options={(data?.actions ?? []).map((a) => ({ value: a, label: actionLabel(a) }))} optionFilterProp="label" data-testid="audit-action" />
          <Select allowClear placeholder="操作人类型" style={{ width: 130 }} value={f.actorType} onChange={(v) => set({ actorType: v })} options={[{ value: "STAFF", label: "工作人员" }, { value: "GRADUATE", label: "毕业生" }, { value: "SYSTEM", label: "系统" }]} />
          <Select allowClear showSearch placeholder="工作人员" style={{ width: 200 }} value={f.actorId} onChange={(v) => set({ actorId: v })} options={(data?.staff ?? []).map((s) => ({ value: s.id, label: s.name }))} optionFilterProp="label" />
          <Input.Search allowClear placeholder="对象ID" style={{ width: 220 }} onSearch={(v) => set({ targetId: v.trim() })} />
          <DatePicker.RangePicker value={f.range ?? null} onChange={(v) => set({ range: v as [Dayjs, Dayjs] | null })} />
        </Space>
        <Table<AuditEntry>
          size="small"
          rowKey="id"
          loading={loading}
          dataSource={data?.items ?? []}
          pagination={{ current: page, pageSize: 30, total: data?.total ?? 0, onChange: setPage, showTotal: (t) => `共 ${t} 条`, showSizeChanger: false }}
          expandable={{
            rowExpandable: (r) => r.before !== null || r.after !== null,
            expandedRowRender: (r) => (
              <Space align="start" style={{ width: "100%" }}>
                {r.before !== null ? (
                  <div style={{ minWidth: 320 }}>
                    <Typography.Text type="secondary">变更前</Typography.Text>
                    <pre className="json-block">{JSON.stringify(r.before, null, 2)}</pre>
                  </div>
                ) : null}
                {r.after !== null ? (
                  <div style={{ minWidth: 320 }}>
                    <Typography.Text type="secondary">变更后</Typography.Text>
                    <pre className="json-block">{JSON.stringify(r.after, null, 2)}</pre>
                  </div>
                ) : null}
              </Space>
            ),
          }}
          columns={[
            { title: "时间", dataIndex: "createdAt", width: 170, render: dateTimeSec },
            { title: "操作人", render: (_, r) => <span data-testid="audit-actor">{r.actorName ?? r.actorId ?? "—"}</span> },
            { title: "操作", dataIndex: "action", render: (a: string) => <Tag color={a.includes("fail") || a.includes("locked") || a.includes("mismatch") ? "red" : a.startsWith("submission.") ? "purple" : "blue"}>{actionLabel(a)}</Tag> },
            {
              title: "对象",
              render: (_, r) => (
                <span data-testid="audit-target">
                  {TARGETS[r.targetType] ?? r.targetType}
                  {r.targetName ? <Typography.Text strong> {r.targetName}</Typography.Text> : null}
                  {!r.targetName && r.targetId ? (
                    <Typography.Text type="secondary" className="mono" style={{ fontSize: 12 }} title={r.targetId}>
                      {" "}
                      {r.targetId.slice(0, 8)}
                    </Typography.Text>
                  ) : null}
                </span>
              ),
            },
            { title: "IP", dataIndex: "ip", render: (v: string | null) => <span className="mono">{v ?? "—"}</span> },
          ]}
        />
      </Card>
    </>
  );
}
