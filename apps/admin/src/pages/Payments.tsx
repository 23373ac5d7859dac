import { useState } from "react";
import { Badge, Button, Card, Col, DatePicker, Form, Input, InputNumber, Modal, Row, Select, Space, Statistic, Table, Tag, Typography } from "antd";
import { ReloadOutlined, RollbackOutlined, SyncOutlined } from "@ant-design/icons";
import type { OrderAdmin } from "@gradphoto/contracts";
import { RECONCILIATION_LABELS } from "@gradphoto/contracts";
import type { Dayjs } from "dayjs";
import { api } from "../api";
import { useSession } from "../session";
import { useRouter } from "../router";
import { PageHeader, useAction, useLoad } from "../components/Common";
import { ORDER_STATUS, RECONCILIATION_COLORS, dateTime, fromPicker, yuan } from "../format";

type Status = OrderAdmin["status"];

/** Why a validly signed payment was kept but not credited (payments.anomaly). */
const ANOMALY_LABELS: Record<string, string> = {
  ORDER_PAID: "订单已支付后又收到另一笔支付",
  ORDER_REFUNDED: "订单已退款后又收到支付",
  ORDER_PARTIALLY_REFUNDED: "订单部分退款后又收到支付",
  ORDER_REFUNDING: "订单退款中又收到支付",
  ORDER_CLOSED: "订单已关闭后收到支付",
  SUBMISSION_ALREADY_PAID: "该毕业生已通过另一订单支付，本笔为重复支付",
};
type Rec = OrderAdmin["reconciliation"];

export function PaymentsPage() {
  const { campaignId, campaign, staff } = useSession();
  const { navigate } = useRouter();
  const [filters, setFilters] = useState<{ status?: Status; reconciliation?: Rec; q?: string; range?: [Dayjs, Dayjs] | null; all?: boolean }>({});
  const [page, setPage] = useState(1);
  const [refunding, setRefunding] = useState<OrderAdmin | null>(null);
  const { run } = useAction();
  const canRefund = staff?.role === "OPERATOR" || staff?.role === "SCHOOL_ADMIN";
  const { data, loading, reload } = useLoad(
    () =>
      api.orders({
        campaignId: filters.all ? undefined : (campaignId ?? undefined),
        status: filters.status,
        reconciliation: filters.reconciliation,
        q: filters.q || undefined,
        from: filters.range?.[0] ? fromPicker(filters.range[0].startOf("day")).toISOString() : undefined,
        to: filters.range?.[1] ? fromPicker(filters.range[1].endOf("day")).toISOString() : undefined,
        page,
        pageSize: 20,
      }),
    [campaignId, filters, page],
  );
  const sum = data?.summary;
  return (
    <>
      <PageHeader title="订单与退款" sub={filters.all ? "全部活动" : campaign?.name} extra={<Button icon={<ReloadOutlined />} onClick={() => void reload()}>刷新</Button>} />
      <Row gutter={16} style={{ marginBottom: 16 }}>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title="订单数" value={sum?.orders ?? 0} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title="实收金额" value={(sum?.paidFen ?? 0) / 100} precision={2} prefix="¥" />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title="已退款" value={(sum?.refundedFen ?? 0) / 100} precision={2} prefix="¥" />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title="需要处理" value={sum?.needsAttention ?? 0} valueStyle={{ color: sum?.needsAttention ? "#cf1322" : undefined }} suffix={<Typography.Text type="secondary" style={{ fontSize: 12 }}>未收到通知/金额不符/退款异常/异常支付</Typography.Text>} />
          </Card>
        </Col>
      </Row>
      <Card size="small">
        <Space wrap style={{ marginBottom: 12 }}>
          <Input.Search placeholder="订单号、唯一编号或姓名" allowClear style={{ width: 240 }} onSearch={(v) => (setFilters({ ...filters, q: v.trim() }), setPage(1))} />
          <Select allowClear placeholder="订单状态" style={{ width: 130 }} value={filters.status} onChange={(v) => (setFilters({ ...filters, status: v }), setPage(1))} options={Object.entries(ORDER_STATUS).map(([k, v]) => ({ value: k, label: v.label }))} />
          <Select allowClear placeholder="对账状态" style={{ width: 200 }} value={filters.reconciliation} onChange={(v) => (setFilters({ ...filters, reconciliation: v }), setPage(1))} options={Object.entries(RECONCILIATION_LABELS).map(([k, v]) => ({ value: k, label: v }))} />
          <DatePicker.RangePicker value={filters.range ?? null} onChange={(v) => (setFilters({ ...filters, range: v as [Dayjs, Dayjs] | null }), setPage(1))} />
          <Select style={{ width: 130 }} value={filters.all ? "all" : "current"} onChange={(v) => setFilters({ ...filters, all: v === "all" })} options={[{ value: "current", label: "当前活动" }, { value: "all", label: "全部活动" }]} />
        </Space>
        <Table<OrderAdmin>
          size="small"
          rowKey="id"
          loading={loading}
          dataSource={data?.items ?? []}
          pagination={{ current: page, pageSize: 20, total: data?.total ?? 0, onChange: setPage, showTotal: (t) => `共 ${t} 笔`, showSizeChanger: false }}
          expandable={{
            rowExpandable: (o) => o.payments.length + o.refunds.length > 0,
            expandedRowRender: (o) => (
              <Space direction="vertical" style={{ width: "100%" }}>
                {o.payments.map((p) => (
                  <Typography.Text key={p.transactionId}>
                    微信支付 <span className="mono">{p.transactionId}</span> · {yuan(p.amountFen)} · {p.tradeState} · {dateTime(p.successTime)}
                    {p.anomaly && !p.anomalyResolvedAt ? (
                      <>
                        <Tag color="red" style={{ marginLeft: 8 }}>未入账：{ANOMALY_LABELS[p.anomaly] ?? p.anomaly}，请在商户平台核对并退款</Tag>
                        {canRefund ? (
                          <Button size="small" onClick={() => void run(() => api.resolvePaymentAnomaly(o.id, p.transactionId, "已在商户平台核对处理"), "已标记为已处理").then(() => reload(true))}>
                            标记已处理
                          </Button>
                        ) : null}
                      </>
                    ) : p.anomaly ? (
                      <Tag style={{ marginLeft: 8 }}>未入账，已处理：{p.anomalyNote}</Tag>
                    ) : null}
                  </Typography.Text>
                ))}
                {o.refunds.map((r) => (
                  <Typography.Text key={r.id}>
                    退款 <span className="mono">{r.outRefundNo}</span> · {yuan(r.amountFen)} · <Tag>{{ PROCESSING: "处理中", SUCCESS: "已退款", CLOSED: "已关闭", ABNORMAL: "异常" }[r.status]}</Tag> {r.reason} · {r.staffName ?? ""} · {dateTime(r.createdAt)}
                  </Typography.Text>
                ))}
              </Space>
            ),
          }}
          columns={[
            { title: "订单号", dataIndex: "outTradeNo", render: (v: string) => <span className="mono">{v}</span> },
            {
              title: "毕业生",
              render: (_, o) =>
                o.graduate ? (
                  <a onClick={() => navigate(`/service?submission=${o.submissionId}`)}>
                    {o.graduate.name} <span className="mono" style={{ color: "#8a97ad" }}>{o.graduate.uniqueNumber}</span>
                  </a>
                ) : (
                  <a onClick={() => navigate(`/service?submission=${o.submissionId}`)}>（采集码已解绑）</a>
                ),
            },
            { title: "金额", dataIndex: "amountFen", align: "right", render: yuan },
            { title: "状态", dataIndex: "status", render: (s: string) => <Tag color={ORDER_STATUS[s]?.color}>{ORDER_STATUS[s]?.label}</Tag> },
            { title: "对账", dataIndex: "reconciliation", render: (r: string, o) => <Badge status={RECONCILIATION_COLORS[r] as "success"} text={o.reconciliationLabel} /> },
            { title: "下单时间", dataIndex: "createdAt", render: dateTime },
            { title: "支付时间", dataIndex: "paidAt", render: dateTime },
            { title: "已退款", dataIndex: "refundedFen", align: "right", render: (v: number) => (v ? yuan(v) : "—") },
            {
              title: "",
              width: 160,
              render: (_, o) => (
                <Space>
                  {o.status === "CREATED" ? (
                    <Button size="small" icon={<SyncOutlined />} onClick={() => void run(() => api.reconcile(o.id), "已向微信支付查询").then(() => reload(true))}>
                      查单
                    </Button>
                  ) : null}
                  {canRefund && o.refundableFen > 0 ? (
                    <Button size="small" icon={<RollbackOutlined />} onClick={() => setRefunding(o)}>
                      退款
                    </Button>
                  ) : null}
                </Space>
              ),
            },
          ]}
        />
      </Card>
      <RefundModal order={refunding} onClose={() => setRefunding(null)} onDone={() => (setRefunding(null), void reload(true))} />
    </>
  );
}

function RefundModal({ order, onClose, onDone }: { order: OrderAdmin | null; onClose(): void; onDone(): void }) {
  const [form] = Form.useForm<{ amountYuan: number; reason: string }>();
  const { busy, run } = useAction();
  return (
    <Modal
      open={order !== null}
      title={`退款 · ${order?.outTradeNo ?? ""}`}
      onCancel={onClose}
      okText="确认退款"
      okButtonProps={{ danger: true, loading: busy }}
      destroyOnHidden
      afterOpenChange={(o) => o && order && form.setFieldsValue({ amountYuan: order.refundableFen / 100, reason: "" })}
      onOk={async () => {
        const v = await form.validateFields();
        const r = await run(() => api.refund(order!.id, { reason: v.reason, amountFen: Math.round(v.amountYuan * 100) }), "退款已提交");
        if (r) onDone();
      }}
    >
      <Typography.Paragraph type="secondary">
        {order?.graduate ? `${order.graduate.name}（${order.graduate.uniqueNumber}）` : ""} · 实付 {yuan(order?.paidFen)} · 可退 {yuan(order?.refundableFen)}。退款原路退回微信，通常 1-3 个工作日到账。
      </Typography.Paragraph>
      <Form form={form} layout="vertical">
        <Form.Item name="amountYuan" label="退款金额（元）" rules={[{ required: true }, { type: "number", min: 0.01, max: (order?.refundableFen ?? 0) / 100, message: "超出可退金额" }]}>
          <InputNumber precision={2} style={{ width: "100%" }} addonBefore="¥" />
        </Form.Item>
        <Form.Item name="reason" label="退款原因（展示给毕业生）" rules={[{ required: true, min: 2, max: 80, message: "请填写2-80字的原因" }]}>
          <Input.TextArea rows={2} maxLength={80} showCount />
        </Form.Item>
      </Form>
    </Modal>
  );
}
