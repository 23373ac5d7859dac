import { parseArgs } from "node:util";
import { z } from "zod";
import { printJson, say, UsageError } from "./output.js";
import { DoctorReportSchema, runDoctor } from "./commands/doctor.js";

const HELP = `gradphoto — graduation photo tools

Usage: pnpm -s gradphoto <command> [args] [--json]

Commands:
  doctor                          check Node, models (sha256), database, migrations, storage
  check <image>...                photo quality checks against the 学信网 spec
  standardize <image>... --out-dir <dir> [--background blue|white|grey|#RRGGBB] [--min-kb N] [--max-kb N]
                                  crop to 480×640 and replace the background
  compare <photo> <reference>     face comparison score (0–100, pass ≥ 80)
  compare --pairs <pairs.json>    many comparisons, models loaded once
  calibrate-face --pairs <pairs.json> --far <rate> [--card <model.card.json>] [--dry-run]
                                  fit a face model's score mapping (80 at that false-accept rate)
                                  from every cross-identity pair of a labelled set; writes the card
  decode-code <image>... [--provider demo|http]
                                  read 学信网 图像采集码 QR codes (fields when a provider is set)

Options:
  --json     print exactly one JSON value on stdout (logs go to stderr)
  --help     this text

Results go to stdout (plain text, or one JSON value with --json); progress and errors to stderr.
Per-file errors use one code per cause in every command: FILE_NOT_FOUND (no such file),
FILE_NOT_READABLE (not a regular file, or no permission), INVALID_IMAGE (not a JPG/PNG image).

Exit code 0 when every input was processed (a photo may still fail its checks or the comparison);
1 when an input could not be processed (missing, unreadable or not an image) or the command failed
(e.g. doctor found a problem); 2 for usage errors.`;

type Command = (positionals: string[], values: Record<string, string | boolean | undefined>, json: boolean) => Promise<number>;

const commands: Record<string, Command> = {
  async doctor(_p, _v, json) {
    const report = await runDoctor();
    if (json) printJson(DoctorReportSchema, report);
    else for (const c of report.checks) say(`${c.ok ? "✔" : "✘"} ${c.id.padEnd(28)} ${c.detail}`);
    return report.ok ? 0 : 1;
  },
};

/** Registers a command implemented in a domain package (check, standardize, compare, decode-code). */
export function registerCommand(name: string, fn: Command): void {
  commands[name] = fn;
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
      "out-dir": { type: "string" },
      background: { type: "string" },
      "min-kb": { type: "string" },
      "max-kb": { type: "string" },
      pairs: { type: "string" },
      provider: { type: "string" },
      far: { type: "string" },
      card: { type: "string" },
      "dry-run": { type: "boolean" },
    },
  });
  const [name, ...rest] = positionals;
  if (values.help || !name) {
    process.stdout.write(`${HELP}\n`);
    return name || values.help ? 0 : 2;
  }
  const cmd = commands[name];
  if (!cmd) throw new UsageError(`unknown command "${name}" (see --help)`);
  return cmd(rest, values, Boolean(values.json));
}

async function entry(): Promise<void> {
  await import("./register.js");
  try {
    process.exitCode = await run(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      process.stderr.write(`gradphoto: ${(e as Error).message}\n`);
      process.exitCode = 2;
      return;
    }
    if (e instanceof z.ZodError) {
      process.stderr.write(`gradphoto: internal output did not match its schema: ${e.message}\n`);
      process.exitCode = 1;
      return;
    }
    process.stderr.write(`gradphoto: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}

if (process.argv[1]?.endsWith("main.ts")) void entry();
