import path from "node:path";
import { defineConfig, type UserConfigExport } from "@tarojs/cli";

/**
 * One config for both targets. Output goes to dist/<platform> (dist/weapp, dist/h5) so the two builds
 * never overwrite each other. Build-time settings come from the environment (TARO_APP_* variables,
 * or the .env.<mode> files beside package.json):
 *   TARO_APP_API_BASE         API origin (default http://127.0.0.1:3000)
 *   TARO_APP_CAMPAIGN_ID      campaign opened when the launch query has none (optional)
 *   TARO_APP_ID               WeChat appid written into dist/weapp/project.config.json
 *   TARO_APP_DEV_SIMULATION   "true" only in development H5 builds: simulated WeChat login, payment
 *                             and 订阅消息 through the API's /api/dev routes, and the ?api= override
 */
export default defineConfig<"webpack5">(async () => {
  const platform = process.env.TARO_ENV ?? "weapp";
  const env = (name: string, fallback = "") => JSON.stringify(process.env[name] ?? fallback);
  const packagesDir = path.resolve(__dirname, "../../../packages");
  // Workspace packages (@gradphoto/*) are TypeScript sources: compile them like our own.
  const compile = { include: [packagesDir, path.resolve(__dirname, "../node_modules/@gradphoto")] };
  const resolveTsFromJs = (chain: any) => {
    // Workspace packages are TypeScript sources that import "./x.js" (NodeNext style).
    chain.resolve.set("extensionAlias", { ".js": [".ts", ".tsx", ".js"] });
  };
  const config: UserConfigExport<"webpack5"> = {
    projectName: "gradphoto-miniprogram",
    date: "2026-01-01",
    designWidth: 375,
    deviceRatio: { 375: 2, 640: 2.34 / 2, 750: 1, 828: 1.81 / 2 },
    sourceRoot: "src",
    outputRoot: `dist/${platform}`,
    plugins: [],
    defineConstants: {},
    env: {
      TARO_APP_API_BASE: env("TARO_APP_API_BASE", "http://127.0.0.1:3000"),
      TARO_APP_CAMPAIGN_ID: env("TARO_APP_CAMPAIGN_ID"),
      TARO_APP_DEV_SIMULATION: env("TARO_APP_DEV_SIMULATION", "false"),
    },
    copy: { patterns: [], options: {} },
    framework: "react",
    compiler: { type: "webpack5", prebundle: { enable: false } },
    cache: { enable: false },
    logger: { quiet: true, stats: false },
    mini: {
      compile,
      postcss: {
        pxtransform: { enable: true, config: {} },
        cssModules: { enable: false, config: { namingPattern: "module", generateScopedName: "[name]__[local]___[hash:base64:5]" } },
      },
      webpackChain(chain) {
        resolveTsFromJs(chain);
      },
      optimizeMainPackage: { enable: true },
      // WXML without layout whitespace (the quality scan's WXML compression; JS and WXSS are minified in production)
      minifyXML: { collapseWhitespace: true },
    },
    h5: {
      compile,
      publicPath: "/",
      staticDirectory: "static",
      router: { mode: "browser" },
      output: { filename: "js/[name].[contenthash:8].js", chunkFilename: "js/[name].[contenthash:8].js" },
      miniCssExtractPluginOption: { ignoreOrder: true, filename: "css/[name].[contenthash:8].css", chunkFilename: "css/[name].[contenthash:8].css" },
      postcss: {
        pxtransform: { enable: true, config: {} },
        autoprefixer: { enable: true, config: {} },
        cssModules: { enable: false, config: { namingPattern: "module", generateScopedName: "[name]__[local]___[hash:base64:5]" } },
      },
      webpackChain(chain) {
        resolveTsFromJs(chain);
      },
    },
  };
  return config;
});
