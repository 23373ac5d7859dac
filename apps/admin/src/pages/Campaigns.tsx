import { useEffect, useState } from "react";
import { App, Button, Card, Col, ColorPicker, DatePicker, Divider, Drawer, Form, Input, InputNumber, Popconfirm, Radio, Row, Select, Space, Switch, Table, Tag, Timeline, Typography } from "antd";
import { EditOutlined, PlusOutlined } from "@ant-design/icons";
import type { CampaignAdmin, CampaignCreate, CampaignListItem, RetentionReport } from "@gradphoto/contracts";
import { api } from "../api";
import { useSession } from "../session";
import { PageHeader, useAction } from "../components/Common";
import { CAMPAIGN_STATUS, dateTime, fromPicker, pickerNow, toPicker, yuan } from "../format";
import type { Dayjs } from "dayjs";

interface FormValues {
  schoolId?: string;
  name: string;
  cohort: string;
  status: "DRAFT" | "OPEN" | "CLOSED";
  window: [Dayjs, Dayjs];
  schoolPaid: boolean;
  feeYuan: number;
  reviewMode: "MANUAL" | "AUTOMATIC";
  freeRetakes: number;
  retakePolicy: "PAY_AGAIN" | "CONTACT_SUPPORT";
  repayAfterRefund: boolean;
  captureCodeProvider: "demo" | "http";
  faceProvider: "local" | "tencent";
  background: string;
  customColour?: string;
  minKb: number;
  maxKb: number;
  album: { minWidth: number; maxWidth: number; minHeight: number; maxHeight: number; minKb: number; maxKb: number };
  contacts: { customerServicePhone: string; customerServiceHours: string; registrarContact: string; paymentContact: string };
  notifyTemplates: { reviewPassed?: string; reviewRejected?: string };
  exportNamePattern: string;
  consentText?: string;
}

const DEFAULT_CONSENT = `温馨提示
1. 本次采集的照片将用于学信网学历/学位证书电子注册，须与录取照片为同一人。
2. 请确认采集码信息为本人信息，请勿替他人采集。
3. 照片须为近期正面免冠彩色头像，不得化妆、美颜或使用滤镜，不得对人像特征进行技术处理。
4. 标准化（裁剪换背景）每天最多3次；审核未通过可免费重拍2次。
5. 您的照片和身份信息仅用于本次采集和学历注册，不作他用。`;

function defaults(): Partial<FormValues> {
  const start = pickerNow().startOf("day");
  return {
    status: "OPEN",
    window: [start, start.add(14, "day").endOf("day")],
    schoolPaid: false,
    feeYuan: 20,
    reviewMode: "MANUAL",
    freeRetakes: 2,
    retakePolicy: "CONTACT_SUPPORT",
    repayAfterRefund: false,
    captureCodeProvider: "demo",
    faceProvider: "local",
    background: "blue",
    minKb: 20,
    maxKb: 40,
    album: { minWidth: 480, maxWidth: 1350, minHeight: 640, maxHeight: 1800, minKb: 50, maxKb: 1024 },
    notifyTemplates: {},
    exportNamePattern: "{uniqueNumber}.jpg",
    consentText: DEFAULT_CONSENT,
  };
}

function fromCampaign(c: CampaignAdmin): Partial<FormValues> {
  const bg = c.photoSpec.background;
  return {
    name: c.name,
    cohort: c.cohort,
    status: c.status,
    window: [toPicker(c.opensAt), toPicker(c.closesAt)],
    schoolPaid: c.schoolPaid,
    feeYuan: c.feeFen / 100,
    reviewMode: c.reviewMode,
    freeRetakes: c.freeRetakes,
    retakePolicy: c.retakePolicy,
    repayAfterRefund: c.repayAfterRefund,
    captureCodeProvider: c.captureCodeProvider,
    faceProvider: c.faceProvider,
    background: bg.startsWith("#") ? "custom" : bg,
    customColour: bg.startsWith("#") ? bg : undefined,
    minKb: c.photoSpec.minKb,
    maxKb: c.photoSpec.maxKb,
    album: c.photoSpec.album,
    contacts: c.contacts,
    notifyTemplates: c.notifyTemplates,
    exportNamePattern: c.exportNamePattern,
  };
}

function toBody(v: FormValues) {
  return {
    name: v.name,
    cohort: v.cohort,
    status: v.status,
    opensAt: fromPicker(v.window[0]).toISOString(),
    closesAt: fromPicker(v.window[1]).toISOString(),
    schoolPaid: v.schoolPaid,
    feeFen: v.schoolPaid ? 0 : Math.round((v.feeYuan ?? 0) * 100),
    reviewMode: v.reviewMode,
    freeRetakes: v.freeRetakes,
    retakePolicy: v.retakePolicy,
    repayAfterRefund: v.repayAfterRefund,
    captureCodeProvider: v.captureCodeProvider,
    faceProvider: v.faceProvider,
    photoSpec: { background: v.background === "custom" ? (v.customColour ?? "#ffffff") : (v.background as "blue"), minKb: v.minKb, maxKb: v.maxKb, album: v.album },
    contacts: v.contacts,
    notifyTemplates: Object.fromEntries(Object.entries(v.notifyTemplates ?? {}).filter(([, x]) => x)),
    exportNamePattern: v.exportNamePattern,
  };
}

export function CampaignsPage() {
  const { campaigns, refreshCampaigns, staff, selectCampaign, campaignId } = useSession();
  const [editing, setEditing] = useState<CampaignAdmin | "new" | null>(null);
  const { run } = useAction();
  // The counts (待审核, 已通过 …) change with every review: read them afresh on opening and every 5 s.
  useEffect(() => {
    void refreshCampaigns().catch(() => undefined);
    const t = setInterval(() => void refreshCampaigns().catch(() => undefined), 5_000);
    return () => clearInterval(t);
  }, [refreshCampaigns]);
  return (
    <>
      <PageHeader
        title="采集活动"
        sub="采集时间、费用、照片规格、审核方式、温馨提示与联系方式"
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing("new")} data-testid="campaign-new">
            新建活动
          </Button>
        }
      />
      <Card size="small">
        <Table<CampaignListItem>
          rowKey="id"
          dataSource={campaigns}
          pagination={false}
          rowClassName={(r) => (r.id === campaignId ? "ant-table-row-selected" : "")}
          columns={[
            {
              title: "活动",
              render: (_, c) => (
                <Space direction="vertical" size={0}>
                  <Typography.Text strong>{c.name}</Typography.Text>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {staff?.role === "OPERATOR" ? `${c.schoolName} · ` : ""}
                    {c.cohort} · 温馨提示第{c.consentVersion}版
                  </Typography.Text>
                </Space>
              ),
            },
            { title: "状态", dataIndex: "status", render: (s: string) => <Tag color={CAMPAIGN_STATUS[s]?.color}>{CAMPAIGN_STATUS[s]?.label}</Tag> },
            { title: "采集时间", render: (_, c) => `${dateTime(c.opensAt)} 至 ${dateTime(c.closesAt)}` },
            { title: "费用", render: (_, c) => (c.schoolPaid ? <Tag color="blue">学校统一支付</Tag> : yuan(c.feeFen)) },
            { title: "审核", dataIndex: "reviewMode", render: (m: string) => (m === "MANUAL" ? "人工审核" : "比对通过即自动通过") },
            { title: "名单", align: "right", render: (_, c) => c.counts.roster },
            { title: "录取照片", align: "right", render: (_, c) => `${c.counts.admissionPhotos}/${c.counts.roster}` },
            { title: "已开始", align: "right", render: (_, c) => c.counts.submissions },
            { title: "待审核", align: "right", render: (_, c) => c.counts.reviewing },
            { title: "已通过", align: "right", render: (_, c) => <Typography.Text type="success">{c.counts.approved}</Typography.Text> },
            {
              title: "",
              width: 150,
              render: (_, c) => (
                <Space>
                  <Button size="small" icon={<EditOutlined />} onClick={() => void run(async () => setEditing(await api.campaign(c.id)))}>
                    设置
                  </Button>
                  {c.id !== campaignId ? (
                    <Button size="small" type="link" onClick={() => selectCampaign(c.id)}>
                      设为当前
                    </Button>
                  ) : null}
                </Space>
              ),
            },
          ]}
        />
      </Card>
      {campaignId && (staff?.role === "OPERATOR" || staff?.role === "SCHOOL_ADMIN") ? <RetentionCard key={campaignId} campaignId={campaignId} /> : null}
      <CampaignDrawer
        value={editing}
        onClose={() => setEditing(null)}
        onSaved={async (c) => {
          await refreshCampaigns();
          selectCampaign(c.id);
          setEditing(c);
        }}
        onDeleted={async () => {
          setEditing(null);
          await refreshCampaigns();
        }}
      />
    </>
  );
}

function CampaignDrawer({ value, onClose, onSaved, onDeleted }: { value: CampaignAdmin | "new" | null; onClose(): void; onSaved(c: CampaignAdmin): Promise<void>; onDeleted(): Promise<void> }) {
  const [form] = Form.useForm<FormValues>();
  const { staff, schools } = useSession();
  const { message } = App.useApp();
  const { busy, run } = useAction();
  const [consentDraft, setConsentDraft] = useState("");
  const isNew = value === "new";
  const campaign = value && value !== "new" ? value : null;
  const schoolPaid = Form.useWatch("schoolPaid", form);
  const background = Form.useWatch("background", form);

  useEffect(() => {
    if (!value) return;
    form.resetFields();
    form.setFieldsValue(value === "new" ? { ...defaults(), schoolId: staff?.schoolId ?? schools[0]?.id } : fromCampaign(value));
    setConsentDraft(value === "new" ? "" : value.consentText);
  }, [value, form, staff, schools]);

  const save = async () => {
    const v = await form.validateFields();
    const body = toBody(v);
    const saved = await run(
      () => (isNew ? api.createCampaign({ ...body, consentText: v.consentText ?? "", schoolId: staff?.role === "OPERATOR" ? v.schoolId : undefined } as CampaignCreate) : api.updateCampaign(campaign!.id, body)),
      isNew ? "活动已创建" : "设置已保存",
    );
    if (saved) await onSaved(saved);
  };

  return (
    <Drawer
      open={value !== null}
      onClose={onClose}
      width={760}
      title={isNew ? "新建采集活动" : `活动设置 · ${campaign?.name ?? ""}`}
      destroyOnHidden
      extra={
        <Space>
          {campaign && campaign.counts.submissions === 0 ? (
            <Popconfirm title="删除该活动及其名单？" okText="删除" okButtonProps={{ danger: true }} onConfirm={() => void run(() => api.deleteCampaign(campaign.id), "活动已删除").then((r) => r && onDeleted())}>
              <Button danger>删除</Button>
            </Popconfirm>
          ) : null}
          <Button onClick={onClose}>取消</Button>
          <Button type="primary" loading={busy} onClick={() => void save()} data-testid="campaign-save">
            {isNew ? "创建活动" : "保存设置"}
          </Button>
        </Space>
      }
    >
      <Form form={form} layout="vertical" requiredMark="optional" scrollToFirstError>
        <Divider orientation="left" orientationMargin={0} style={{ marginTop: 0 }}>
          基本信息
        </Divider>
        {isNew && staff?.role === "OPERATOR" ? (
          <Form.Item name="schoolId" label="学校" rules={[{ required: true, message: "请选择学校" }]}>
            <Select options={schools.map((s) => ({ value: s.id, label: `${s.name}（${s.code}）` }))} />
          </Form.Item>
        ) : null}
        <Row gutter={16}>
          <Col span={14}>
            <Form.Item name="name" label="活动名称" rules={[{ required: true, min: 2, max: 60, message: "请输入2-60个字的活动名称" }]}>
              <Input placeholder="例如：2026届毕业生学历照片补采" data-testid="campaign-name" />
            </Form.Item>
          </Col>
          <Col span={10}>
            <Form.Item name="cohort" label="采集对象（届别）" rules={[{ required: true, min: 2, max: 20, message: "例如 2026届" }]}>
              <Input placeholder="2026届" data-testid="campaign-cohort" />
            </Form.Item>
          </Col>
        </Row>
        <Row gutter={16}>
          <Col span={14}>
            <Form.Item name="window" label="采集时间" rules={[{ required: true, message: "请选择采集时间" }]}>
              <DatePicker.RangePicker showTime={{ format: "HH:mm" }} format="YYYY-MM-DD HH:mm" style={{ width: "100%" }} />
            </Form.Item>
          </Col>
          <Col span={10}>
            <Form.Item name="status" label="状态">
              <Radio.Group optionType="button" options={[{ value: "DRAFT", label: "草稿" }, { value: "OPEN", label: "进行中" }, { value: "CLOSED", label: "已结束" }]} />
            </Form.Item>
          </Col>
        </Row>

        <Divider orientation="left" orientationMargin={0}>
          费用与审核
        </Divider>
        <Row gutter={16}>
          <Col span={8}>
            <Form.Item name="schoolPaid" label="学校统一支付" valuePropName="checked" tooltip="开启后毕业生无需支付">
              <Switch />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="feeYuan" label="采集费（元/人）" rules={[{ required: !schoolPaid, message: "请输入费用" }]}>
              <InputNumber min={0} max={1000} precision={2} disabled={schoolPaid} style={{ width: "100%" }} addonBefore="¥" data-testid="campaign-fee" />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="reviewMode" label="审核方式">
              <Select options={[{ value: "MANUAL", label: "人工审核" }, { value: "AUTOMATIC", label: "比对通过即自动通过" }]} />
            </Form.Item>
          </Col>
        </Row>
        <Row gutter={16}>
          <Col span={8}>
            <Form.Item name="freeRetakes" label="审核未通过免费重拍次数">
              <InputNumber min={0} max={10} style={{ width: "100%" }} />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="retakePolicy" label="免费次数用完后">
              <Select options={[{ value: "CONTACT_SUPPORT", label: "联系客服处理" }, { value: "PAY_AGAIN", label: "重新支付后重拍" }]} />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="repayAfterRefund" label="全额退款后" tooltip="退款后毕业生能否再次支付、重新采集">
              <Select options={[{ value: false, label: "不能再次支付" }, { value: true, label: "可以再次支付" }]} />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="captureCodeProvider" label="采集码来源" tooltip="演示采集码仅用于演示和培训">
              <Select options={[{ value: "demo", label: "演示采集码" }, { value: "http", label: "学信网采集码服务" }]} />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="faceProvider" label="人像比对" tooltip="腾讯云人脸比对需在服务器配置密钥；云服务不可用时自动改用本地模型">
              <Select options={[{ value: "local", label: "本地模型" }, { value: "tencent", label: "腾讯云人脸比对" }]} data-testid="face-provider" />
            </Form.Item>
          </Col>
        </Row>

        <Divider orientation="left" orientationMargin={0}>
          照片规格
        </Divider>
        <Row gutter={16}>
          <Col span={8}>
            <Form.Item name="background" label="背景颜色">
              <Select
                options={[
                  { value: "blue", label: "浅蓝色（默认）" },
                  { value: "white", label: "白色" },
                  { value: "grey", label: "浅灰色" },
                  { value: "custom", label: "自定义颜色" },
                ]}
              />
            </Form.Item>
          </Col>
          {background === "custom" ? (
            <Col span={4}>
              <Form.Item name="customColour" label="颜色" getValueFromEvent={(c: { toHexString(): string }) => c.toHexString()}>
                <ColorPicker disabledAlpha />
              </Form.Item>
            </Col>
          ) : null}
          <Col span={6}>
            <Form.Item name="minKb" label="文件大小下限 (KB)" rules={[{ required: true }]}>
              <InputNumber min={5} max={2000} style={{ width: "100%" }} />
            </Form.Item>
          </Col>
          <Col span={6}>
            <Form.Item name="maxKb" label="文件大小上限 (KB)" rules={[{ required: true }]}>
              <InputNumber min={5} max={2000} style={{ width: "100%" }} />
            </Form.Item>
          </Col>
        </Row>
        <Typography.Text type="secondary">相册上传照片的限制（像素与文件大小）</Typography.Text>
        <Row gutter={12} style={{ marginTop: 8 }}>
          {(
            [
              ["minWidth", "最小宽"],
              ["maxWidth", "最大宽"],
              ["minHeight", "最小高"],
              ["maxHeight", "最大高"],
              ["minKb", "最小 KB"],
              ["maxKb", "最大 KB"],
            ] as const
          ).map(([k, label]) => (
            <Col span={4} key={k}>
              <Form.Item name={["album", k]} label={label} rules={[{ required: true }]}>
                <InputNumber min={1} max={50000} style={{ width: "100%" }} />
              </Form.Item>
            </Col>
          ))}
        </Row>

        <Divider orientation="left" orientationMargin={0}>
          联系方式（展示给毕业生）
        </Divider>
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item name={["contacts", "customerServicePhone"]} label="客服电话" rules={[{ required: true, min: 3 }]}>
              <Input placeholder="027-87885551" data-testid="campaign-cs-phone" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name={["contacts", "customerServiceHours"]} label="客服时间" rules={[{ required: true, min: 2 }]}>
              <Input placeholder="周一至周五 8:30-12:00 14:00-17:30" data-testid="campaign-cs-hours" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name={["contacts", "registrarContact"]} label="学籍部门（录取照片问题）" rules={[{ required: true, min: 2 }]}>
              <Input placeholder="研究生院培养办 022-85358024" data-testid="campaign-registrar" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name={["contacts", "paymentContact"]} label="支付问题联系邮箱" rules={[{ required: true, min: 2 }]}>
              <Input placeholder="pay@example.edu.cn" data-testid="campaign-payment-contact" />
            </Form.Item>
          </Col>
        </Row>

        <Divider orientation="left" orientationMargin={0}>
          通知与导出
        </Divider>
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item name={["notifyTemplates", "reviewPassed"]} label="“审核通过”订阅消息模板ID">
              <Input placeholder="微信公众平台中的模板ID" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name={["notifyTemplates", "reviewRejected"]} label="“审核未通过”订阅消息模板ID">
              <Input placeholder="微信公众平台中的模板ID" />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item
          name="exportNamePattern"
          label="导出文件名规则"
          extra="可用占位符：{uniqueNumber} 唯一编号、{name} 姓名、{college} 学院、{major} 专业、{degreeLevel} 学历层次、{cohort} 届别；须包含 {uniqueNumber}，以 .jpg 结尾"
          rules={[{ required: true }, { pattern: /\{uniqueNumber\}.*\.jpg$/i, message: "须包含 {uniqueNumber} 并以 .jpg 结尾" }]}
        >
          <Input className="mono" />
        </Form.Item>

        <Divider orientation="left" orientationMargin={0}>
          温馨提示
        </Divider>
        {isNew ? (
          <Form.Item name="consentText" label="温馨提示（第1版）" rules={[{ required: true, min: 10, message: "请填写温馨提示" }]}>
            <Input.TextArea rows={7} showCount maxLength={5000} />
          </Form.Item>
        ) : campaign ? (
          <Card size="small" style={{ background: "#fafbfd" }}>
            <Row gutter={16}>
              <Col span={16}>
                <Typography.Text type="secondary">当前为第 {campaign.consentVersion} 版；发布新版本后，毕业生需重新阅读并同意。</Typography.Text>
                <Input.TextArea rows={7} value={consentDraft} onChange={(e) => setConsentDraft(e.target.value)} style={{ marginTop: 8 }} showCount maxLength={5000} />
                <Button
                  style={{ marginTop: 8 }}
                  disabled={consentDraft.trim() === campaign.consentText.trim()}
                  onClick={() =>
                    void run(() => api.publishConsent(campaign.id, consentDraft), "新版本已发布").then((c) => {
                      if (c) void onSaved(c);
                      else void message.info("未发布");
                    })
                  }
                >
                  发布为第 {campaign.consentVersion + 1} 版
                </Button>
              </Col>
              <Col span={8}>
                <Typography.Text strong>版本记录</Typography.Text>
                <Timeline
                  style={{ marginTop: 12 }}
                  items={campaign.consentVersions.map((v) => ({ color: v.version === campaign.consentVersion ? "green" : "gray", children: `第${v.version}版 · ${dateTime(v.createdAt)} · ${v.chars}字` }))}
                />
              </Col>
            </Row>
          </Card>
        ) : null}
      </Form>
    </Drawer>
  );
}

/** Personal-data retention of the current campaign: the school's period, a dry run, purging when due. */
function RetentionCard({ campaignId }: { campaignId: string }) {
  const [report, setReport] = useState<RetentionReport | null>(null);
  const [days, setDays] = useState<number | null>(null);
  const { run } = useAction();
  const campaign = useSession().campaigns.find((c) => c.id === campaignId);
  const load = () => void run(async () => setReport(await api.retention(campaignId)));
  useEffect(load, [campaignId]);
  if (!report) return null;
  return (
    <Card size="small" title="个人信息保存期限" style={{ marginTop: 16 }} data-testid="retention-card">
      <Typography.Paragraph type="secondary">
        活动结束 {report.retentionDays} 天后（{dateTime(report.dueAt)}），系统自动删除原始照片、中间照片、导出包、导入文件、完整身份证号与手机号、采集码原文；保留登记照片（提交的标准照）与操作记录。
      </Typography.Paragraph>
      <Space wrap style={{ marginBottom: 8 }}>
        <span>保存天数</span>
        <InputNumber min={30} max={3650} value={days ?? report.retentionDays} onChange={(v) => setDays(v)} />
        <Button disabled={!campaign || days === null || days === report.retentionDays} onClick={() => void run(() => api.setSchoolRetention(campaign!.schoolId, days!), "已保存").then(load)}>
          保存
        </Button>
      </Space>
      <Typography.Paragraph>
        {report.purgedAt ? `已于 ${dateTime(report.purgedAt)} 清理。` : report.due ? "保存期限已届满。" : "保存期限未届满。"}
        预演：将删除照片记录 {report.photoRowsDeleted} 条、文件 {report.objectsDeleted} 个（导出包 {report.exportsDeleted}，导入文件 {report.importFilesDeleted}），清除名单敏感字段 {report.rosterEntriesCleared} 条、采集码原文 {report.captureCodesCleared} 条；保留登记照片 {report.registeredPhotosKept} 张。
      </Typography.Paragraph>
      <Popconfirm title="立即清理该活动的个人信息？此操作不可撤销。" onConfirm={() => void run(() => api.purgeCampaign(campaignId), "已清理").then(load)}>
        <Button danger disabled={!report.due}>立即清理</Button>
      </Popconfirm>
    </Card>
  );
}
