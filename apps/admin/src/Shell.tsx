import { useEffect, type ReactNode } from "react";
import { Avatar, Dropdown, Layout, Menu, Result, Select, Space, Spin, Tag, Typography } from "antd";
import {
  AuditOutlined,
  CameraOutlined,
  CloudDownloadOutlined,
  CustomerServiceOutlined,
  DashboardOutlined,
  FlagOutlined,
  LogoutOutlined,
  PayCircleOutlined,
  TeamOutlined,
  UploadOutlined,
  UserOutlined,
} from "@ant-design/icons";
import { useRouter } from "./router";
import { PAGE_ROLES, homeFor, useSession } from "./session";
import { CAMPAIGN_STATUS, ROLE_LABELS } from "./format";
import { LoginPage } from "./pages/Login";
import { DashboardPage } from "./pages/Dashboard";
import { CampaignsPage } from "./pages/Campaigns";
import { RosterPage } from "./pages/Roster";
import { ReviewPage } from "./pages/Review";
import { ServicePage } from "./pages/Service";
import { PaymentsPage } from "./pages/Payments";
import { ExportPage } from "./pages/Export";
import { AuditPage } from "./pages/Audit";
import { AccountsPage } from "./pages/Accounts";

const PAGES: Array<{ path: string; label: string; icon: ReactNode; render: () => ReactNode; campaign?: boolean }> = [
  { path: "/dashboard", label: "数据看板", icon: <DashboardOutlined />, render: () => <DashboardPage />, campaign: true },
  { path: "/campaigns", label: "采集活动", icon: <FlagOutlined />, render: () => <CampaignsPage /> },
  { path: "/roster", label: "名单与录取照片", icon: <UploadOutlined />, render: () => <RosterPage />, campaign: true },
  { path: "/review", label: "照片审核", icon: <CameraOutlined />, render: () => <ReviewPage />, campaign: true },
  { path: "/service", label: "客服工作台", icon: <CustomerServiceOutlined />, render: () => <ServicePage /> },
  { path: "/payments", label: "订单与退款", icon: <PayCircleOutlined />, render: () => <PaymentsPage />, campaign: true },
  { path: "/export", label: "照片导出", icon: <CloudDownloadOutlined />, render: () => <ExportPage />, campaign: true },
  { path: "/audit", label: "操作日志", icon: <AuditOutlined />, render: () => <AuditPage /> },
  { path: "/accounts", label: "账号管理", icon: <TeamOutlined />, render: () => <AccountsPage /> },
];

export function Shell() {
  const { staff, loading } = useSession();
  if (loading) return <Spin fullscreen tip="加载中…" />;
  if (!staff) return <LoginPage />;
  return <Console />;
}

function Console() {
  const { staff, campaigns, campaignId, selectCampaign, logout, schools } = useSession();
  const { path, navigate } = useRouter();
  const role = staff!.role;
  const allowed = PAGES.filter((p) => PAGE_ROLES[p.path]?.includes(role));
  const current = allowed.find((p) => path === p.path || path.startsWith(`${p.path}/`));

  useEffect(() => {
    if (!current) navigate(homeFor(role), { replace: true });
  }, [current, navigate, role]);

  const school = schools.find((s) => s.id === staff!.schoolId);
  const multiSchool = role === "OPERATOR";
  return (
    <Layout style={{ minHeight: "100vh" }}>
      <Layout.Sider width={216} breakpoint="lg" collapsedWidth={64}>
        <div className="brand">
          <div className="logo">
            <CameraOutlined />
          </div>
          <div>
            毕业照片采集
            <small>管理后台</small>
          </div>
        </div>
        <Menu
          theme="dark"
          mode="inline"
          selectedKeys={current ? [current.path] : []}
          items={allowed.map((p) => ({ key: p.path, icon: p.icon, label: p.label }))}
          onClick={(e) => navigate(e.key)}
        />
      </Layout.Sider>
      <Layout>
        <Layout.Header className="app-header">
          <Space size="middle">
            <Typography.Text type="secondary">当前活动</Typography.Text>
            <Select
              data-testid="campaign-select"
              style={{ minWidth: 320 }}
              value={campaignId ?? undefined}
              placeholder="请选择采集活动"
              onChange={selectCampaign}
              options={campaigns.map((c) => ({
                value: c.id,
                label: (
                  <Space size={6}>
                    <span>{multiSchool ? `${c.schoolName} · ${c.name}` : c.name}</span>
                    <Tag color={CAMPAIGN_STATUS[c.status]?.color} style={{ marginInlineEnd: 0 }}>
                      {CAMPAIGN_STATUS[c.status]?.label}
                    </Tag>
                  </Space>
                ),
              }))}
              notFoundContent="暂无活动"
            />
          </Space>
          <Dropdown
            menu={{
              items: [{ key: "logout", icon: <LogoutOutlined />, label: "退出登录", onClick: () => void logout() }],
            }}
          >
            <Space style={{ cursor: "pointer" }} data-testid="user-menu">
              <Avatar size="small" style={{ background: "#1d63d8" }} icon={<UserOutlined />} />
              <span>{staff!.displayName}</span>
              <Tag>{ROLE_LABELS[role]}</Tag>
              {school ? <Typography.Text type="secondary">{school.name}</Typography.Text> : null}
            </Space>
          </Dropdown>
        </Layout.Header>
        <Layout.Content className="content">
          {current ? current.render() : <Result status="403" title="没有权限" subTitle="您的账号不能访问该页面" />}
        </Layout.Content>
      </Layout>
    </Layout>
  );
}

export { PAGES };
