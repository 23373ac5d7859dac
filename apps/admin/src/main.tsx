import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App as AntApp, ConfigProvider, theme } from "antd";
import zhCN from "antd/locale/zh_CN";
import "./format";
import "./styles.css";
import { RouterProvider } from "./router";
import { SessionProvider } from "./session";
import { Shell } from "./Shell";

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <ConfigProvider
      locale={zhCN}
      theme={{
        algorithm: theme.defaultAlgorithm,
        token: {
          colorPrimary: "#1d63d8",
          borderRadius: 8,
          fontFamily: `-apple-system, BlinkMacSystemFont, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Noto Sans SC", "Helvetica Neue", Arial, sans-serif`,
        },
        components: { Layout: { siderBg: "#0f1f3d", headerBg: "#ffffff" }, Menu: { darkItemBg: "#0f1f3d", darkSubMenuItemBg: "#0b1830" } },
      }}
    >
      <AntApp>
        <RouterProvider>
          <SessionProvider>
            <Shell />
          </SessionProvider>
        </RouterProvider>
      </AntApp>
    </ConfigProvider>
  </StrictMode>,
);
