import { useState } from "react";
import { Button, Card, Col, Form, Input, Modal, Popconfirm, Row, Select, Space, Switch, Table, Tag, Typography } from "antd";
import { KeyOutlined, PlusOutlined, UnlockOutlined } from "@ant-design/icons";
import type { StaffAccount } from "@gradphoto/contracts";
import { api } from "../api";
import { useSession } from "../session";
import { PageHeader, useAction, useLoad } from "../components/Common";
import { ROLE_LABELS, dateTime } from "../format";

export function AccountsPage() {
  const { schools, refreshCampaigns, staff } = useSession();
  const { data, loading, reload } = useLoad(() => api.accounts(), []);
  const { run } = useAction();
  const [creating, setCreating] = useState(false);
  const [schoolOpen, setSchoolOpen] = useState(false);
  const [resetting, setResetting] = useState<StaffAccount | null>(null);
  const [form] = Form.useForm();
  const [schoolForm] = Form.useForm();
  const [pwForm] = Form.useForm();
  const role = Form.useWatch("role", form);
  return (
    <>
      <PageHeader
        title="账号管理"
        sub="平台运维管理各学校的工作人员账号"
        extra={
          <>
            <Button onClick={() => setSchoolOpen(true)}>新增学校</Button>
            <Button type="primary" icon={<PlusOutlined />} onClick={() => (form.resetFields(), setCreating(true))}>
              新建账号
            </Button>
          </>
        }
      />
      <Row gutter={16}>
        <Col span={24}>
          <Card size="small" title="工作人员">
            <Table<StaffAccount>
              size="small"
              rowKey="id"
              loading={loading}
              dataSource={data?.items ?? []}
              pagination={{ pageSize: 20, hideOnSinglePage: true }}
              columns={[
                { title: "用户名", dataIndex: "username", render: (v: string) => <span className="mono">{v}</span> },
                { title: "姓名", dataIndex: "displayName", width: 110 },
                { title: "角色", dataIndex: "role", width: 110, render: (r: string) => <Tag color={r === "OPERATOR" ? "gold" : r === "SCHOOL_ADMIN" ? "blue" : r === "REVIEWER" ? "purple" : "cyan"}>{ROLE_LABELS[r]}</Tag> },
                { title: "学校", dataIndex: "schoolName", width: 200, render: (v: string | null) => v ?? "全部学校" },
                { title: "最近登录", dataIndex: "lastLoginAt", width: 150, render: dateTime },
                { title: "状态", width: 90, render: (_, a) => (a.lockedUntil ? <Tag color="red">已锁定至 {dateTime(a.lockedUntil)}</Tag> : a.disabled ? <Tag>已停用</Tag> : <Tag color="green">正常</Tag>) },
                {
                  title: "启用 / 操作",
                  width: 220,
                  render: (_, a) => (
                    <Space>
                      <Switch
                        size="small"
                        checked={!a.disabled}
                        disabled={a.id === staff?.id}
                        onChange={(v) => void run(() => api.updateAccount(a.id, { disabled: !v }), v ? "已启用" : "已停用，该账号已被登出").then(() => reload(true))}
                      />
                      <Button size="small" icon={<KeyOutlined />} onClick={() => (pwForm.resetFields(), setResetting(a))}>
                        重置密码
                      </Button>
                      {a.lockedUntil ? (
                        <Popconfirm title="解除锁定？" onConfirm={() => void run(() => api.updateAccount(a.id, { unlock: true }), "已解锁").then(() => reload(true))}>
                          <Button size="small" icon={<UnlockOutlined />} />
                        </Popconfirm>
                      ) : null}
                    </Space>
                  ),
                },
              ]}
            />
          </Card>
        </Col>
        <Col span={24} style={{ marginTop: 16 }}>
          <Card size="small" title={`学校（${schools.length}）`}>
            <Space size={[8, 8]} wrap>
              {schools.map((s) => (
                <Tag key={s.id} style={{ padding: "4px 10px", fontSize: 13 }}>
                  {s.name} <Typography.Text type="secondary" className="mono">{s.code}</Typography.Text>
                </Tag>
              ))}
            </Space>
          </Card>
        </Col>
      </Row>
      <Modal
        open={creating}
        title="新建工作人员账号"
        onCancel={() => setCreating(false)}
        onOk={async () => {
          const v = await form.validateFields();
          const r = await run(() => api.createAccount({ ...v, schoolId: v.role === "OPERATOR" ? null : v.schoolId }), "账号已创建");
          if (r) (setCreating(false), void reload(true));
        }}
      >
        <Form form={form} layout="vertical" initialValues={{ role: "REVIEWER", schoolId: schools[0]?.id }}>
          <Form.Item name="username" label="用户名" rules={[{ required: true, pattern: /^[A-Za-z0-9_.-]{3,32}$/, message: "3-32位字母、数字或 _ . -" }]}>
            <Input autoComplete="off" />
          </Form.Item>
          <Form.Item name="displayName" label="姓名" rules={[{ required: true, max: 40 }]}>
            <Input />
          </Form.Item>
          <Form.Item name="role" label="角色">
            <Select options={Object.entries(ROLE_LABELS).map(([k, v]) => ({ value: k, label: v }))} />
          </Form.Item>
          {role !== "OPERATOR" ? (
            <Form.Item name="schoolId" label="学校" rules={[{ required: true }]}>
              <Select options={schools.map((s) => ({ value: s.id, label: s.name }))} />
            </Form.Item>
          ) : null}
          <Form.Item name="password" label="初始密码" rules={[{ required: true, min: 10, message: "至少10位" }]}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={resetting !== null}
        title={`重置密码 · ${resetting?.displayName ?? ""}`}
        onCancel={() => setResetting(null)}
        onOk={async () => {
          const v = await pwForm.validateFields();
          const r = await run(() => api.updateAccount(resetting!.id, { password: v.password }), "密码已重置，该账号需重新登录");
          if (r) (setResetting(null), void reload(true));
        }}
      >
        <Form form={pwForm} layout="vertical">
          <Form.Item name="password" label="新密码" rules={[{ required: true, min: 10, message: "至少10位" }]}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={schoolOpen}
        title="新增学校"
        onCancel={() => setSchoolOpen(false)}
        onOk={async () => {
          const v = await schoolForm.validateFields();
          const r = await run(() => api.createSchool(v), "学校已添加");
          if (r) (setSchoolOpen(false), void refreshCampaigns());
        }}
      >
        <Form form={schoolForm} layout="vertical">
          <Form.Item name="code" label="院校代码" rules={[{ required: true, pattern: /^[0-9A-Za-z]{4,10}$/, message: "4-10位字母或数字" }]}>
            <Input />
          </Form.Item>
          <Form.Item name="name" label="学校名称" rules={[{ required: true, min: 2 }]}>
            <Input />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
