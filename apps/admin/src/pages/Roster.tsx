import { useEffect, useState } from "react";
import { Alert, Button, Card, Col, Descriptions, Empty, Image, Input, Modal, Progress, Result, Row, Select, Space, Statistic, Table, Tabs, Tag, Typography, Upload } from "antd";
import { CheckCircleOutlined, DownloadOutlined, FileExcelOutlined, FileZipOutlined, PrinterOutlined, QrcodeOutlined, UploadOutlined } from "@ant-design/icons";
import type { AdmissionReport, DemoCodeSheet, ImportJob, RosterReport } from "@gradphoto/contracts";
import { ROSTER_HEADERS } from "@gradphoto/contracts";
import { api } from "../api";
import { useSession } from "../session";
import { NoCampaign, PageHeader, useAction, useLoad } from "../components/Common";
import { ADMISSION_STATUS, STATE_COLORS, STATE_LABELS, TASK_STATUS, dateTime } from "../format";

const ACTION_TAG: Record<string, { label: string; color: string }> = {
  NEW: { label: "新增", color: "green" },
  UPDATE: { label: "更新", color: "blue" },
  UNCHANGED: { label: "无变化", color: "default" },
  INVALID: { label: "有错误", color: "red" },
};

/** Polls an import until it finishes. */
function useImportProgress(id: string | null, onDone: (j: ImportJob) => void) {
  const [job, setJob] = useState<ImportJob | null>(null);
  useEffect(() => {
    if (!id) return;
    let stop = false;
    const tick = async () => {
      try {
        const j = await api.importJob(id);
        if (stop) return;
        setJob(j);
        if (j.status === "DONE" || j.status === "FAILED") {
          onDone(j);
          return;
        }
      } catch {
        /* keep polling */
      }
      if (!stop) setTimeout(() => void tick(), 600);
    };
    void tick();
    return () => {
      stop = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id]);
  return job;
}

export function RosterPage() {
  const { campaignId, campaign } = useSession();
  const [tab, setTab] = useState("roster-import");
  if (!campaignId) return <NoCampaign />;
  return (
    <>
      <PageHeader title="名单与录取照片" sub={campaign ? `${campaign.name} · 名单 ${campaign.counts.roster} 人 · 录取照片 ${campaign.counts.admissionPhotos} 张` : undefined} />
      <Card size="small">
        <Tabs
          activeKey={tab}
          onChange={setTab}
          items={[
            { key: "roster-import", label: "导入名单", children: <RosterImport key={campaignId} campaignId={campaignId} /> },
            { key: "admission", label: "导入录取照片", children: <AdmissionImport key={campaignId} campaignId={campaignId} /> },
            { key: "list", label: "名单查询与演示采集码", children: <RosterList key={campaignId} campaignId={campaignId} /> },
            { key: "history", label: "导入记录", children: <ImportHistory key={campaignId} campaignId={campaignId} /> },
          ]}
        />
      </Card>
    </>
  );
}

function downloadTemplate() {
  const header = ["学信网唯一编号", "姓名", "身份证号", "手机号", "学院", "专业", "学历层次"];
  const sample = ["2026105580000001", "张三", "110101200001011234", "13800000000", "计算机学院", "软件工程", "本科"];
  const blob = new Blob(["\uFEFF" + [header, sample].map((r) => r.join(",")).join("\r\n")], { type: "text/csv;charset=utf-8" });
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = "名单导入模板.csv";
  a.click();
  URL.revokeObjectURL(a.href);
}

function RosterImport({ campaignId }: { campaignId: string }) {
  const { refreshCampaigns } = useSession();
  const { busy, run } = useAction();
  const [job, setJob] = useState<ImportJob | null>(null);
  const [applying, setApplying] = useState<string | null>(null);
  const progress = useImportProgress(applying, () => void refreshCampaigns());
  const report = (progress?.report ?? job?.report) as RosterReport | null;
  const current = progress ?? job;

  if (current && report && current.status !== "QUEUED") {
    const pct = current.total ? Math.round((current.done / current.total) * 100) : current.status === "DONE" ? 100 : 0;
    return (
      <div style={{ maxWidth: 720, margin: "24px auto" }} data-testid="roster-progress">
        {current.status === "DONE" ? (
          <Result
            status="success"
            title="名单导入完成"
            subTitle={report.applied ? `新增 ${report.applied.inserted} 人，更新 ${report.applied.updated} 人，跳过 ${report.applied.skipped} 行（有错误或无变化），用时 ${(report.applied.ms / 1000).toFixed(1)} 秒` : ""}
            extra={<Button onClick={() => (setJob(null), setApplying(null))}>继续导入</Button>}
          />
        ) : current.status === "FAILED" ? (
          <Result status="error" title="导入失败" subTitle={report.error ?? ""} extra={<Button onClick={() => (setJob(null), setApplying(null))}>重新上传</Button>} />
        ) : (
          <Card>
            <Typography.Title level={5}>正在导入 {report.fileName}</Typography.Title>
            <Progress percent={pct} status="active" />
            <Typography.Text type="secondary">
              已处理 {current.done} / {current.total} 行，可以离开本页，导入会在后台继续
            </Typography.Text>
          </Card>
        )}
      </div>
    );
  }

  if (!job || !report) {
    return (
      <Row gutter={24}>
        <Col xs={24} lg={14}>
          <Upload.Dragger
            accept=".xlsx,.csv"
            showUploadList={false}
            disabled={busy}
            beforeUpload={(file) => {
              void run(() => api.uploadRoster(campaignId, file, file.name)).then((j) => j && setJob(j));
              return false;
            }}
            data-testid="roster-upload"
          >
            <p className="ant-upload-drag-icon">
              <FileExcelOutlined />
            </p>
            <p className="ant-upload-text">{busy ? "正在校验…" : "点击或拖入名单文件（.xlsx 或 .csv）"}</p>
            <p className="ant-upload-hint">上传后先逐行校验并预览，确认后才会写入名单；重复导入会更新已有记录，不会重复</p>
          </Upload.Dragger>
        </Col>
        <Col xs={24} lg={10}>
          <Card size="small" title="文件格式" extra={<Button size="small" icon={<DownloadOutlined />} onClick={downloadTemplate}>下载模板</Button>}>
            <Descriptions
              size="small"
              column={1}
              items={Object.entries(ROSTER_HEADERS).map(([field, headers]) => ({
                key: field,
                label: headers[0],
                children: (
                  <Typography.Text type="secondary">
                    {field === "phone" ? "选填" : "必填"}
                    {field === "idNumber" ? "，18位身份证号（加密保存，只显示前3后4位）" : ""}
                    {field === "uniqueNumber" ? "，6-40位字母或数字" : ""}
                  </Typography.Text>
                ),
              }))}
            />
            <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0, fontSize: 12 }}>
              第一行为表头（可在前几行有标题）；身份证号、唯一编号列请设为“文本”格式，避免 Excel 丢失末位。CSV 支持 UTF-8 和 GBK 编码。
            </Typography.Paragraph>
          </Card>
        </Col>
      </Row>
    );
  }

  return (
    <Space direction="vertical" size={16} style={{ width: "100%" }} data-testid="roster-report">
      <Row gutter={16}>
        <Col span={4}>
          <Statistic title="总行数" value={report.totalRows} />
        </Col>
        <Col span={4}>
          <Statistic title="可导入" value={report.validRows} valueStyle={{ color: "#2fb171" }} />
        </Col>
        <Col span={4}>
          <Statistic title="新增" value={report.newRows} />
        </Col>
        <Col span={4}>
          <Statistic title="更新" value={report.updatedRows} />
        </Col>
        <Col span={4}>
          <Statistic title="无变化" value={report.unchangedRows} />
        </Col>
        <Col span={4}>
          <Statistic title="有错误" value={report.invalidRows} valueStyle={{ color: report.invalidRows ? "#cf1322" : undefined }} />
        </Col>
      </Row>
      {report.missingColumns.length ? <Alert type="error" showIcon message={`缺少必填列：${report.missingColumns.join("、")}`} description="请补齐列后重新上传" /> : null}
      {report.invalidRows ? <Alert type="warning" showIcon message={`有 ${report.invalidRows} 行存在错误，确认导入时将跳过这些行`} description="可以修正文件后重新上传，已导入的行会被更新而不会重复" /> : null}
      <Space>
        <Button
          type="primary"
          icon={<CheckCircleOutlined />}
          disabled={report.validRows === 0 || report.missingColumns.length > 0 || report.newRows + report.updatedRows === 0}
          loading={busy}
          onClick={() => void run(() => api.confirmRoster(job.id)).then((j) => j && setApplying(j.id))}
          data-testid="roster-confirm"
        >
          确认导入 {report.newRows + report.updatedRows} 行
        </Button>
        <Button onClick={() => setJob(null)}>重新上传</Button>
        <Typography.Text type="secondary">{report.fileName}</Typography.Text>
      </Space>
      <Tabs
        items={[
          {
            key: "issues",
            label: `错误明细（${report.issueCount}）`,
            children: (
              <Table
                size="small"
                rowKey={(r, i) => `${r.row}-${i}`}
                dataSource={report.issues}
                pagination={{ pageSize: 10, showSizeChanger: false }}
                locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="全部行校验通过" /> }}
                columns={[
                  { title: "行号", dataIndex: "row", width: 80 },
                  { title: "唯一编号", dataIndex: "uniqueNumber", width: 200, render: (v: string | null) => <span className="mono">{v ?? "—"}</span> },
                  { title: "问题", dataIndex: "message", render: (m: string) => <Typography.Text type="danger">{m}</Typography.Text> },
                ]}
              />
            ),
          },
          {
            key: "preview",
            label: `预览（前 ${report.preview.length} 行）`,
            children: (
              <Table
                size="small"
                rowKey="row"
                dataSource={report.preview}
                pagination={false}
                scroll={{ x: 900 }}
                columns={[
                  { title: "行", dataIndex: "row", width: 56 },
                  { title: "结果", dataIndex: "action", width: 80, render: (a: string) => <Tag color={ACTION_TAG[a]?.color}>{ACTION_TAG[a]?.label}</Tag> },
                  { title: "唯一编号", dataIndex: "uniqueNumber", render: (v: string) => <span className="mono">{v}</span> },
                  { title: "姓名", dataIndex: "name" },
                  { title: "身份证号", dataIndex: "idNumberMasked", render: (v: string) => <span className="mono">{v}</span> },
                  { title: "手机号", dataIndex: "phone" },
                  { title: "学院", dataIndex: "college" },
                  { title: "专业", dataIndex: "major" },
                  { title: "层次", dataIndex: "degreeLevel" },
                ]}
              />
            ),
          },
        ]}
      />
    </Space>
  );
}

function AdmissionImport({ campaignId }: { campaignId: string }) {
  const { refreshCampaigns } = useSession();
  const { busy, run } = useAction();
  const [id, setId] = useState<string | null>(null);
  const job = useImportProgress(id, () => void refreshCampaigns());
  const report = job?.report as AdmissionReport | null | undefined;
  if (!id) {
    return (
      <Row gutter={24}>
        <Col xs={24} lg={14}>
          <Upload.Dragger
            accept=".zip"
            showUploadList={false}
            disabled={busy}
            beforeUpload={(file) => {
              void run(() => api.uploadAdmissionZip(campaignId, file, file.name)).then((j) => j && setId(j.id));
              return false;
            }}
            data-testid="admission-upload"
          >
            <p className="ant-upload-drag-icon">
              <FileZipOutlined />
            </p>
            <p className="ant-upload-text">{busy ? "正在上传…" : "点击或拖入录取照片压缩包（.zip）"}</p>
            <p className="ant-upload-hint">每张照片以学信网唯一编号命名，例如 2026105580000001.jpg；逐张检查能否打开、是否只有一张人脸</p>
          </Upload.Dragger>
        </Col>
        <Col xs={24} lg={10}>
          <Alert
            type="info"
            showIcon
            message="录取照片用于与毕业生上传的照片做人像比对"
            description="支持 jpg、png、webp；压缩包内可以有文件夹。再次导入同一毕业生的照片会替换旧照片；有异议的毕业生需客服核实后在客服工作台标记“已解决”。"
          />
        </Col>
      </Row>
    );
  }
  const pct = job?.total ? Math.round((job.done / job.total) * 100) : 0;
  return (
    <Space direction="vertical" size={16} style={{ width: "100%" }} data-testid="admission-report">
      {job?.status === "DONE" && report ? (
        <Alert
          type={report.failed ? "warning" : "success"}
          showIcon
          message={`录取照片导入完成：成功 ${report.ok} 张，未导入 ${report.failed} 张`}
          action={<Button onClick={() => setId(null)}>继续导入</Button>}
        />
      ) : job?.status === "FAILED" ? (
        <Alert type="error" showIcon message="导入失败" description={report?.error} action={<Button onClick={() => setId(null)}>重新上传</Button>} />
      ) : (
        <Card size="small">
          <Typography.Text>正在检查照片…</Typography.Text>
          <Progress percent={pct} status="active" />
          <Typography.Text type="secondary">
            {job?.done ?? 0} / {job?.total || "?"} 个文件
          </Typography.Text>
        </Card>
      )}
      {report && report.items.length ? (
        <Table
          size="small"
          rowKey="file"
          dataSource={report.items}
          pagination={{ pageSize: 10 }}
          columns={[
            { title: "文件", dataIndex: "file", render: (v: string) => <span className="mono">{v}</span> },
            { title: "唯一编号", dataIndex: "uniqueNumber", render: (v: string | null) => <span className="mono">{v ?? "—"}</span> },
            { title: "结果", dataIndex: "ok", width: 90, render: (ok: boolean) => (ok ? <Tag color="green">已导入</Tag> : <Tag color="red">未导入</Tag>) },
            { title: "说明", dataIndex: "message" },
          ]}
        />
      ) : null}
    </Space>
  );
}

function RosterList({ campaignId }: { campaignId: string }) {
  const [q, setQ] = useState("");
  const [college, setCollege] = useState<string | undefined>();
  const [admission, setAdmission] = useState<"MISSING" | "PRESENT" | "DISPUTED" | undefined>();
  const [page, setPage] = useState(1);
  const [selected, setSelected] = useState<string[]>([]);
  const [sheet, setSheet] = useState<DemoCodeSheet | null>(null);
  const { busy, run } = useAction();
  const { data, loading, reload } = useLoad(() => api.roster(campaignId, { q: q || undefined, college, admission, page, pageSize: 20 }), [campaignId, q, college, admission, page]);
  return (
    <>
      <Space wrap style={{ marginBottom: 12 }}>
        <Input.Search placeholder="姓名、唯一编号或手机号" allowClear onSearch={(v) => (setQ(v.trim()), setPage(1))} style={{ width: 260 }} />
        <Select allowClear placeholder="学院" style={{ width: 180 }} value={college} onChange={(v) => (setCollege(v), setPage(1))} options={(data?.colleges ?? []).map((c) => ({ value: c, label: c }))} />
        <Select allowClear placeholder="录取照片" style={{ width: 140 }} value={admission} onChange={(v) => (setAdmission(v), setPage(1))} options={Object.entries(ADMISSION_STATUS).map(([k, v]) => ({ value: k, label: v.label }))} />
        <Button icon={<QrcodeOutlined />} disabled={!selected.length} loading={busy} onClick={() => void run(() => api.demoCodes(campaignId, selected)).then((s) => s && setSheet(s))} data-testid="demo-codes">
          打印演示采集码（{selected.length}）
        </Button>
      </Space>
      <Table
        size="small"
        rowKey="id"
        loading={loading}
        dataSource={data?.items ?? []}
        rowSelection={{ selectedRowKeys: selected, onChange: (k) => setSelected((k as string[]).slice(0, 60)), preserveSelectedRowKeys: true }}
        pagination={{ current: page, pageSize: 20, total: data?.total ?? 0, onChange: setPage, showTotal: (t) => `共 ${t} 人`, showSizeChanger: false }}
        columns={[
          { title: "录取照片", dataIndex: "admissionUrl", width: 84, render: (u: string | null) => (u ? <Image src={u} className="thumb" width={48} /> : <div className="thumb" style={{ width: 48 }} />) },
          { title: "唯一编号", dataIndex: "uniqueNumber", render: (v: string) => <span className="mono">{v}</span> },
          { title: "姓名", dataIndex: "name" },
          { title: "身份证号", dataIndex: "idNumberMasked", render: (v: string) => <span className="mono">{v}</span> },
          { title: "学院", dataIndex: "college" },
          { title: "专业", dataIndex: "major" },
          { title: "层次", dataIndex: "degreeLevel" },
          { title: "照片状态", dataIndex: "admissionPhotoStatus", render: (s: string) => <Tag color={ADMISSION_STATUS[s]?.color}>{ADMISSION_STATUS[s]?.label}</Tag> },
          { title: "进度", dataIndex: "state", render: (s: string | null) => (s ? <Tag color={STATE_COLORS[s]}>{STATE_LABELS[s]}</Tag> : <Typography.Text type="secondary">未开始</Typography.Text>) },
          {
            title: "",
            width: 110,
            render: (_, r) => (
              <Upload
                accept="image/*"
                showUploadList={false}
                beforeUpload={(file) => {
                  void run(() => api.replaceAdmissionPhoto(r.id, file, file.name), "录取照片已更换").then(() => reload());
                  return false;
                }}
              >
                <Button size="small" type="link" icon={<UploadOutlined />}>
                  换录取照片
                </Button>
              </Upload>
            ),
          },
        ]}
      />
      <Modal open={sheet !== null} onCancel={() => setSheet(null)} width={860} title="演示采集码（仅用于演示和培训）" footer={[<Button key="c" onClick={() => setSheet(null)}>关闭</Button>, <Button key="p" type="primary" icon={<PrinterOutlined />} onClick={() => window.print()}>打印</Button>]}>
        {sheet ? (
          <>
            <Typography.Paragraph type="secondary" className="no-print">
              {sheet.schoolName} · {sheet.campaignName}。演示采集码只能在使用“演示采集码”的活动中绑定，正式采集请使用学信网采集码。
            </Typography.Paragraph>
            <div className="code-sheet" data-testid="code-sheet">
              {sheet.items.map((c) => (
                <div className="code-card" key={c.entryId}>
                  <img src={c.png} alt={c.uniqueNumber} />
                  <div style={{ fontWeight: 600 }}>{c.name}</div>
                  <div className="mono" style={{ fontSize: 12 }}>
                    {c.uniqueNumber}
                  </div>
                  <div style={{ fontSize: 12, color: "#5b6b86" }}>
                    {c.college} · {c.major}
                  </div>
                </div>
              ))}
            </div>
          </>
        ) : null}
      </Modal>
    </>
  );
}

function ImportHistory({ campaignId }: { campaignId: string }) {
  const { data, loading } = useLoad(() => api.imports(campaignId), [campaignId], { intervalMs: 5000 });
  return (
    <Table
      size="small"
      rowKey="id"
      loading={loading && !data}
      dataSource={data?.items ?? []}
      pagination={false}
      columns={[
        { title: "时间", dataIndex: "createdAt", render: dateTime },
        { title: "类型", dataIndex: "kind", render: (k: string) => (k === "ROSTER" ? "名单" : "录取照片") },
        { title: "状态", dataIndex: "status", render: (s: string, r) => <Tag color={TASK_STATUS[s]?.color}>{r.kind === "ROSTER" && s === "QUEUED" ? "待确认" : TASK_STATUS[s]?.label}</Tag> },
        { title: "进度", render: (_, r) => (r.total ? <Progress percent={Math.round((r.done / r.total) * 100)} size="small" style={{ width: 160 }} /> : "—") },
        { title: "操作人", dataIndex: "requestedBy" },
      ]}
    />
  );
}
