import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import pg from "pg";
import { schemaPath } from "./paths.js";

// Prisma's schema parser compiled to WASM: reads schema.prisma without the (undownloadable) engines.
const require = createRequire(import.meta.url);
const wasm = require("@prisma/prisma-schema-wasm") as { get_dmmf(params: string): string };

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: "scalar" | "object" | "enum" | "unsupported";
  type: string;
  isRequired: boolean;
  isList: boolean;
  nativeType?: [string, string[]] | null;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}
interface DmmfIndex {
  model: string;
  type: "id" | "unique" | "normal" | "fulltext";
  fields: Array<{ name: string }>;
}
interface Dmmf {
  datamodel: { models: DmmfModel[]; enums: Array<{ name: string; dbName: string | null; values: Array<{ name: string }> }>; indexes: DmmfIndex[] };
}

/** The shape schema.prisma describes, in database terms. */
export interface ExpectedSchema {
  tables: Map<string, Map<string, { type: string; nullable: boolean }>>;
  enums: Map<string, string[]>;
  indexes: Set<string>;
  foreignKeys: Set<string>;
}

export function expectedSchema(file = schemaPath()): ExpectedSchema {
  const dmmf = JSON.parse(wasm.get_dmmf(JSON.stringify({ prismaSchema: [["schema.prisma", readFileSync(file, "utf8")]] }))) as Dmmf;
  const enumDb = new Map(dmmf.datamodel.enums.map((e) => [e.name, e.dbName ?? e.name]));
  const tableOf = new Map(dmmf.datamodel.models.map((m) => [m.name, m.dbName ?? m.name]));
  const colOf = (model: string, field: string): string => {
    const f = dmmf.datamodel.models.find((m) => m.name === model)!.fields.find((x) => x.name === field)!;
    return f.dbName ?? f.name;
  };
  const tables: ExpectedSchema["tables"] = new Map();
  const foreignKeys = new Set<string>();
  for (const m of dmmf.datamodel.models) {
    const cols = new Map<string, { type: string; nullable: boolean }>();
    for (const f of m.fields) {
      if (f.kind === "object") {
        if (f.relationFromFields?.length) {
          const from = f.relationFromFields.map((x) => colOf(m.name, x)).join(",");
          const to = (f.relationToFields ?? []).map((x) => colOf(f.type, x)).join(",");
          foreignKeys.add(`${tableOf.get(m.name)}(${from}) -> ${tableOf.get(f.type)}(${to}) on delete ${(f.relationOnDelete ?? (f.isRequired ? "Restrict" : "SetNull")).toUpperCase()}`);
        }
        continue;
      }
      cols.set(f.dbName ?? f.name, { type: f.kind === "enum" ? `enum:${enumDb.get(f.type)}` : pgType(f), nullable: !f.isRequired });
    }
    tables.set(m.dbName ?? m.name, cols);
  }
  const indexes = new Set(
    dmmf.datamodel.indexes
      .filter((i) => i.type !== "fulltext")
      .map((i) => `${tableOf.get(i.model)}(${i.fields.map((f) => colOf(i.model, f.name)).join(",")}) ${i.type === "normal" ? "index" : i.type === "id" ? "primary" : "unique"}`),
  );
  const enums = new Map(dmmf.datamodel.enums.map((e) => [e.dbName ?? e.name, e.values.map((v) => v.name)]));
  return { tables, enums, indexes, foreignKeys };
}

function pgType(f: DmmfField): string {
  const native = f.nativeType?.[0];
  switch (f.type) {
    case "String":
      return native === "Uuid" ? "uuid" : "text";
    case "Int":
      return "integer";
    case "BigInt":
      return "bigint";
    case "Float":
      return "double precision";
    case "Decimal":
      return "numeric";
    case "Boolean":
      return "boolean";
    case "Json":
      return "jsonb";
    case "Bytes":
      return "bytea";
    case "DateTime":
      return native === "Date" ? "date" : native === "Timestamptz" ? "timestamp with time zone" : "timestamp without time zone";
    default:
      return f.type;
  }
}

/** Reads the live database's tables, columns, enums, indexes and foreign keys in `schema`. */
export async function actualSchema(connectionString: string, schema = "public"): Promise<ExpectedSchema> {
  const c = new pg.Client({ connectionString });
  await c.connect();
  try {
    const cols = await c.query<{ table_name: string; column_name: string; data_type: string; udt_name: string; is_nullable: string }>(
      `SELECT table_name, column_name, data_type, udt_name, is_nullable FROM information_schema.columns
       WHERE table_schema = $1 AND table_name <> '_prisma_migrations' ORDER BY table_name, ordinal_position`,
      [schema],
    );
    const tables: ExpectedSchema["tables"] = new Map();
    for (const r of cols.rows) {
      if (!tables.has(r.table_name)) tables.set(r.table_name, new Map());
      tables.get(r.table_name)!.set(r.column_name, { type: r.data_type === "USER-DEFINED" ? `enum:${r.udt_name}` : r.data_type, nullable: r.is_nullable === "YES" });
    }
    const en = await c.query<{ typname: string; labels: string[] }>(
      `SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS labels FROM pg_type t
       JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = $1 GROUP BY t.typname`,
      [schema],
    );
    const idx = await c.query<{ tbl: string; cols: string[]; uniq: boolean; prim: boolean }>(
      `SELECT tc.relname AS tbl, i.indisunique AS uniq, i.indisprimary AS prim,
              array(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS cols
       FROM pg_index i JOIN pg_class tc ON tc.oid = i.indrelid JOIN pg_namespace n ON n.oid = tc.relnamespace
       WHERE n.nspname = $1 AND tc.relname <> '_prisma_migrations'`,
      [schema],
    );
    const fk = await c.query<{ tbl: string; cols: string[]; ref: string; refcols: string[]; del: string }>(
      `SELECT src.relname AS tbl, dst.relname AS ref, con.confdeltype AS del,
              array(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.o)::text[] AS cols,
              array(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.o)::text[] AS refcols
       FROM pg_constraint con JOIN pg_class src ON src.oid = con.conrelid JOIN pg_class dst ON dst.oid = con.confrelid
       JOIN pg_namespace n ON n.oid = src.relnamespace WHERE con.contype = 'f' AND n.nspname = $1`,
      [schema],
    );
    const DEL: Record<string, string> = { a: "NOACTION", r: "RESTRICT", c: "CASCADE", n: "SETNULL", d: "SETDEFAULT" };
    return {
      tables,
      enums: new Map(en.rows.map((r) => [r.typname, r.labels])),
      indexes: new Set(idx.rows.map((r) => `${r.tbl}(${r.cols.join(",")}) ${r.prim ? "primary" : r.uniq ? "unique" : "index"}`)),
      foreignKeys: new Set(fk.rows.map((r) => `${r.tbl}(${r.cols.join(",")}) -> ${r.ref}(${r.refcols.join(",")}) on delete ${DEL[r.del] ?? r.del}`)),
    };
  } finally {
    await c.end();
  }
}

/** Human-readable differences between schema.prisma and the database; empty when they match. */
export function diffSchemas(expected: ExpectedSchema, actual: ExpectedSchema): string[] {
  const out: string[] = [];
  for (const [t, cols] of expected.tables) {
    const live = actual.tables.get(t);
    if (!live) {
      out.push(`missing table ${t}`);
      continue;
    }
    for (const [c, spec] of cols) {
      const l = live.get(c);
      if (!l) out.push(`missing column ${t}.${c}`);
      else {
        if (l.type !== spec.type) out.push(`column ${t}.${c}: type ${l.type}, schema.prisma says ${spec.type}`);
        if (l.nullable !== spec.nullable) out.push(`column ${t}.${c}: ${l.nullable ? "nullable" : "NOT NULL"}, schema.prisma says ${spec.nullable ? "nullable" : "NOT NULL"}`);
      }
    }
    for (const c of live.keys()) if (!cols.has(c)) out.push(`extra column ${t}.${c}`);
  }
  for (const t of actual.tables.keys()) if (!expected.tables.has(t)) out.push(`extra table ${t}`);
  for (const [e, vals] of expected.enums) {
    const l = actual.enums.get(e);
    if (!l) out.push(`missing enum ${e}`);
    else if (l.join(",") !== vals.join(",")) out.push(`enum ${e}: [${l.join(",")}], schema.prisma says [${vals.join(",")}]`);
  }
  for (const i of expected.indexes) if (!actual.indexes.has(i)) out.push(`missing ${i}`);
  for (const i of actual.indexes) if (!expected.indexes.has(i)) out.push(`extra ${i}`);
  for (const f of expected.foreignKeys) if (!actual.foreignKeys.has(f)) out.push(`missing foreign key ${f}`);
  for (const f of actual.foreignKeys) if (!expected.foreignKeys.has(f)) out.push(`extra foreign key ${f}`);
  return out;
}
