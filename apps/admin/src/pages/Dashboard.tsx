import { useMemo, useState } from "react";
import { Badge, Card, Col, Empty, List, Row, Space, Statistic, Switch, Table, Tabs, Tag, Tooltip, Typography } from "antd";
import { ReloadOutlined } from "@ant-design/icons";
import type { Dashboard } from "@gradphoto/contracts";
import { api } from "../api";
import { useSession } from "../session";
import { useRouter } from "../router";
import { EChart, type EChartsOption } from "../components/EChart";
import { NoCampaign, PageHeader, useLoad } from "../components/Common";
import { STATE_COLORS, STATE_LABELS, dateTimeSec, fromNow } from "../format";

const BLUE = ["#1d63d8", "#3b7ae6", "#5a91ee", "#79a8f3", "#9bbff7", "#2fb171"];

export function DashboardPage() {
  const { campaignId, campaign } = useSession();
  const [live, setLive] = useState(true);
  const { data, loading, reload } = useLoad(() => (campaignId ? api.dashboard(campaignId) : Promise.resolve(null)), [campaignId], { intervalMs: live ? 5_000 : undefined });
  if (!campaignId) return <NoCampaign />;
  const d = data;
  return (
    <>
      <PageHeader
        title="数据看板"
        sub={campaign ? `${campaign.name}（${campaign.cohort}）` : undefined}
        extra={
          <>
            <Typography.Text type="secondary">{d ? `更新于 ${dateTimeSec(d.generatedAt)}` : ""}</Typography.Text>
            <Space>
              <Switch checked={live} onChange={setLive} size="small" />
              <Typography.Text>每5秒自动刷新</Typography.Text>
            </Space>
            <Tooltip title="立即刷新">
              <ReloadOutlined spin={loading} onClick={() => void reload()} style={{ cursor: "pointer", fontSize: 16 }} />
            </Tooltip>
          </>
        }
      />
      {d ? <DashboardBody d={d} /> : <Card loading />}
    </>
  );
}

function DashboardBody({ d }: { d: Dashboard }) {
  const t = d.totals;
  const rate = t.roster ? Math.round((t.approved / t.roster) * 1000) / 10 : 0;
  const funnel = useMemo<EChartsOption>(
    () => ({
      tooltip: { trigger: "item", formatter: "{b}：{c} 人" },
      color: BLUE,
      series: [
        {
          type: "funnel",
          sort: "none",
          left: "8%",
          width: "84%",
          top: 10,
          bottom: 10,
          minSize: "18%",
          gap: 3,
          label: { show: true, position: "inside", formatter: "{b}  {c}", color: "#fff", fontSize: 13 },
          data: d.funnel.map((f) => ({ name: f.label, value: f.count })),
        },
      ],
    }),
    [d.funnel],
  );
  const perDay = useMemo<EChartsOption>(
    () => ({
      tooltip: { trigger: "axis" },
      legend: { data: ["提交照片", "审核通过"], top: 0 },
      grid: { left: 40, right: 16, top: 36, bottom: 28 },
      xAxis: { type: "category", data: d.perDay.map((x) => x.day.slice(5)), axisTick: { alignWithLabel: true } },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: "提交照片", type: "bar", data: d.perDay.map((x) => x.submitted), itemStyle: { color: "#5a91ee", borderRadius: [3, 3, 0, 0] }, barMaxWidth: 22 },
        { name: "审核通过", type: "line", smooth: true, data: d.perDay.map((x) => x.approved), itemStyle: { color: "#2fb171" } },
      ],
    }),
    [d.perDay],
  );
  const scores = useMemo<EChartsOption>(
    () => ({
      tooltip: { trigger: "axis" },
      legend: { data: ["通过", "未通过"], top: 0 },
      grid: { left: 40, right: 16, top: 36, bottom: 28 },
      xAxis: { type: "category", data: d.scores.buckets.map((b) => `${b.from}-${b.to}`), name: "分数" },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        {
          name: "通过",
          type: "bar",
          stack: "s",
          data: d.scores.buckets.map((b) => b.passed),
          itemStyle: { color: "#2fb171" },
          markLine: d.scores.threshold !== null ? { symbol: "none", label: { formatter: `通过线 ${d.scores.threshold}` }, lineStyle: { color: "#d4380d", type: "dashed" }, data: [{ xAxis: `${Math.floor(d.scores.threshold / 10) * 10}-${Math.floor(d.scores.threshold / 10) * 10 + 10}` }] } : undefined,
        },
        { name: "未通过", type: "bar", stack: "s", data: d.scores.buckets.map((b) => b.failed), itemStyle: { color: "#f08a4b" } },
      ],
    }),
    [d.scores],
  );
  const colleges = useMemo(() => {
    const m = new Map<string, { college: string; roster: number; started: number; submitted: number; approved: number }>();
    for (const r of d.byCollege) {
      const v = m.get(r.college) ?? { college: r.college, roster: 0, started: 0, submitted: 0, approved: 0 };
      v.roster += r.roster;
      v.started += r.started;
      v.submitted += r.submitted;
      v.approved += r.approved;
      m.set(r.college, v);
    }
    return [...m.values()];
  }, [d.byCollege]);
  const collegeChart = useMemo<EChartsOption>(
    () => ({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { data: ["名单人数", "已开始", "已提交", "审核通过"], top: 0 },
      grid: { left: 110, right: 20, top: 36, bottom: 20 },
      yAxis: { type: "category", data: colleges.map((c) => c.college), inverse: true },
      xAxis: { type: "value", minInterval: 1 },
      series: [
        { name: "名单人数", type: "bar", data: colleges.map((c) => c.roster), itemStyle: { color: "#d5def0" }, barGap: "-100%", barMaxWidth: 18 },
        { name: "已开始", type: "bar", data: colleges.map((c) => c.started), itemStyle: { color: "#9bbff7" }, barGap: "-100%", barMaxWidth: 18 },
        { name: "已提交", type: "bar", data: colleges.map((c) => c.submitted), itemStyle: { color: "#3b7ae6" }, barGap: "-100%", barMaxWidth: 18 },
        { name: "审核通过", type: "bar", data: colleges.map((c) => c.approved), itemStyle: { color: "#2fb171" }, barGap: "-100%", barMaxWidth: 18 },
      ],
    }),
    [colleges],
  );

  return (
    <Space direction="vertical" size={16} style={{ width: "100%" }}>
      <Row gutter={[16, 16]}>
        {[
          { title: "名单人数", value: t.roster, suffix: "人" },
          { title: "已开始采集", value: t.submissions, suffix: "人" },
          { title: "待审核", value: t.reviewing, suffix: "人", color: t.reviewing ? "#722ed1" : undefined },
          { title: "审核通过", value: t.approved, suffix: `人 · ${rate}%`, color: "#2fb171" },
          { title: "审核未通过", value: t.rejected, suffix: "人" },
          { title: "录取照片缺失", value: t.admissionMissing, suffix: "人", color: t.admissionMissing ? "#d46b08" : undefined },
        ].map((s) => (
          <Col key={s.title} xs={12} md={8} xl={4}>
            <Card className="stat-card" size="small">
              <Statistic title={s.title} value={s.value} suffix={<span style={{ fontSize: 13 }}>{s.suffix}</span>} valueStyle={s.color ? { color: s.color } : undefined} />
            </Card>
          </Col>
        ))}
      </Row>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={10}>
          <Card title="采集漏斗" size="small">
            <EChart option={funnel} height={300} testId="chart-funnel" />
          </Card>
        </Col>
        <Col xs={24} xl={14}>
          <Card title="每日提交与通过" size="small">
            {d.perDay.length ? <EChart option={perDay} height={300} /> : <Empty style={{ height: 276, paddingTop: 90 }} description="还没有提交" />}
          </Card>
        </Col>
      </Row>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={10}>
          <Card title={`人像比对分数分布（共 ${d.scores.total} 次）`} size="small">
            {d.scores.total ? <EChart option={scores} height={280} /> : <Empty style={{ height: 256, paddingTop: 80 }} description="还没有人像比对" />}
          </Card>
        </Col>
        <Col xs={24} xl={14}>
          <StuckCard d={d} />
        </Col>
      </Row>
      <Card title="按学院、专业" size="small">
        <Row gutter={16}>
          <Col xs={24} xl={10}>
            {colleges.length ? <EChart option={collegeChart} height={Math.max(200, colleges.length * 44 + 60)} /> : <Empty description="还没有导入名单" />}
          </Col>
          <Col xs={24} xl={14}>
            <Table
              size="small"
              rowKey={(r) => `${r.college}/${r.major}`}
              dataSource={d.byCollege}
              pagination={{ pageSize: 8, hideOnSinglePage: true }}
              columns={[
                { title: "学院", dataIndex: "college" },
                { title: "专业", dataIndex: "major" },
                { title: "名单", dataIndex: "roster", align: "right" },
                { title: "已开始", dataIndex: "started", align: "right" },
                { title: "已提交", dataIndex: "submitted", align: "right" },
                { title: "通过", dataIndex: "approved", align: "right" },
                { title: "完成率", align: "right", render: (_, r) => `${r.roster ? Math.round((r.approved / r.roster) * 100) : 0}%` },
              ]}
            />
          </Col>
        </Row>
      </Card>
    </Space>
  );
}

function StuckCard({ d }: { d: Dashboard }) {
  const { navigate } = useRouter();
  const tab = (key: keyof Dashboard["stuck"]["counts"], label: string, items: Dashboard["stuck"]["manualPass"]) => ({
    key,
    label: (
      <Space size={4}>
        {label}
        <Badge count={d.stuck.counts[key]} showZero color={d.stuck.counts[key] ? "#f5222d" : "#bfbfbf"} overflowCount={9999} />
      </Space>
    ),
    children: items.length ? (
      <List
        size="small"
        dataSource={items}
        style={{ maxHeight: 236, overflow: "auto" }}
        renderItem={(s) => (
          <List.Item
            actions={[
              <a key="open" onClick={() => navigate(`/service?submission=${s.submissionId}`)}>
                处理
              </a>,
            ]}
          >
            <List.Item.Meta
              title={
                <Space>
                  <span>{s.name ?? "（未绑定采集码）"}</span>
                  <span className="mono" style={{ color: "#8a97ad", fontSize: 12 }}>
                    {s.uniqueNumber}
                  </span>
                  <Tag color={STATE_COLORS[s.state]}>{STATE_LABELS[s.state]}</Tag>
                </Space>
              }
              description={`${s.college ?? ""} ${s.phone ? `· ${s.phone}` : ""} · 已停留 ${fromNow(s.since).replace("前", "")}`}
            />
          </List.Item>
        )}
      />
    ) : (
      <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="没有需要处理的毕业生" />
    ),
  });
  return (
    <Card title="需要跟进的毕业生" size="small" styles={{ body: { paddingTop: 0 } }}>
      <Tabs
        size="small"
        items={[
          tab("manualPass", "待客服人工通过", d.stuck.manualPass),
          tab("disputed", "录取照片有异议", d.stuck.disputed),
          tab("paymentPending", "待支付", d.stuck.paymentPending),
        ]}
      />
    </Card>
  );
}
