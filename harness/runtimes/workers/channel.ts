import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseReport, type WorkerReport } from './messages.js';

/**
 * The harness's end of the report channel: a unix domain socket in a private (0700) temp folder.
 * Workers and their job processes are not our children over IPC (LiveKit's framework forks the
 * job processes), so they find the harness through this path, passed in an environment variable.
 * A filesystem socket, not a network address: nothing leaves the host, and only this user can open it.
 */
export class ReportServer {
  private readonly sockets = new Set<net.Socket>();

  private constructor(private readonly server: net.Server, readonly socketPath: string, private readonly dir: string) {}

  /** Listens; every complete line received is parsed and handed to `onReport`. */
  static async listen(onReport: (r: WorkerReport) => void): Promise<ReportServer> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'voiceload-workers-'));
    const socketPath = path.join(dir, 'report.sock');
    const server = net.createServer();
    const self = new ReportServer(server, socketPath, dir);
    server.on('connection', (sock) => {
      self.sockets.add(sock);
      let buf = '';
      sock.setEncoding('utf8');
      sock.on('data', (chunk: string) => {
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const r = parseReport(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
          if (r) onReport(r);
        }
      });
      sock.on('error', () => undefined);
      sock.on('close', () => self.sockets.delete(sock));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => resolve());
    });
    return self;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * The worker's end: connects to the socket named in the environment and writes one JSON line per
 * report. Reports written before the connection is up are queued; a missing or dead harness makes
 * it a no-op, never an error in the agent.
 */
export class ReportClient {
  private readonly sock: net.Socket | null;

  constructor(socketPath: string | undefined) {
    this.sock = socketPath ? net.connect(socketPath) : null;
    this.sock?.on('error', () => undefined);
    this.sock?.unref();
  }

  send(r: WorkerReport): void {
    if (this.sock && !this.sock.destroyed) this.sock.write(`${JSON.stringify(r)}\n`);
  }

  /** Flushes what is queued, then closes. */
  async close(): Promise<void> {
    const sock = this.sock;
    if (!sock || sock.destroyed) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => (sock.destroy(), resolve()), 1000);
      sock.end(() => (clearTimeout(timer), resolve()));
    });
  }
}
