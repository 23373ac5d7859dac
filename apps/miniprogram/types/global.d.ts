/// <reference types="@tarojs/taro" />
declare module "*.png";
declare module "*.css";

declare namespace NodeJS {
  interface ProcessEnv {
    NODE_ENV: "development" | "production" | "test";
    TARO_ENV: "weapp" | "h5";
    TARO_APP_ID?: string;
    TARO_APP_API_BASE?: string;
    TARO_APP_CAMPAIGN_ID?: string;
    TARO_APP_DEV_SIMULATION?: string;
  }
}
