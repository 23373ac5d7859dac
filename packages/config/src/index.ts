export { EnvSchema, ConfigError, loadConfig, type Env, type AppConfig } from "./env.js";
