// A minimal HTTP/1.1 client on one raw keep-alive socket: tests see exactly what a proxy reusing an
// upstream connection sees (fetch would hide a poisoned connection behind a fresh one).
import net from "node:net";

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export class RawConnection {
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  closed = false;
  private constructor(readonly socket: net.Socket) {
    socket.on("data", (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    socket.on("close", () => {
      this.closed = true;
      this.wake();
    });
    socket.on("error", () => undefined);
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, "127.0.0.1", () => resolve(new RawConnection(s)));
      s.once("error", reject);
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Writes the request head and body (in chunks with pauses when `slow` is given). */
  async send(head: string, body: Buffer = Buffer.alloc(0), slow?: { chunks: number; pauseMs: number }): Promise<void> {
    this.socket.write(head);
    if (!slow) {
      if (body.length) this.socket.write(body);
      return;
    }
    const size = Math.ceil(body.length / slow.chunks);
    for (let i = 0; i < body.length; i += size) {
      if (this.closed) return;
      this.socket.write(body.subarray(i, i + size));
      await new Promise((r) => setTimeout(r, slow.pauseMs));
    }
  }

  /** Reads one response (content-length or chunked); rejects after `timeoutMs`. */
  async read(timeoutMs = 10_000): Promise<RawResponse> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = this.parse();
      if (r) return r;
      if (this.closed) throw new Error("connection closed before a complete response");
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no response within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  private parse(): RawResponse | null {
    const end = this.buf.indexOf("\r\n\r\n");
    if (end < 0) return null;
    const lines = this.buf.subarray(0, end).toString("latin1").split("\r\n");
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(lines[0]!)?.[1]);
    const headers: Record<string, string> = {};
    for (const l of lines.slice(1)) {
      const i = l.indexOf(":");
      headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
    }
    let pos = end + 4;
    let body: Buffer;
    if (headers["transfer-encoding"] === "chunked") {
      const parts: Buffer[] = [];
      for (;;) {
        const nl = this.buf.indexOf("\r\n", pos);
        if (nl < 0) return null;
        const n = parseInt(this.buf.subarray(pos, nl).toString("latin1"), 16);
        if (this.buf.length < nl + 2 + n + 2) return null;
        parts.push(this.buf.subarray(nl + 2, nl + 2 + n));
        pos = nl + 2 + n + 2;
        if (n === 0) break;
      }
      body = Buffer.concat(parts);
    } else {
      const n = Number(headers["content-length"] ?? 0);
      if (this.buf.length < pos + n) return null;
      body = this.buf.subarray(pos, pos + n);
      pos += n;
    }
    this.buf = this.buf.subarray(pos);
    return { status, headers, body: body.toString("utf8") };
  }

  close(): void {
    this.socket.destroy();
  }
}

export function json(r: RawResponse): any {
  return JSON.parse(r.body);
}

/** A GET request head (keep-alive). */
export function getHead(path: string, headers: Record<string, string> = {}): string {
  return `GET ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: keep-alive\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n`;
}

export interface Part {
  name: string;
  filename?: string;
  type?: string;
  data: Buffer | string;
}

/** A multipart/form-data body built by hand, so tests can send what no well-behaved client would. */
export function multipart(parts: Part[], opts: { boundary?: string; noEnd?: boolean } = {}): { body: Buffer; contentType: string } {
  const boundary = opts.boundary ?? `----gp${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disp = `form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ""}`;
    chunks.push(Buffer.from(`--${boundary}\r\ncontent-disposition: ${disp}\r\n${p.type ? `content-type: ${p.type}\r\n` : ""}\r\n`));
    chunks.push(Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data));
    chunks.push(Buffer.from("\r\n"));
  }
  if (!opts.noEnd) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** A POST request head with a body of `length` bytes (keep-alive). */
export function postHead(path: string, contentType: string, length: number, headers: Record<string, string> = {}): string {
  return `POST ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: keep-alive\r\ncontent-type: ${contentType}\r\ncontent-length: ${length}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n`;
}
