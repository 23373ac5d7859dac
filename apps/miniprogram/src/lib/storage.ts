import Taro from "@tarojs/taro";
import { IS_H5 } from "./env";

/**
 * Small persistent key-value store. H5 uses localStorage with plain JSON (so tests and support staff
 * can read it), the mini-program uses wx storage.
 */
export function load<T>(key: string): T | null {
  try {
    if (IS_H5) {
      const raw = window.localStorage.getItem(key);
      return raw ? (JSON.parse(raw) as T) : null;
    }
    const v = Taro.getStorageSync(key) as T | "";
    return v === "" ? null : v;
  } catch {
    return null;
  }
}

export function save(key: string, value: unknown): void {
  try {
    if (IS_H5) window.localStorage.setItem(key, JSON.stringify(value));
    else Taro.setStorageSync(key, value);
  } catch {
    /* storage full or unavailable: the session lasts until the app closes */
  }
}

export function remove(key: string): void {
  try {
    if (IS_H5) window.localStorage.removeItem(key);
    else Taro.removeStorageSync(key);
  } catch {
    /* ignore */
  }
}
