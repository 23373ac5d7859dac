import { useState } from "react";
import { Alert, Button, Card, Form, Input, Typography } from "antd";
import { CameraOutlined, LockOutlined, UserOutlined } from "@ant-design/icons";
import { errorText } from "../api";
import { useSession } from "../session";

export function LoginPage() {
  const { login } = useSession();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <div className="login-wrap">
      <div className="login-art">
        <div className="brand" style={{ padding: 0 }}>
          <div className="logo">
            <CameraOutlined />
          </div>
          <div>
            毕业照片采集
            <small>Graduation photo collection</small>
          </div>
        </div>
        <div>
          <h1>学历照片线上采集 · 管理后台</h1>
          <p>
            活动设置、名单与录取照片导入、照片审核、客服处理、订单退款与照片导出，
            <br />
            全部操作均按角色授权并记录操作日志。
          </p>
        </div>
        <p style={{ fontSize: 12, opacity: 0.7 }}>照片与身份信息仅用于学历电子注册，请妥善保管账号，勿与他人共用。</p>
      </div>
      <div className="login-panel">
        <Card className="login-card" variant="borderless">
          <Typography.Title level={3} style={{ marginTop: 0 }}>
            账号登录
          </Typography.Title>
          <Typography.Paragraph type="secondary">请使用学校或平台分配的工作账号登录</Typography.Paragraph>
          {error ? <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} /> : null}
          <Form
            layout="vertical"
            size="large"
            onFinish={async (v: { username: string; password: string }) => {
              setBusy(true);
              setError(null);
              try {
                await login(v.username.trim(), v.password);
              } catch (e) {
                setError(errorText(e));
              } finally {
                setBusy(false);
              }
            }}
          >
            <Form.Item name="username" label="用户名" rules={[{ required: true, message: "请输入用户名" }]}>
              <Input prefix={<UserOutlined />} autoComplete="username" placeholder="用户名" data-testid="login-username" />
            </Form.Item>
            <Form.Item name="password" label="密码" rules={[{ required: true, message: "请输入密码" }]}>
              <Input.Password prefix={<LockOutlined />} autoComplete="current-password" placeholder="密码" data-testid="login-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block loading={busy} data-testid="login-submit">
              登录
            </Button>
          </Form>
          <Typography.Paragraph type="secondary" style={{ marginTop: 16, fontSize: 12 }}>
            连续输错密码 5 次账号将被锁定 15 分钟。忘记密码请联系平台运维重置。
          </Typography.Paragraph>
        </Card>
      </div>
    </div>
  );
}
