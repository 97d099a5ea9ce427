import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The largest report the page may post (a second of stats and envelope is ~10 KB). */
const MAX_BODY = 1024 * 1024;

/** The human room's page server. */
export interface PageServer {
  /** http://127.0.0.1:PORT/ */
  url: string;
  /** The page must send this with each report (it travels in the link's fragment). */
  key: string;
  close(): Promise<void>;
}

/** What the server serves and where reports go. */
export interface PageServerOptions {
  html: string;
  script: string;
  /** Origins the page may connect to besides itself (the LiveKit server's ws:// and http:// origins). */
  connectOrigins: string[];
  onReport: (body: unknown) => void;
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    let size = 0;
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => {
      size += d.length;
      if (size > MAX_BODY) {
        resolve(null);
        req.destroy();
      } else parts.push(d);
    });
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', () => resolve(null));
  });
}

/**
 * A tiny HTTP server on 127.0.0.1 only: GET / (the page), GET /app.js (the bundle), POST /report
 * (the page's figures, accepted with the key only). Its content security policy lets the page
 * talk to itself and the LiveKit server, nowhere else; no request is logged (the token is in the
 * fragment, which browsers never send).
 */
export async function startPageServer(opts: PageServerOptions): Promise<PageServer> {
  const key = randomBytes(16).toString('base64url');
  const csp = [
    "default-src 'self'",
    `connect-src 'self' ${opts.connectOrigins.join(' ')}`,
    "media-src 'self' blob: mediastream:",
    "img-src 'self' data:",
    "style-src 'self' 'unsafe-inline'",
  ].join('; ');
  const send = (res: ServerResponse, code: number, type: string, body: string) => {
    res.writeHead(code, { 'content-type': type, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'content-security-policy': csp });
    res.end(body);
  };
  const server = createServer((req, res) => {
    const route = `${req.method} ${(req.url ?? '').split('?')[0]}`;
    if (route === 'GET /') return send(res, 200, 'text/html; charset=utf-8', opts.html);
    if (route === 'GET /app.js') return send(res, 200, 'text/javascript; charset=utf-8', opts.script);
    if (route === 'POST /report') {
      if (req.headers['x-voiceload-key'] !== key) return send(res, 403, 'text/plain', 'wrong key\n');
      void readBody(req).then((text) => {
        let body: unknown;
        try {
          body = text === null ? undefined : JSON.parse(text);
        } catch {
          body = undefined;
        }
        if (body === undefined) return send(res, 400, 'text/plain', 'bad report\n');
        opts.onReport(body);
        send(res, 204, 'text/plain', '');
      });
      return;
    }
    send(res, 404, 'text/plain', 'not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    key,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
