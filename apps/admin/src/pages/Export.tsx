import { Alert, Button, Card, Col, Descriptions, Progress, Row, Space, Statistic, Table, Tag, Typography } from "antd";
import { CloudDownloadOutlined, ExportOutlined } from "@ant-design/icons";
import type { ExportJob } from "@gradphoto/contracts";
import { api } from "../api";
import { useSession } from "../session";
import { NoCampaign, PageHeader, useAction, useLoad } from "../components/Common";
import { TASK_STATUS, dateTime } from "../format";

export function ExportPage() {
  const { campaignId, campaign } = useSession();
  const { busy, run } = useAction();
  const list = useLoad(() => (campaignId ? api.exports(campaignId) : Promise.resolve(null)), [campaignId], { intervalMs: 1500 });
  if (!campaignId) return <NoCampaign />;
  const items = list.data?.items ?? [];
  const running = items.find((e) => e.status === "QUEUED" || e.status === "RUNNING");
  const download = async (e: ExportJob) => {
    const link = await run(() => api.exportLink(e.id));
    if (link) window.location.href = link.url;
  };
  return (
    <>
      <PageHeader title="照片导出" sub={campaign?.name} />
      <Row gutter={16}>
        <Col xs={24} xl={9}>
          <Card size="small" title="导出审核通过的照片">
            <Statistic title="当前审核通过" value={list.data?.approved ?? 0} suffix="人" />
            <Descriptions
              size="small"
              column={1}
              style={{ margin: "12px 0" }}
              items={[
                { key: "p", label: "photos/", children: "标准照（480×640，按活动的文件名规则命名）" },
                { key: "r", label: "print/", children: "冲印版（同一裁剪，高分辨率）" },
                { key: "m", label: "manifest.xlsx", children: "清单：唯一编号、姓名、学院、比对分数、审核时间、审核人" },
              ]}
            />
            <Button type="primary" icon={<ExportOutlined />} block size="large" disabled={!list.data?.approved || Boolean(running)} loading={busy} onClick={() => void run(() => api.startExport(campaignId), "已开始导出").then(() => list.reload(true))} data-testid="export-start">
              {running ? "正在导出…" : "开始导出"}
            </Button>
            <Alert style={{ marginTop: 12 }} type="info" showIcon message="导出在后台进行，可离开本页。下载链接 10 分钟内有效，压缩包保留 72 小时后自动删除。" />
          </Card>
        </Col>
        <Col xs={24} xl={15}>
          <Card size="small" title="导出记录">
            <Table
              size="small"
              rowKey="id"
              dataSource={items}
              pagination={false}
              loading={list.loading && !list.data}
              columns={[
                { title: "发起时间", dataIndex: "createdAt", render: dateTime },
                { title: "发起人", dataIndex: "requestedBy" },
                {
                  title: "进度",
                  width: 220,
                  render: (_, e) =>
                    e.status === "DONE" ? (
                      <Typography.Text>{e.done} 人</Typography.Text>
                    ) : (
                      <Progress percent={e.total ? Math.round((e.done / e.total) * 100) : 0} size="small" status={e.status === "FAILED" ? "exception" : "active"} format={() => `${e.done}/${e.total}`} data-testid="export-progress" />
                    ),
                },
                { title: "状态", dataIndex: "status", render: (s: string, e) => <Tag color={TASK_STATUS[s]?.color}>{e.status === "DONE" && e.expiresAt && new Date(e.expiresAt) < new Date() ? "已过期" : TASK_STATUS[s]?.label}</Tag> },
                { title: "保留至", dataIndex: "expiresAt", render: dateTime },
                {
                  title: "",
                  render: (_, e) =>
                    e.status === "DONE" && (!e.expiresAt || new Date(e.expiresAt) > new Date()) ? (
                      <Space>
                        <Button size="small" type="primary" ghost icon={<CloudDownloadOutlined />} onClick={() => void download(e)} data-testid="export-download">
                          下载
                        </Button>
                      </Space>
                    ) : e.error ? (
                      <Typography.Text type="danger">{e.error}</Typography.Text>
                    ) : null,
                },
              ]}
            />
          </Card>
        </Col>
      </Row>
    </>
  );
}
