// fast-check arbitraries from the API's own OpenAPI document: mostly values that follow each schema
// (so requests get past validation into the handlers), mixed at every level with values that do not.
import fc from "fast-check";

type Schema = Record<string, any>;

export interface ArbitraryContext {
  /** resolves `#/components/schemas/X` */
  components: Record<string, Schema>;
  /** ids of real rows, so uuid parameters often name something that exists */
  uuids: string[];
}

const wild = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom("", " ", "%", "_", "\\", "'; DROP TABLE x; --", "../../etc/passwd", "\u0000", "𠮷".repeat(300), "a".repeat(5000), -1, 0, 1e308, -1e308, Number.MAX_SAFE_INTEGER, true, null, [], {}, { __proto__: { x: 1 } }, { constructor: { prototype: 1 } }),
  );

export function fromSchema(schema: Schema | undefined, ctx: ArbitraryContext, depth = 0): fc.Arbitrary<unknown> {
  const valid = schemaValue(schema, ctx, depth);
  return fc.oneof({ arbitrary: valid, weight: 5 }, { arbitrary: wild(), weight: 1 });
}

function schemaValue(schema: Schema | undefined, ctx: ArbitraryContext, depth: number): fc.Arbitrary<unknown> {
  if (!schema || depth > 5) return wild();
  if (schema.$ref) {
    const name = String(schema.$ref).split("/").pop()!;
    return schemaValue(ctx.components[name], ctx, depth + 1);
  }
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  for (const k of ["anyOf", "oneOf"]) {
    if (Array.isArray(schema[k]) && schema[k].length) return fc.oneof(...(schema[k] as Schema[]).map((s) => schemaValue(s, ctx, depth + 1)));
  }
  if (Array.isArray(schema.allOf) && schema.allOf.length) return schemaValue(Object.assign({}, ...schema.allOf), ctx, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (type.length > 1) return fc.oneof(...type.map((t: string) => schemaValue({ ...schema, type: t }, ctx, depth)));
  switch (type[0]) {
    case "null":
      return fc.constant(null);
    case "boolean":
      return fc.boolean();
    case "integer":
      return fc.integer({ min: Math.max(schema.minimum ?? -1_000_000, -2_147_483_648), max: Math.min(schema.maximum ?? 1_000_000, 2_147_483_647) });
    case "number":
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true });
    case "array":
      return fc.array(schemaValue(schema.items, ctx, depth + 1), { minLength: schema.minItems ?? 0, maxLength: Math.max(schema.minItems ?? 0, Math.min(schema.maxItems ?? 4, 4)) });
    case "object":
    case undefined: {
      const props = (schema.properties ?? {}) as Record<string, Schema>;
      if (!Object.keys(props).length && schema.type === undefined) return wild();
      const required = (schema.required ?? []) as string[];
      const rec = fc.record(
        Object.fromEntries(Object.entries(props).map(([k, s]) => [k, depth < 3 ? fromSchema(s, ctx, depth + 1) : schemaValue(s, ctx, depth + 1)])),
        { requiredKeys: required.filter((k) => k in props) },
      );
      // sometimes a key the schema does not know
      return fc.tuple(rec, fc.option(fc.tuple(fc.string({ maxLength: 12 }), wild()), { freq: 5 })).map(([o, extra]) => (extra ? { ...(o as object), [extra[0]]: extra[1] } : o));
    }
    case "string":
      return stringValue(schema, ctx);
    default:
      return wild();
  }
}

function stringValue(schema: Schema, ctx: ArbitraryContext): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = Math.min(schema.maxLength ?? 40, 200);
  switch (schema.format) {
    case "uuid":
      return ctx.uuids.length ? fc.oneof({ arbitrary: fc.constantFrom(...ctx.uuids), weight: 4 }, { arbitrary: fc.uuid(), weight: 1 }) : fc.uuid();
    case "date-time":
      return fc.date({ min: new Date("1970-01-01"), max: new Date("2100-01-01"), noInvalidDate: true }).map((d) => d.toISOString());
    case "date":
      return fc.date({ min: new Date("1970-01-01"), max: new Date("2100-01-01"), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    case "email":
      return fc.emailAddress();
    case "uri":
      return fc.webUrl();
  }
  if (schema.pattern) {
    try {
      const re = new RegExp(schema.pattern);
      return fc.stringMatching(re).filter((s) => s.length >= min && s.length <= Math.max(max, min));
    } catch {
      /* a pattern JavaScript cannot read: plain strings */
    }
  }
  return fc.oneof(fc.string({ minLength: min, maxLength: Math.max(min, max) }), fc.string({ unit: "grapheme", minLength: min, maxLength: Math.max(min, max) }));
}

/** A query-string or path value from any generated value. */
export function asParam(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === undefined) return "";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}
