import type { ButtonProps } from "antd";
import { useState } from "react";
import { Alert, Badge, Button, Card, Col, Descriptions, Empty, Image, Input, Modal, Row, Space, Table, Tabs, Tag, Timeline, Tooltip, Typography } from "antd";
import { CheckCircleOutlined, DisconnectOutlined, SafetyCertificateOutlined, SearchOutlined } from "@ant-design/icons";
import type { GraduateHistory } from "@gradphoto/contracts";
import { formatScore } from "@gradphoto/contracts";
import { api } from "../api";
import { useRouter } from "../router";
import { PageHeader, useAction, useLoad } from "../components/Common";
import { ServiceWorkList } from "./ServiceWorkList";
import { ADMISSION_STATUS, CHECK_LABELS, ORDER_STATUS, RECONCILIATION_COLORS, STATE_COLORS, STATE_LABELS, dateTime, dateTimeSec, yuan } from "../format";

const MATCHED_BY: Record<string, string> = { name: "姓名", uniqueNumber: "唯一编号", phone: "手机号", order: "订单号" };

export function ServicePage() {
  const { query, navigate } = useRouter();
  const submissionId = query.get("submission");
  const [q, setQ] = useState(query.get("q") ?? "");
  const [emptyHint, setEmptyHint] = useState(false);
  const [worklistKey, setWorklistKey] = useState(0);
  const search = useLoad(() => (q ? api.searchGraduates(q) : Promise.resolve(null)), [q]);
  return (
    <>
      <PageHeader title="客服工作台" sub="待处理事项在下方；也可按姓名、学信网唯一编号、手机号或订单号查找毕业生，查看完整记录并处理" />
      <Card size="small" style={{ marginBottom: 16 }}>
        <Input.Search
          size="large"
          enterButton={<><SearchOutlined /> 查找</>}
          placeholder="姓名 / 唯一编号 / 手机号 / 订单号"
          defaultValue={q}
          allowClear
          onSearch={(v) => {
            setQ(v.trim());
            // an empty search says what to type instead of doing nothing
            setEmptyHint(!v.trim());
            navigate(v.trim() ? `/service?q=${encodeURIComponent(v.trim())}` : "/service", { replace: true });
          }}
          onChange={() => setEmptyHint(false)}
          data-testid="service-search"
        />
        {emptyHint ? (
          <Alert
            style={{ marginTop: 12 }}
            type="info"
            showIcon
            data-testid="service-search-hint"
            message="请输入要查找的内容"
            description="可输入毕业生姓名（如 张伟）、学信网唯一编号（如 202610999000001，输入前几位即可）、手机号或微信支付订单号。"
          />
        ) : null}
        {search.data ? (
          <Table
            style={{ marginTop: 12 }}
            size="small"
            rowKey={(r) => `${r.rosterEntryId}-${r.submissionId}`}
            loading={search.loading}
            dataSource={search.data.items}
            pagination={false}
            locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="没有找到，请换个关键词" /> }}
            onRow={(r) => ({ onClick: () => r.submissionId && navigate(`/service?q=${encodeURIComponent(q)}&submission=${r.submissionId}`), style: { cursor: r.submissionId ? "pointer" : "default" } })}
            columns={[
              { title: "姓名", dataIndex: "name", render: (v: string | null) => v ?? "（未绑定）" },
              { title: "唯一编号", dataIndex: "uniqueNumber", render: (v: string | null) => <span className="mono">{v ?? "—"}</span> },
              { title: "学院专业", render: (_, r) => (r.college ? `${r.college} · ${r.major}` : "—") },
              { title: "手机号", dataIndex: "phone", render: (v: string | null) => v ?? "—" },
              { title: "活动", dataIndex: "campaignName" },
              { title: "进度", dataIndex: "state", render: (s: string | null) => (s ? <Tag color={STATE_COLORS[s]}>{STATE_LABELS[s]}</Tag> : <Typography.Text type="secondary">未开始</Typography.Text>) },
              { title: "录取照片", dataIndex: "admissionPhotoStatus", render: (s: string | null) => (s ? <Tag color={ADMISSION_STATUS[s]?.color}>{ADMISSION_STATUS[s]?.label}</Tag> : "—") },
              { title: "匹配", dataIndex: "matchedBy", render: (m: string) => <Typography.Text type="secondary">{MATCHED_BY[m]}</Typography.Text> },
              { title: "", render: (_, r) => (r.submissionId ? <a data-testid="open-history">查看记录</a> : <Typography.Text type="secondary">尚未开始采集</Typography.Text>) },
            ]}
          />
        ) : null}
      </Card>
      {!q ? <ServiceWorkList reloadKey={worklistKey} open={(id) => navigate(`/service?submission=${id}`)} /> : null}
      {!submissionId ? <UndeliveredNotifications /> : null}
      {submissionId ? (
        <div style={{ marginTop: 16 }}>
          <History
            key={submissionId}
            id={submissionId}
            onChanged={() => {
              void search.reload(true);
              setWorklistKey((k) => k + 1);
            }}
          />
        </div>
      ) : null}
    </>
  );
}

function History({ id, onChanged }: { id: string; onChanged(): void }) {
  const { data: h, reload, setData } = useLoad(() => api.history(id), [id]);
  const { busy, run } = useAction();
  const [dialog, setDialog] = useState<"pass" | "unbind" | "dispute" | null>(null);
  const [text, setText] = useState("");
  if (!h) return <Card loading />;
  const s = h.submission;
  const r = h.rosterEntry;
  const can = (e: string) => s.allowedEvents.includes(e);
  const act = async () => {
    const fn = dialog === "pass" ? () => api.manualPass(id, text) : dialog === "unbind" ? () => api.unbindCode(id, text) : () => api.resolveDispute(id, text);
    const view = await run(fn, dialog === "pass" ? "已人工通过" : dialog === "unbind" ? "采集码已解绑" : "已标记为解决");
    if (view) {
      setDialog(null);
      setText("");
      // the new state at once from the action's answer; the rest of the record follows with the reload
      setData((cur) => (cur ? { ...cur, submission: view } : cur));
      void reload(true);
      onChanged();
    }
  };
  return (
    <Card
      data-testid="history"
      title={
        <Space size="middle">
          <Typography.Text strong style={{ fontSize: 18 }}>
            {r?.name ?? "（未绑定采集码）"}
          </Typography.Text>
          <span className="mono">{r?.uniqueNumber}</span>
          <Tag color={STATE_COLORS[s.state]} data-testid="history-state">
            {STATE_LABELS[s.state]}
          </Tag>
          <Typography.Text type="secondary">{h.campaign.name}</Typography.Text>
        </Space>
      }
      extra={
        <Space>
          <Tooltip title={can("MANUAL_PASS") ? "" : `仅在 3 次合格照片比对均未通过后可人工通过（当前 ${s.qualifyingFailures} 次）`}>
            <Button type="primary" icon={<SafetyCertificateOutlined />} disabled={!can("MANUAL_PASS")} onClick={() => setDialog("pass")} data-testid="manual-pass">
              人工通过
            </Button>
          </Tooltip>
          <Tooltip title={can("CODE_UNBOUND") ? "" : "照片提交后不能解绑"}>
            <Button icon={<DisconnectOutlined />} disabled={!can("CODE_UNBOUND")} onClick={() => setDialog("unbind")}>
              解绑采集码
            </Button>
          </Tooltip>
          {can("DISPUTE_RESOLVED") ? (
            <Button icon={<CheckCircleOutlined />} onClick={() => setDialog("dispute")}>
              录取照片异议已解决
            </Button>
          ) : null}
        </Space>
      }
    >
      {s.state === "NEEDS_MANUAL_PASS" ? <Alert type="warning" showIcon style={{ marginBottom: 16 }} message="该毕业生 3 次合格照片比对均未通过，核实身份后可人工通过" /> : null}
      {s.state === "ADMISSION_DISPUTED" ? <Alert type="error" showIcon style={{ marginBottom: 16 }} message={`毕业生对录取照片有异议：${r?.disputeNote || "（未填写说明）"}`} description="请联系学籍部门更正录取照片（在“名单与录取照片”中更换），再标记为已解决" /> : null}
      <Tabs
        items={[
          { key: "overview", label: "概况", children: <Overview h={h} /> },
          { key: "photos", label: `照片（${h.photos.length}）`, children: <Photos h={h} /> },
          { key: "comparisons", label: `人像比对（${h.comparisons.length}）`, children: <Comparisons h={h} /> },
          { key: "reviews", label: `审核（${h.reviews.length + h.overrides.length}）`, children: <Reviews h={h} /> },
          { key: "orders", label: `支付（${h.orders.length}）`, children: <Orders h={h} /> },
          { key: "notifications", label: `通知（${h.notifications.length}）`, children: <Notifications h={h} /> },
          { key: "timeline", label: "状态流转", children: <Transitions h={h} /> },
        ]}
      />
      <Modal
        open={dialog !== null}
        title={dialog === "pass" ? "人工通过" : dialog === "unbind" ? "解绑采集码" : "录取照片异议已解决"}
        onCancel={() => setDialog(null)}
        onOk={() => void act()}
        okText="确认"
        okButtonProps={{ disabled: text.trim().length < (dialog === "dispute" ? 2 : 4), loading: busy, "data-testid": "dialog-ok" } as ButtonProps}
        destroyOnHidden
      >
        {dialog === "pass" ? <ManualPassPhotos h={h} /> : null}
        <Typography.Paragraph type="secondary">
          {dialog === "pass"
            ? "请写明核实身份的方式（例如：毕业生到校出示身份证，经核对为本人）。该操作会记录在操作日志中。"
            : dialog === "unbind"
              ? "解绑后该微信账号需重新上传采集码；原采集码可以被正确的毕业生绑定。请写明原因。"
              : "请确认录取照片已由学籍部门更正，并写明处理情况。"}
        </Typography.Paragraph>
        <Input.TextArea rows={3} maxLength={500} showCount value={text} onChange={(e) => setText(e.target.value)} placeholder="原因（必填）" data-testid="dialog-reason" />
      </Modal>
    </Card>
  );
}

function Overview({ h }: { h: GraduateHistory }) {
  const r = h.rosterEntry;
  const s = h.submission;
  return (
    <Row gutter={24}>
      <Col xs={24} lg={16}>
        <Descriptions
          bordered
          size="small"
          column={2}
          items={[
            { key: "n", label: "姓名", children: r?.name ?? "—" },
            { key: "u", label: "唯一编号", children: <span className="mono">{r?.uniqueNumber ?? "—"}</span> },
            { key: "i", label: "身份证号", children: <span className="mono">{r?.idNumberMasked ?? "—"}</span> },
            { key: "p", label: "手机号", children: r?.phone ?? "—" },
            { key: "c", label: "学院", children: r?.college ?? "—" },
            { key: "m", label: "专业", children: r?.major ?? "—" },
            { key: "d", label: "学历层次", children: r?.degreeLevel ?? "—" },
            { key: "a", label: "录取照片", children: r ? <Tag color={ADMISSION_STATUS[r.admissionPhotoStatus]?.color}>{ADMISSION_STATUS[r.admissionPhotoStatus]?.label}</Tag> : "—" },
            { key: "f", label: "合格照片比对失败", children: `${s.qualifyingFailures} 次` },
            { key: "rt", label: "剩余免费重拍", children: `${s.freeRetakesLeft} 次` },
            { key: "q", label: "今日标准化", children: `已用 ${s.quota.usedToday} 次，剩 ${s.quota.remainingToday} 次` },
            { key: "cv", label: "温馨提示", children: s.consentVersion ? `已同意第${s.consentVersion}版${s.consentCurrent ? "" : "（非最新）"}` : "未同意" },
            { key: "w", label: "微信账号", children: `${h.wechatUser.nickname ?? "（无昵称）"} · ${h.wechatUser.openidMasked}` },
            { key: "wc", label: "首次登录", children: dateTime(h.wechatUser.createdAt) },
          ]}
        />
        <Typography.Title level={5} style={{ marginTop: 16 }}>
          采集码
        </Typography.Title>
        <Table
          size="small"
          rowKey="id"
          pagination={false}
          dataSource={h.captureCodes}
          locale={{ emptyText: "未绑定采集码" }}
          columns={[
            { title: "唯一编号", dataIndex: "uniqueNumber", render: (v: string) => <span className="mono">{v}</span> },
            { title: "姓名（码内）", dataIndex: "maskedName" },
            { title: "来源", dataIndex: "provider", render: (p: string) => (p === "demo" ? "演示" : "学信网") },
            { title: "状态", dataIndex: "status", render: (s: string) => (s === "BOUND" ? <Tag color="green">已绑定</Tag> : <Tag>已解绑</Tag>) },
            { title: "绑定时间", dataIndex: "boundAt", render: dateTime },
            { title: "解绑时间", dataIndex: "revokedAt", render: dateTime },
          ]}
        />
      </Col>
      <Col xs={24} lg={8}>
        <div className="photo-frame">
          <div className="label">录取照片</div>
          {r?.admissionUrl ? <Image src={r.admissionUrl} style={{ maxWidth: 220 }} /> : <div className="missing" style={{ maxWidth: 220 }}>无</div>}
        </div>
      </Col>
    </Row>
  );
}

function Photos({ h }: { h: GraduateHistory }) {
  if (!h.photos.length) return <Empty description="还没有上传照片" />;
  return (
    <Space direction="vertical" style={{ width: "100%" }} size={12}>
      {h.photos.map((p) => (
        <Card key={p.id} size="small">
          <Row gutter={16}>
            <Col flex="none">
              <Image.PreviewGroup>
                <Space>
                  <Image src={p.originalUrl} width={90} height={120} style={{ objectFit: "cover", borderRadius: 4 }} />
                  {p.standardizedUrl ? <Image src={p.standardizedUrl} width={90} height={120} style={{ objectFit: "cover", borderRadius: 4 }} /> : null}
                  {p.printUrl ? <Image src={p.printUrl} width={90} height={120} style={{ objectFit: "cover", borderRadius: 4 }} /> : null}
                </Space>
              </Image.PreviewGroup>
              <div style={{ fontSize: 12, color: "#8a97ad", marginTop: 4 }}>原图 {p.standardizedUrl ? "· 标准照 · 冲印版" : ""}</div>
            </Col>
            <Col flex="auto">
              <Space wrap style={{ marginBottom: 8 }}>
                <Typography.Text strong>{dateTimeSec(p.createdAt)}</Typography.Text>
                <Tag>{p.source === "CAMERA" ? "拍摄" : "相册"}</Tag>
                {p.compliant === true ? <Tag color="green">检测通过</Tag> : p.compliant === false ? <Tag color="red">检测未通过</Tag> : <Tag>未检测</Tag>}
                {p.standardisations ? <Tag color="blue">标准化 {p.standardisations} 次</Tag> : null}
                {p.submitted ? <Badge status="processing" text="已提交" /> : p.current ? <Badge status="default" text="当前照片" /> : null}
              </Space>
              {p.error ? <Alert type="error" message={p.error.message} style={{ marginBottom: 8 }} /> : null}
              <Space size={[4, 4]} wrap>
                {p.checks.map((c) => (
                  <Tooltip key={c.id} title={c.message}>
                    <Tag color={c.passed ? "green" : c.severity === "warning" ? "orange" : "red"}>{CHECK_LABELS[c.id] ?? c.id}</Tag>
                  </Tooltip>
                ))}
              </Space>
            </Col>
          </Row>
        </Card>
      ))}
    </Space>
  );
}

function Comparisons({ h }: { h: GraduateHistory }) {
  return (
    <Table
      size="small"
      rowKey="id"
      pagination={false}
      dataSource={h.comparisons}
      columns={[
        { title: "时间", dataIndex: "createdAt", render: dateTimeSec },
        { title: "分数", dataIndex: "score", render: (v: number | null) => (v === null ? "—" : <Typography.Text strong>{formatScore(v)}</Typography.Text>) },
        { title: "通过线", dataIndex: "threshold" },
        { title: "结果", dataIndex: "passed", render: (p: boolean) => (p ? <Tag color="green">通过</Tag> : <Tag color="red">未通过</Tag>) },
        { title: "计入人工通过", dataIndex: "qualifying", render: (q: boolean, c) => (c.passed ? "—" : q ? "是（照片合格）" : "否") },
        { title: "错误", dataIndex: "errorCode", render: (v: string | null) => v ?? "—" },
        { title: "录取照片质量", dataIndex: "referenceIssuesText", render: (t: string | null, c) => (t ? <Tag color={c.referralReason ? "orange" : "default"}>{t}</Tag> : "—") },
        { title: "处理", dataIndex: "referralReason", render: (v: string | null) => (v === "LOW_QUALITY_REFERENCE" ? <Tag color="orange">录取照片质量低，转学校审核</Tag> : v ? <Tag color="orange">{v}</Tag> : "—") },
        {
          title: "比对方",
          dataIndex: "provider",
          render: (p: string, c) => (
            <>
              <Typography.Text type="secondary">{p === "tencent" ? "腾讯云" : "本地模型"}</Typography.Text>
              {c.fallbackReason ? <Tag color="gold" style={{ marginLeft: 4 }}>腾讯云不可用，改用本地模型（{c.fallbackReason}）</Tag> : null}
              <div><Typography.Text type="secondary" style={{ fontSize: 12 }}>{c.modelId}</Typography.Text></div>
            </>
          ),
        },
      ]}
    />
  );
}

function Reviews({ h }: { h: GraduateHistory }) {
  const items = [
    ...h.reviews.map((r) => ({ at: r.createdAt, color: r.decision === "APPROVED" ? "green" : "red", text: `${r.decision === "APPROVED" ? "审核通过" : "审核未通过"}${r.reason ? `：${r.reason}` : ""}（${r.reviewer ?? "—"}）` })),
    ...h.overrides.map((o) => ({ at: o.createdAt, color: "blue", text: `客服人工通过：${o.reason}（${o.staff}）` })),
  ].sort((a, b) => b.at.localeCompare(a.at));
  if (!items.length) return <Empty description="还没有审核记录" />;
  return <Timeline items={items.map((i) => ({ color: i.color, children: <><Typography.Text type="secondary">{dateTimeSec(i.at)}</Typography.Text><div>{i.text}</div></> }))} />;
}

function Orders({ h }: { h: GraduateHistory }) {
  return (
    <Table
      size="small"
      rowKey="id"
      pagination={false}
      dataSource={h.orders}
      locale={{ emptyText: "没有订单" }}
      columns={[
        { title: "订单号", dataIndex: "outTradeNo", render: (v: string) => <span className="mono">{v}</span> },
        { title: "金额", dataIndex: "amountFen", render: yuan },
        { title: "状态", dataIndex: "status", render: (s: string) => <Tag color={ORDER_STATUS[s]?.color}>{ORDER_STATUS[s]?.label}</Tag> },
        { title: "支付时间", dataIndex: "paidAt", render: dateTime },
        { title: "已退款", dataIndex: "refundedFen", render: yuan },
        { title: "对账", dataIndex: "reconciliation", render: (r: string, o) => <Badge status={RECONCILIATION_COLORS[r] as "success"} text={o.reconciliationLabel} /> },
      ]}
    />
  );
}

const NOTIFY_STATUS: Record<string, { label: string; color: string }> = {
  PENDING: { label: "发送中", color: "processing" },
  SENT: { label: "已送达", color: "success" },
  FAILED: { label: "发送失败", color: "error" },
  SKIPPED: { label: "未发送", color: "default" },
  MAYBE_SENT: { label: "可能已送达", color: "warning" },
};

/** 订阅消息 that did not certainly arrive: staff see them and can send again. */
function UndeliveredNotifications() {
  const { navigate } = useRouter();
  const { run } = useAction();
  const list = useLoad(() => api.notifications({ pageSize: 50 }), []);
  if (!list.data || list.data.total === 0) return null;
  return (
    <Card size="small" title={`未确认送达的通知（${list.data.total}）`} data-testid="undelivered-notifications">
      <Typography.Paragraph type="secondary">
        “发送失败”：微信长时间不可用，重试次数用完（微信恢复后、毕业生仍有订阅时系统会自动重发）或被拒收。“可能已送达”：发送过程中断，微信已表示订阅次数用完，毕业生很可能已收到；重发可能导致重复。
      </Typography.Paragraph>
      <Table
        size="small"
        rowKey="id"
        pagination={false}
        dataSource={list.data.items}
        columns={[
          { title: "时间", dataIndex: "createdAt", render: dateTimeSec },
          { title: "毕业生", render: (_, n) => (n.submissionId ? <a onClick={() => navigate(`/service?submission=${n.submissionId}`)}>{n.graduate ? `${n.graduate.name}（${n.graduate.uniqueNumber}）` : "查看记录"}</a> : "—") },
          { title: "内容", dataIndex: "result", render: (v: string | null, n) => v ?? n.kind },
          { title: "状态", dataIndex: "status", render: (s: string, n) => <><Badge status={NOTIFY_STATUS[s]?.color as "success"} text={NOTIFY_STATUS[s]?.label} />{n.autoResend ? <Tag style={{ marginLeft: 8 }}>将自动重发</Tag> : null}</> },
          { title: "说明", dataIndex: "lastError", render: (e: string | null, n) => `${e ?? "—"}（已尝试 ${n.attempts} 次${n.resends ? `，重发 ${n.resends} 次` : ""}）` },
          { title: "", render: (_, n) => <Button size="small" onClick={() => void run(() => api.resendNotification(n.id), "已重新发送").then(() => list.reload(true))}>重发</Button> },
        ]}
      />
    </Card>
  );
}

function Notifications({ h }: { h: GraduateHistory }) {
  const STATUS = NOTIFY_STATUS;
  return (
    <Table
      size="small"
      rowKey="id"
      pagination={false}
      dataSource={h.notifications}
      locale={{ emptyText: "没有通知" }}
      columns={[
        { title: "时间", dataIndex: "createdAt", render: dateTimeSec },
        { title: "内容", render: (_, n) => `${n.result ?? n.kind}${n.reason ? `：${n.reason}` : ""}` },
        { title: "状态", dataIndex: "status", render: (s: string) => <Badge status={STATUS[s]?.color as "success"} text={STATUS[s]?.label} /> },
        { title: "说明", dataIndex: "lastError", render: (e: string | null) => (e === "graduate did not subscribe" ? "毕业生未订阅消息" : (e ?? "—")) },
      ]}
    />
  );
}

function Transitions({ h }: { h: GraduateHistory }) {
  return (
    <Timeline
      items={h.transitions.map((t) => ({
        color: t.to === "APPROVED" ? "green" : t.to === "REJECTED" || t.to === "NEEDS_MANUAL_PASS" ? "red" : "blue",
        children: (
          <>
            <Typography.Text type="secondary">{dateTimeSec(t.createdAt)}</Typography.Text>
            <div>
              {STATE_LABELS[t.from]} → <b>{STATE_LABELS[t.to]}</b> <Typography.Text type="secondary">（{t.actor ?? t.actorType}）</Typography.Text>
            </div>
          </>
        ),
      }))}
    />
  );
}

/** The manual-pass dialog shows what is being judged: the failed qualifying photos beside the admission photo. */
function ManualPassPhotos({ h }: { h: GraduateHistory }) {
  const failed = h.comparisons.filter((c) => c.qualifying && !c.passed);
  const photoOf = (id: string) => h.photos.find((p) => p.id === id);
  return (
    <div data-testid="manual-pass-photos" style={{ marginBottom: 12 }}>
      <Image.PreviewGroup>
        <Space size={8} wrap align="start">
          <div style={{ textAlign: "center" }}>
            {h.rosterEntry?.admissionUrl ? (
              <Image src={h.rosterEntry.admissionUrl} width={96} height={128} style={{ objectFit: "cover", borderRadius: 4, outline: "2px solid #1d63d8" }} alt="录取照片" />
            ) : (
              <div className="missing" style={{ width: 96, height: 128 }}>无</div>
            )}
            <div style={{ fontSize: 12, color: "#1d63d8" }}>录取照片</div>
          </div>
          {failed.map((c, i) => {
            const p = photoOf(c.photoId);
            const url = p?.standardizedUrl ?? p?.originalUrl;
            return (
              <div key={c.id} style={{ textAlign: "center" }}>
                {url ? <Image src={url} width={96} height={128} style={{ objectFit: "cover", borderRadius: 4 }} alt={`第 ${i + 1} 张`} /> : <div className="missing" style={{ width: 96, height: 128 }}>无</div>}
                <div style={{ fontSize: 12, color: "#8a97ad" }}>
                  第 {i + 1} 张 · {formatScore(c.score)} 分
                </div>
              </div>
            );
          })}
        </Space>
      </Image.PreviewGroup>
      <div style={{ fontSize: 12, color: "#8a97ad", marginTop: 4 }}>{failed.length} 张不同的合格照片比对未通过；请对照录取照片核实是否为本人。</div>
    </div>
  );
}
