import type { ButtonProps } from "antd";
import { useCallback, useEffect, useRef, useState } from "react";
import { Alert, Button, Card, Col, Descriptions, Drawer, Empty, Image, Input, InputNumber, List, Modal, Popconfirm, Radio, Row, Space, Statistic, Switch, Tag, Tooltip, Typography } from "antd";
import { CheckOutlined, CloseOutlined, DeleteOutlined, EditOutlined, PlayCircleOutlined, PlusOutlined, SettingOutlined } from "@ant-design/icons";
import type { RejectionReason, ReviewItem } from "@gradphoto/contracts";
import { countChecks, formatScore } from "@gradphoto/contracts";
import { api } from "../api";
import { useSession } from "../session";
import { NoCampaign, PageHeader, useAction, useLoad } from "../components/Common";
import { CHECK_LABELS, chinaFormat } from "../format";

/** How long an approval can be taken back before it is sent. */
const UNDO_MS = 4000;

export function ReviewPage() {
  const { campaignId, campaign, staff } = useSession();
  const [item, setItem] = useState<ReviewItem | null | undefined>(undefined);
  const [rejecting, setRejecting] = useState(false);
  const [reasonIdx, setReasonIdx] = useState<number | null>(null);
  const [custom, setCustom] = useState("");
  const [templatesOpen, setTemplatesOpen] = useState(false);
  const [now, setNow] = useState(Date.now());
  const { busy, run } = useAction();
  const stats = useLoad(() => (campaignId ? api.reviewStats(campaignId) : Promise.resolve(null)), [campaignId], { intervalMs: 10_000 });
  const reasons = useLoad(() => api.rejectionReasons(staff?.role === "OPERATOR" && campaign ? campaign.schoolId : undefined), [campaign?.schoolId]);
  const active = (reasons.data?.items ?? []).filter((r) => r.active);

  const next = useCallback(async () => {
    if (!campaignId) return;
    const r = await run(() => api.nextReview(campaignId));
    if (r !== undefined) setItem(r);
    void stats.reload(true);
  }, [campaignId, run, stats]);

  useEffect(() => {
    setItem(undefined);
  }, [campaignId]);
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);

  // A (or the button) does not approve at once: the approval waits UNDO_MS with 撤销 (Z / Esc) on
  // screen, so a slip of the key costs nothing; A again (or 立即提交) sends it at once. Nothing
  // reaches the server — and no notification the graduate — before then.
  const [pending, setPending] = useState<{ id: string; name: string; until: number } | null>(null);
  const pendingRef = useRef<{ id: string; timer: ReturnType<typeof setTimeout> } | null>(null);
  const commitApprove = useCallback(async () => {
    const p = pendingRef.current;
    if (!p) return;
    clearTimeout(p.timer);
    pendingRef.current = null;
    setPending(null);
    const r = await run(() => api.decide(p.id, { decision: "APPROVED" }), "已提交审核通过");
    if (r) await next();
  }, [run, next]);
  const commitRef = useRef(commitApprove);
  commitRef.current = commitApprove;
  const approve = useCallback(async () => {
    if (!item || busy) return;
    if (pendingRef.current) return commitApprove();
    const timer = setTimeout(() => void commitRef.current(), UNDO_MS);
    pendingRef.current = { id: item.submission.id, timer };
    setPending({ id: item.submission.id, name: item.submission.rosterEntry?.name ?? "", until: Date.now() + UNDO_MS });
  }, [item, busy, commitApprove]);
  const undo = useCallback(() => {
    const p = pendingRef.current;
    if (!p) return;
    clearTimeout(p.timer);
    pendingRef.current = null;
    setPending(null);
  }, []);
  // leaving the page (or switching campaign) drops an approval not yet sent: the claim simply expires
  useEffect(() => () => undo(), [undo, campaignId]);

  const reject = useCallback(async () => {
    if (!item || busy) return;
    const reason = reasonIdx !== null && reasonIdx < active.length ? active[reasonIdx]!.text : custom.trim();
    if (reason.length < 2) return;
    const r = await run(() => api.decide(item.submission.id, { decision: "REJECTED", reason }), `已驳回：${item.submission.rosterEntry?.name ?? ""}`);
    if (r) {
      setRejecting(false);
      setReasonIdx(null);
      setCustom("");
      await next();
    }
  }, [item, busy, reasonIdx, active, custom, run, next]);

  // Keyboard: A approve, R reject, 1–9 pick a reason, Enter confirm, Esc cancel, N next.
  const keys = useRef({ approve, reject, next, rejecting, active, undo });
  keys.current = { approve, reject, next, rejecting, active, undo };
  useEffect(() => {
    const on = (e: KeyboardEvent) => {
      const el = e.target as HTMLElement | null;
      const typing = el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.isContentEditable);
      const k = keys.current;
      if (k.rejecting) {
        if (e.key === "Enter" && !e.shiftKey) {
          e.preventDefault();
          void k.reject();
        } else if (!typing && /^[1-9]$/.test(e.key) && Number(e.key) <= k.active.length) {
          e.preventDefault();
          setReasonIdx(Number(e.key) - 1);
        } else if (e.key === "Escape") setRejecting(false);
        return;
      }
      if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
      if (pendingRef.current) {
        if (e.key === "a" || e.key === "A" || e.key === "Enter") void k.approve();
        else if (e.key === "z" || e.key === "Z" || e.key === "Escape") k.undo();
        return;
      }
      if (e.key === "a" || e.key === "A") void k.approve();
      else if (e.key === "r" || e.key === "R") {
        e.preventDefault();
        setRejecting(true);
      } else if (e.key === "n" || e.key === "N") void k.next();
    };
    window.addEventListener("keydown", on);
    return () => window.removeEventListener("keydown", on);
  }, []);

  if (!campaignId) return <NoCampaign />;
  const s = stats.data;
  const left = item ? Math.max(0, Math.round((new Date(item.claimedUntil).getTime() - now) / 1000)) : 0;
  const failed = item ? item.checks.filter((c) => !c.passed) : [];
  // counted as the graduate saw them: the photo's checks, then the standard photo's
  const counts = countChecks(item?.checks ?? []);
  const score = item?.score ?? null;
  const r = item?.submission.rosterEntry;

  return (
    <>
      <PageHeader
        title="照片审核"
        sub={campaign?.name}
        extra={
          <>
            <Typography.Text type="secondary">
              <span className="kbd">A</span>通过（4 秒内 <span className="kbd">Z</span>撤销） <span className="kbd">R</span>不通过 <span className="kbd">1-9</span>选理由 <span className="kbd">Enter</span>确认 <span className="kbd">N</span>下一张
            </Typography.Text>
            <Button icon={<SettingOutlined />} onClick={() => setTemplatesOpen(true)} data-testid="reason-templates">
              驳回理由模板
            </Button>
          </>
        }
      />
      <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
        {[
          { t: "待审核", v: s?.waiting ?? 0, c: "#722ed1" },
          { t: "他人审核中", v: s?.claimedByOthers ?? 0 },
          { t: "今日已审", v: s?.decidedToday ?? 0 },
          { t: "我今日已审", v: s?.myDecisionsToday ?? 0, c: "#1d63d8" },
        ].map((x) => (
          <Col key={x.t} xs={12} md={6}>
            <Card size="small">
              <Statistic title={x.t} value={x.v} valueStyle={x.c ? { color: x.c } : undefined} />
            </Card>
          </Col>
        ))}
      </Row>

      {item === undefined ? (
        <Card>
          <Empty description="点击开始，系统会为您分配一张待审核的照片（不会与其他审核员重复）">
            <Button type="primary" size="large" icon={<PlayCircleOutlined />} onClick={() => void next()} loading={busy} data-testid="review-start">
              开始审核
            </Button>
          </Empty>
        </Card>
      ) : item === null ? (
        <Card>
          <Empty description="暂时没有待审核的照片">
            <Button onClick={() => void next()} loading={busy}>
              刷新
            </Button>
          </Empty>
        </Card>
      ) : (
        <Row gutter={16} data-testid="review-item">
          <Col xs={24} xl={15}>
            <Card
              size="small"
              title={
                <Space>
                  <Typography.Text strong style={{ fontSize: 16 }} data-testid="review-name">
                    {r?.name}
                  </Typography.Text>
                  <span className="mono" style={{ color: "#5b6b86" }}>
                    {r?.uniqueNumber}
                  </span>
                </Space>
              }
              extra={<Typography.Text type={left < 60 ? "danger" : "secondary"}>锁定剩余 {Math.floor(left / 60)}:{String(left % 60).padStart(2, "0")}</Typography.Text>}
            >
              <div className="photo-pair">
                <div className="photo-frame">
                  <div className="label">本次提交（标准化后）</div>
                  <div className="marked">
                    <img src={item.standardizedUrl} alt="提交的照片" data-testid="review-photo" />
                    {item.marks.map((m, i) => (
                      // a spot a check found (e.g. a suspected earring): circled where it is
                      <div key={i} className="mark" data-testid="review-mark" title={m.label} style={{ left: `${(m.x - m.r) * 100}%`, top: `${m.y * 100}%`, width: `${2 * m.r * 100}%` }}>
                        <span>{m.label}</span>
                      </div>
                    ))}
                  </div>
                </div>
                <div className="photo-frame">
                  <div className="label">录取照片</div>
                  {item.admissionUrl ? <img src={item.admissionUrl} alt="录取照片" /> : <div className="missing">无录取照片</div>}
                </div>
              </div>
              {pending ? (
                <Alert
                  style={{ marginTop: 16 }}
                  type="success"
                  showIcon
                  data-testid="review-pending"
                  message={`即将审核通过：${pending.name}（${Math.min(UNDO_MS / 1000, Math.max(0, Math.ceil((pending.until - now) / 1000)))} 秒后提交）`}
                  description="按 Z 或 Esc 撤销；再按 A 或回车立即提交。"
                  action={
                    <Space direction="vertical">
                      <Button size="small" onClick={undo} data-testid="review-undo">
                        撤销 (Z)
                      </Button>
                      <Button size="small" type="primary" onClick={() => void approve()} data-testid="review-commit">
                        立即提交
                      </Button>
                    </Space>
                  }
                />
              ) : null}
              <Space style={{ marginTop: 16, width: "100%", justifyContent: "center" }} size="large">
                <Button type="primary" size="large" icon={<CheckOutlined />} style={{ background: "#2fb171", minWidth: 150 }} onClick={() => void approve()} loading={busy} data-testid="review-approve">
                  通过 (A)
                </Button>
                <Button danger size="large" icon={<CloseOutlined />} style={{ minWidth: 150 }} onClick={() => setRejecting(true)} disabled={pending !== null} data-testid="review-reject">
                  不通过 (R)
                </Button>
              </Space>
            </Card>
          </Col>
          <Col xs={24} xl={9}>
            <Card size="small" title="人像比对" style={{ marginBottom: 16 }}>
              {item.manualPass ? (
                <ManualPassView mp={item.manualPass} admissionUrl={item.admissionUrl} />
              ) : (
                <Space align="baseline">
                  <span className="score-big" style={{ color: score === null ? "#8a97ad" : score >= 80 ? "#2fb171" : "#d4380d" }} data-testid="review-score">
                    {score === null ? "—" : formatScore(score)}
                  </span>
                  <Typography.Text type="secondary">分（通过线 80）</Typography.Text>
                </Space>
              )}
              {item.referralNote ? (
                <Alert type="warning" showIcon style={{ marginTop: 8 }} message={item.referralNote} data-testid="review-referral" />
              ) : null}
              <Descriptions
                size="small"
                column={1}
                style={{ marginTop: 12 }}
                items={[
                  { key: "c", label: "学院专业", children: `${r?.college ?? ""} · ${r?.major ?? ""}` },
                  { key: "d", label: "学历层次", children: r?.degreeLevel },
                  { key: "i", label: "身份证号", children: <span className="mono">{r?.idNumberMasked}</span> },
                  { key: "f", label: "比对失败次数", children: item.submission.qualifyingFailures },
                  { key: "p", label: "上次审核", children: item.submission.lastReview ? `${item.submission.lastReview.decision === "REJECTED" ? "未通过：" + (item.submission.lastReview.reason ?? "") : "通过"}（${chinaFormat(item.submission.lastReview.createdAt, "MM-DD HH:mm")}）` : "首次提交" },
                ]}
              />
            </Card>
            <Card size="small" title={`照片检测（${counts.photo.passed}/${counts.photo.total} 项通过${counts.output.total ? ` · 标准照 ${counts.output.passed}/${counts.output.total}` : ""}）`} data-testid="review-checks">
              {failed.length ? <Alert type="warning" showIcon style={{ marginBottom: 8 }} message={failed.map((c) => CHECK_LABELS[c.id] ?? c.id).join("、")} description={failed.map((c) => c.message).join("；")} /> : null}
              <Space size={[6, 6]} wrap>
                {item.checks.map((c) => (
                  <Tooltip key={c.id} title={c.message}>
                    <Tag color={c.passed ? "green" : "red"} icon={c.passed ? <CheckOutlined /> : <CloseOutlined />}>
                      {CHECK_LABELS[c.id] ?? c.id}
                    </Tag>
                  </Tooltip>
                ))}
              </Space>
            </Card>
          </Col>
        </Row>
      )}

      <Modal
        open={rejecting}
        title="不通过的理由（毕业生会在“审核未通过”通知中看到）"
        onCancel={() => setRejecting(false)}
        okText="确认不通过 (Enter)"
        okButtonProps={{ danger: true, disabled: reasonIdx === null && custom.trim().length < 2, loading: busy, "data-testid": "reject-confirm" } as ButtonProps}
        onOk={() => void reject()}
        destroyOnHidden
      >
        <Radio.Group value={reasonIdx} onChange={(e) => setReasonIdx(e.target.value as number)} style={{ width: "100%" }}>
          <Space direction="vertical" style={{ width: "100%" }}>
            {active.map((t, i) => (
              <Radio key={t.id} value={i} data-testid={`reason-${i + 1}`}>
                {i < 9 ? <span className="kbd">{i + 1}</span> : null}
                {t.text}
              </Radio>
            ))}
            <Radio value={null}>其他理由：</Radio>
          </Space>
        </Radio.Group>
        <Input.TextArea
          style={{ marginTop: 8 }}
          rows={2}
          maxLength={200}
          placeholder="填写具体理由，例如：请摘下眼镜重新拍摄"
          value={custom}
          onFocus={() => setReasonIdx(null)}
          onChange={(e) => setCustom(e.target.value)}
          data-testid="reject-custom"
        />
      </Modal>
      <TemplatesDrawer open={templatesOpen} onClose={() => setTemplatesOpen(false)} items={reasons.data?.items ?? []} reload={() => void reasons.reload(true)} schoolId={staff?.role === "OPERATOR" ? campaign?.schoolId : undefined} />
    </>
  );
}

function TemplatesDrawer({ open, onClose, items, reload, schoolId }: { open: boolean; onClose(): void; items: RejectionReason[]; reload(): void; schoolId?: string }) {
  const { run } = useAction();
  const [text, setText] = useState("");
  const [editing, setEditing] = useState<{ id: string; text: string; sortOrder: number } | null>(null);
  return (
    <Drawer open={open} onClose={onClose} width={520} title="驳回理由模板">
      <Space.Compact style={{ width: "100%", marginBottom: 16 }}>
        <Input placeholder="新增一条常用理由" value={text} maxLength={200} onChange={(e) => setText(e.target.value)} />
        <Button type="primary" icon={<PlusOutlined />} disabled={text.trim().length < 2} onClick={() => void run(() => api.createRejectionReason({ text: text.trim(), schoolId }), "已添加").then((r) => r && (setText(""), reload()))}>
          添加
        </Button>
      </Space.Compact>
      <List
        dataSource={items}
        renderItem={(t) => (
          <List.Item
            actions={[
              <Tooltip key="a" title={t.active ? "停用后审核时不再显示" : "启用"}>
                <Switch size="small" checked={t.active} onChange={(v) => void run(() => api.updateRejectionReason(t.id, { active: v })).then(reload)} />
              </Tooltip>,
              <Button key="e" size="small" type="text" icon={<EditOutlined />} onClick={() => setEditing({ id: t.id, text: t.text, sortOrder: t.sortOrder })} />,
              <Popconfirm key="d" title="删除这条理由？" onConfirm={() => void run(() => api.deleteRejectionReason(t.id), "已删除").then(reload)}>
                <Button size="small" type="text" danger icon={<DeleteOutlined />} />
              </Popconfirm>,
            ]}
          >
            <Typography.Text type={t.active ? undefined : "secondary"} delete={!t.active}>
              {t.text}
            </Typography.Text>
          </List.Item>
        )}
      />
      <Modal open={editing !== null} title="修改理由" onCancel={() => setEditing(null)} onOk={() => editing && void run(() => api.updateRejectionReason(editing.id, { text: editing.text, sortOrder: editing.sortOrder }), "已保存").then((r) => r && (setEditing(null), reload()))}>
        {editing ? (
          <Space direction="vertical" style={{ width: "100%" }}>
            <Input.TextArea rows={3} maxLength={200} value={editing.text} onChange={(e) => setEditing({ ...editing, text: e.target.value })} />
            <Space>
              排序
              <InputNumber min={0} max={1000} value={editing.sortOrder} onChange={(v) => setEditing({ ...editing, sortOrder: v ?? 0 })} />
            </Space>
          </Space>
        ) : null}
      </Modal>
    </Drawer>
  );
}

/** A comparison passed by customer service: who, why, and the failed photos beside the admission photo. */
function ManualPassView({ mp, admissionUrl }: { mp: NonNullable<ReviewItem["manualPass"]>; admissionUrl: string | null }) {
  return (
    <div data-testid="review-manual-pass">
      <Alert type="info" showIcon message="客服已人工通过人像比对" description={`${mp.staff} · ${chinaFormat(mp.at, "MM-DD HH:mm")}：${mp.reason}`} style={{ marginBottom: 8 }} />
      <Typography.Text type="secondary">比对未通过的 {mp.photos.length} 张照片（分数仅供参考）与录取照片：</Typography.Text>
      <Image.PreviewGroup>
        <Space size={6} wrap style={{ marginTop: 6 }}>
          {mp.photos.map((p, i) => (
            <div key={p.url} style={{ textAlign: "center" }}>
              <Image src={p.url} width={72} height={96} style={{ objectFit: "cover", borderRadius: 4 }} alt={`第 ${i + 1} 张`} />
              <div style={{ fontSize: 12, color: "#8a97ad" }}>第 {i + 1} 张 · {formatScore(p.score)} 分</div>
            </div>
          ))}
          {admissionUrl ? (
            <div style={{ textAlign: "center" }}>
              <Image src={admissionUrl} width={72} height={96} style={{ objectFit: "cover", borderRadius: 4, outline: "2px solid #1d63d8" }} alt="录取照片" />
              <div style={{ fontSize: 12, color: "#1d63d8" }}>录取照片</div>
            </div>
          ) : null}
        </Space>
      </Image.PreviewGroup>
    </div>
  );
}
