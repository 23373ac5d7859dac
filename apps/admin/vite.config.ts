import path from "node:path";
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

const root = path.resolve(import.meta.dirname, "../..");

// The console builds to apps/admin/dist, which `npm start` serves on :5173 (SPA fallback).
export default defineConfig({
  plugins: [react()],
  resolve: {
    // Workspace packages are used from source, as everywhere else in the monorepo.
    alias: [{ find: /^@gradphoto\/([a-z-]+)$/, replacement: path.join(root, "packages/$1/src/index.ts") }],
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    reportCompressedSize: false,
    rollupOptions: {
      output: {
        manualChunks(id) {
          if (id.includes("node_modules/echarts") || id.includes("node_modules/zrender")) return "echarts";
          if (id.includes("node_modules/antd") || id.includes("node_modules/@ant-design") || id.includes("node_modules/rc-")) return "antd";
          if (id.includes("node_modules/react") || id.includes("node_modules/scheduler")) return "react";
          return undefined;
        },
      },
    },
  },
  server: { host: "127.0.0.1", port: 5173, strictPort: false },
  preview: { host: "127.0.0.1", port: 5173 },
});
