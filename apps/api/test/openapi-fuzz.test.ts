// Property-based fuzzing of every documented route from the API's own OpenAPI document: path
// parameters, query strings and bodies (valid-shaped and not), as a graduate, as each staff role and
// anonymously. No answer may be a 500 or take longer than 20 s; every error has a stable code.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { faceBytes, faceManifest, photoForm, startJourney, toPhotoStep, type Journey } from "./journey-harness.js";
import { asParam, fromSchema, type ArbitraryContext } from "./openapi-arbitrary.js";

/** Requests per route; FUZZ_RUNS raises it for a longer local run. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const SEED = Number(process.env.FUZZ_SEED ?? 20261207);
/** Routes left out: logout ends the fuzzer's own session. */
const SKIP = new Set(["POST /api/staff/logout"]);

let j: Journey;
let ctx: ArbitraryContext;
let doc: any;
let tokens: Record<string, string | undefined>;
/** the real ids a path parameter most likely wants, by the path segment before it */
let idsFor: Record<string, string[]>;

beforeAll(async () => {
  j = await startJourney();
  const campaignId = await j.campaign({ schoolPaid: true });
  const campaign2 = await j.campaign();
  const entry = await j.rosterEntry(campaignId, null);
  const g = await toPhotoStep(j, campaignId, entry);
  const up = await j.call("POST", `/api/submissions/${g.submissionId}/photos`, { token: g.token, form: photoForm(faceBytes(faceManifest.files.find((f) => f.labels.expected_compliant)!.path)) });
  const [operator, admin, reviewer, service, victim] = await Promise.all([j.staff("OPERATOR"), j.staff("SCHOOL_ADMIN"), j.staff("REVIEWER"), j.staff("CUSTOMER_SERVICE"), j.staff("REVIEWER")]);
  const order = await j.deps.db.order.findFirst({ where: { submissionId: g.submissionId } });
  tokens = { graduate: g.token, operator: operator.token, admin: admin.token, reviewer: reviewer.token, service: service.token, none: undefined, bogus: "x".repeat(43) };
  const res = await fetch(`${j.url}/openapi.json`);
  doc = await res.json();
  idsFor = {
    submissions: [g.submissionId],
    campaigns: [campaignId, campaign2],
    photos: [up.body.photo?.id].filter(Boolean),
    "roster-entries": [entry.entryId],
    orders: [order?.id].filter(Boolean) as string[],
    accounts: [victim.id],
    schools: [j.schoolId],
  };
  ctx = {
    components: doc.components?.schemas ?? {},
    uuids: [campaignId, campaign2, g.submissionId, entry.entryId, j.schoolId, victim.id, up.body.photo?.id, order?.id].filter((x): x is string => typeof x === "string"),
  };
}, 240_000);

interface Case {
  path: string;
  query: Record<string, string>;
  token?: string;
  body: { kind: "none" } | { kind: "json"; value: unknown } | { kind: "raw"; text: string; type: string } | { kind: "form"; fields: Array<[string, string | Uint8Array]> };
}

function operationArbitrary(path: string, op: any): fc.Arbitrary<Case> {
  const params = (op.parameters ?? []) as Array<{ in: string; name: string; required?: boolean; schema: any }>;
  const pathArb = fc.record(
    Object.fromEntries(params.filter((p) => p.in === "path").map((p) => [p.name, fc.oneof({ arbitrary: likelyId(path, p.name) ?? fromSchema(p.schema, ctx), weight: 6 }, { arbitrary: fromSchema(p.schema, ctx), weight: 2 }, { arbitrary: fc.constantFrom("..%2f..%2fetc%2fpasswd", "%00", "%E0%A4%A", "null", "-1", "0".repeat(300)), weight: 1 })])),
  );
  const queryArb = fc.record(
    Object.fromEntries(params.filter((p) => p.in === "query").map((p) => [p.name, fromSchema(p.schema, ctx)])),
    { requiredKeys: [] },
  );
  const json = op.requestBody?.content?.["application/json"]?.schema;
  const multipart = (op.consumes ?? []).includes("multipart/form-data") || /photos$|upload$|imports$|admission-photo$/.test(path);
  const bodyArb: fc.Arbitrary<Case["body"]> = fc.oneof(
    { arbitrary: json ? fromSchema(json, ctx).map((value) => ({ kind: "json" as const, value })) : fc.constant({ kind: "none" as const }), weight: 6 },
    { arbitrary: fc.jsonValue({ maxDepth: 2 }).map((value) => ({ kind: "json" as const, value })), weight: 1 },
    { arbitrary: fc.tuple(fc.string({ maxLength: 60 }), fc.constantFrom("application/json", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data", "multipart/form-data; boundary=x", "application/xml")).map(([text, type]) => ({ kind: "raw" as const, text, type })), weight: 1 },
    { arbitrary: fc.constant({ kind: "none" as const }), weight: 1 },
    {
      arbitrary: fc.array(fc.tuple(fc.constantFrom("photo", "image", "file", "x", "__proto__", "constructor"), fc.oneof(fc.string({ maxLength: 20 }), fc.uint8Array({ maxLength: 2000 }))), { maxLength: 14 }).map((fields) => ({ kind: "form" as const, fields })),
      weight: multipart ? 4 : 1,
    },
  );
  // mostly callers the route is meant for, so requests reach the handlers; sometimes anyone
  const tags = (op.tags ?? []) as string[];
  const meant = tags.includes("graduate") ? [tokens.graduate] : tags.some((t) => t.startsWith("staff")) ? [tokens.operator, tokens.admin, tokens.reviewer, tokens.service] : [tokens.none];
  const tokenArb = fc.oneof({ arbitrary: fc.constantFrom(...meant), weight: 4 }, { arbitrary: fc.constantFrom(...Object.values(tokens)), weight: 1 });
  return fc.record({ pathParams: pathArb, query: queryArb, token: tokenArb, body: bodyArb }).map(({ pathParams, query, token, body }) => ({
    path: path.replace(/\{(\w+)\}/g, (_, n: string) => {
      const v = asParam((pathParams as Record<string, unknown>)[n]);
      // values from the list above are already encoded
      return /%[0-9A-F]{2}|%E0/.test(v) ? v : encodeURIComponent(v);
    }),
    query: Object.fromEntries(Object.entries(query as Record<string, unknown>).filter(([, v]) => v !== undefined).map(([k, v]) => [k, asParam(v)])),
    token,
    body,
  }));
}

function likelyId(path: string, name: string): fc.Arbitrary<string> | undefined {
  const segs = path.split("/");
  const before = segs[segs.indexOf(`{${name}}`) - 1] ?? "";
  const ids = idsFor[before];
  return ids?.length ? fc.constantFrom(...ids) : undefined;
}

async function send(method: string, c: Case): Promise<{ status: number; body: any; ms: number }> {
  const headers: Record<string, string> = {};
  if (c.token) headers.authorization = `Bearer ${c.token}`;
  let body: string | FormData | undefined;
  if (c.body.kind === "json") {
    headers["content-type"] = "application/json";
    body = JSON.stringify(c.body.value) ?? "null";
  } else if (c.body.kind === "raw") {
    headers["content-type"] = c.body.type;
    body = c.body.text;
  } else if (c.body.kind === "form") {
    const f = new FormData();
    for (const [name, v] of c.body.fields) typeof v === "string" ? f.append(name, v) : f.append(name, new Blob([v]), "f.jpg");
    body = f;
  }
  if (method === "GET" || method === "HEAD") body = undefined;
  const qs = new URLSearchParams(c.query).toString();
  const t0 = Date.now();
  const res = await fetch(`${j.url}${c.path}${qs ? `?${qs}` : ""}`, { method, headers, body, signal: AbortSignal.timeout(20_000) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed, ms: Date.now() - t0 };
}

describe("OpenAPI-driven fuzzing", () => {
  it(`every route × ${RUNS} generated requests: no 500, no hang, every error has a code`, async () => {
    const failures: string[] = [];
    let total = 0;
    const byStatus = new Map<number, number>();
    const ops = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([p, o]) => Object.entries(o).map(([m, op]) => ({ method: m.toUpperCase(), path: p, op })));
    expect(ops.length).toBeGreaterThan(50);
    for (const { method, path, op } of ops) {
      if (SKIP.has(`${method} ${path}`)) continue;
      const cases = fc.sample(operationArbitrary(path, op), { numRuns: RUNS, seed: SEED + total });
      for (const c of cases) {
        total++;
        const what = `${method} ${c.path}?${new URLSearchParams(c.query)} ${JSON.stringify(c.body).slice(0, 300)}`;
        try {
          const r = await send(method, c);
          byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
          const serverFault = r.status >= 500 && !(r.status === 502 || r.status === 503);
          if (serverFault || (r.status >= 400 && typeof r.body?.code !== "string") || r.body?.code === "INTERNAL") failures.push(`${r.status} ${JSON.stringify(r.body).slice(0, 200)} ← ${what}`);
        } catch (e) {
          failures.push(`${(e as Error).name}: ${(e as Error).message} ← ${what}`);
        }
      }
    }
    // The figure for the report: how many requests ran and what they got.
    console.log(`openapi fuzz: ${total} requests over ${ops.length - SKIP.size} routes; statuses ${JSON.stringify(Object.fromEntries([...byStatus].sort((a, b) => a[0] - b[0])))}`);
    expect(failures.slice(0, 20)).toEqual([]);
    // the API still answers afterwards
    expect((await fetch(`${j.url}/healthz`)).status).toBe(200);
  }, 900_000);
});
