import { readFileSync } from "node:fs";
import path from "node:path";
import { deflateSync } from "node:zlib";
import { testdataDir } from "@gradphoto/testkit";

export const facesDir = testdataDir("faces");

export interface Labels {
  faces: number;
  eyes: string | null;
  mouth: string | null;
  pose: string | null;
  frontal: boolean;
  hat: boolean;
  glasses: string | null;
  lighting: string;
  framing: string;
  occlusion: string | null;
  color: string;
  ears: string | null;
  accessories: string[];
  face_width_px: number | null;
  issues: string[];
  expected_compliant: boolean;
}
export interface Entry {
  path: string;
  /** folder of the set the entry belongs to (faces when unset) */
  dir?: string;
  identity?: string;
  /** faces-studio: how the photo was taken (view, instructed expression) */
  capture?: { view: string; expression: string };
  width: number;
  height: number;
  labels: Labels;
}

export const manifest = JSON.parse(readFileSync(path.join(facesDir, "manifest.json"), "utf8")) as { files: Entry[] };

/** Dev-set photos chosen by their labels (never by file name), in manifest order. */
export function byLabel(pred: (l: Labels, e: Entry) => boolean, limit = Infinity): Entry[] {
  return manifest.files.filter((e) => pred(e.labels, e)).slice(0, limit);
}

export const photo = (e: Entry): Buffer => readFileSync(path.join(e.dir ?? facesDir, e.path));

/**
 * faces-studio: studio head-and-shoulders photos (Face Research Lab London Set, DeBruine & Jones 2017, CC BY 4.0),
 * six views per person; pose and expression come from the shoot.
 */
export const studioDir = testdataDir("faces-studio");
export const studioManifest = JSON.parse(readFileSync(path.join(studioDir, "manifest.json"), "utf8")) as { files: Entry[] };
for (const e of studioManifest.files) e.dir = studioDir;

/** faces-studio photos chosen by their labels, in manifest order. */
export function studioByLabel(pred: (l: Labels, e: Entry) => boolean, limit = Infinity): Entry[] {
  return studioManifest.files.filter((e) => pred(e.labels, e)).slice(0, limit);
}

/** A labelled-compliant colour head-and-shoulders portrait whose source is big enough for the output rules. */
export const goodPortraits = (limit: number) =>
  byLabel((l, e) => l.expected_compliant && l.color === "color" && l.framing === "portrait" && e.height >= 600 && e.width >= 400, limit);

// ---- synthetic bad inputs ----

const CRC_TABLE = new Int32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});
function crc32(buf: Uint8Array): number {
  let c = -1;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
function pngChunk(type: string, data: Uint8Array): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/**
 * A decompression bomb: a valid PNG header declaring width×height grey pixels whose (highly compressible)
 * data would need width×height bytes once decoded. Only a few KB on disk.
 */
export function pngBomb(width = 30000, height = 30000): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  // a few rows of zeros (filter byte + pixels); the rest is missing, as in a streamed bomb
  const idat = deflateSync(Buffer.alloc((width + 1) * 64));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk("IHDR", ihdr), pngChunk("IDAT", idat), pngChunk("IEND", Buffer.alloc(0))]);
}

/** The start of an iPhone HEIC file (ftyp box, brand heic) followed by filler: what an upload looks like. */
export function heicLike(): Buffer {
  const ftyp = Buffer.from([0, 0, 0, 0x18, ...Buffer.from("ftypheic"), 0, 0, 0, 0, ...Buffer.from("mif1heic")]);
  return Buffer.concat([ftyp, Buffer.alloc(2048, 0x11)]);
}
