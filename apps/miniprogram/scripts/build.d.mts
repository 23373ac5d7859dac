export declare const TARGETS: Record<"weapp" | "h5", string[]>;
export declare function inputHash(target: "weapp" | "h5"): string;
export declare function build(target: "weapp" | "h5", opts?: { force?: boolean; quiet?: boolean }): { target: string; built: boolean; ms: number };
export declare function buildAsync(target: "weapp" | "h5", opts?: { force?: boolean; quiet?: boolean }): Promise<{ target: string; built: boolean; ms: number }>;
