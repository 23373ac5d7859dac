import net from "node:net";
import type { PGlite } from "@electric-sql/pglite";

/**
 * A PostgreSQL wire-protocol front for one PGlite instance, shared by many client connections.
 *
 * PGlite has a single session, so connections must take turns. The unit of a turn is a whole
 * protocol exchange — everything a client sends up to Sync / Query / Flush / Terminate — never a
 * single message: otherwise one client's Parse and Bind can be split by another's, which clobbers
 * the unnamed prepared statement (what @electric-sql/pglite-socket's per-message queue does under
 * concurrency). While a transaction is open, only its connection runs; if that connection goes away
 * mid-transaction the transaction is rolled back.
 */
export class PgliteServer {
  private server: net.Server | null = null;
  private readonly queue: Array<{ conn: Conn; bytes: Uint8Array }> = [];
  private running = false;
  private txOwner: Conn | null = null;
  private readonly conns = new Set<Conn>();

  constructor(private readonly db: PGlite) {}

  async listen(host: string, port: number): Promise<number> {
    await this.db.waitReady;
    this.server = net.createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(port, host, () => resolve());
    });
    const a = this.server.address();
    return typeof a === "object" && a ? a.port : port;
  }

  async close(): Promise<void> {
    for (const c of this.conns) c.socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }

  private accept(socket: net.Socket): void {
    socket.setNoDelay(true);
    const conn: Conn = { socket, buffer: Buffer.alloc(0), pending: [], started: false, closed: false };
    this.conns.add(conn);
    socket.on("data", (d) => this.onData(conn, d));
    socket.on("error", () => socket.destroy());
    socket.on("close", () => void this.onClose(conn));
  }

  private onData(conn: Conn, data: Buffer): void {
    conn.buffer = conn.buffer.length ? Buffer.concat([conn.buffer, data]) : data;
    for (;;) {
      const b = conn.buffer;
      if (!conn.started) {
        // Untyped startup-phase packets: SSLRequest / GSSENCRequest / CancelRequest / StartupMessage.
        if (b.length < 8) return;
        const len = b.readInt32BE(0);
        if (b.length < len) return;
        const code = b.readInt32BE(4);
        const packet = b.subarray(0, len);
        conn.buffer = b.subarray(len);
        if (code === 80877103 || code === 80877104) {
          conn.socket.write("N"); // no SSL / GSS encryption on loopback
          continue;
        }
        if (code === 80877102) {
          conn.socket.destroy(); // cancel requests are not supported
          return;
        }
        conn.started = true;
        this.enqueue(conn, new Uint8Array(packet));
        continue;
      }
      if (b.length < 5) return;
      const len = 1 + b.readInt32BE(1);
      if (b.length < len) return;
      const type = String.fromCharCode(b[0]!);
      conn.pending.push(new Uint8Array(b.subarray(0, len)));
      conn.buffer = b.subarray(len);
      if (type === "X") {
        conn.pending = [];
        conn.socket.end();
        return;
      }
      // End of one exchange: run everything the client sent for it as one turn.
      if (type === "S" || type === "Q" || type === "H" || type === "c" || type === "f") {
        const total = conn.pending.reduce((n, m) => n + m.length, 0);
        const bytes = new Uint8Array(total);
        let o = 0;
        for (const m of conn.pending) {
          bytes.set(m, o);
          o += m.length;
        }
        conn.pending = [];
        this.enqueue(conn, bytes);
      }
    }
  }

  private enqueue(conn: Conn, bytes: Uint8Array): void {
    this.queue.push({ conn, bytes });
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (;;) {
        // Inside a transaction only its owner may run; everyone else waits their turn.
        const i = this.txOwner ? this.queue.findIndex((q) => q.conn === this.txOwner) : 0;
        if (i < 0 || this.queue.length === 0) break;
        const { conn, bytes } = this.queue.splice(i, 1)[0]!;
        if (conn.closed) continue;
        await this.db.runExclusive(async () => {
          await this.db.execProtocolRawStream(bytes, {
            onRawData: (out: Uint8Array) => {
              if (!conn.closed && out.length) conn.socket.write(out);
            },
          });
        });
        this.txOwner = this.db.isInTransaction() ? conn : null;
      }
    } finally {
      this.running = false;
    }
  }

  private async onClose(conn: Conn): Promise<void> {
    conn.closed = true;
    this.conns.delete(conn);
    for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i]!.conn === conn) this.queue.splice(i, 1);
    if (this.txOwner === conn) {
      // The client vanished mid-transaction: roll it back so the others can go on.
      while (this.running) await new Promise((r) => setTimeout(r, 5));
      if (this.txOwner === conn && this.db.isInTransaction()) await this.db.exec("ROLLBACK").catch(() => undefined);
      this.txOwner = null;
      void this.drain();
    }
  }
}

interface Conn {
  socket: net.Socket;
  buffer: Buffer;
  pending: Uint8Array[];
  started: boolean;
  closed: boolean;
}
