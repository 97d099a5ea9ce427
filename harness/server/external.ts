import { RoomServiceClient } from 'livekit-server-sdk';
import { HarnessError, InterruptedError, UsageError } from '../common/errors.js';
import type { ServerHandle } from './types.js';

const ANSWER_TIMEOUT_MS = 10_000;

/** The URL with any `user:password@` part masked, for messages: a secret is never echoed. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^/@\s]*@/, '//***@');
}

/**
 * LIVEKIT_URL parsed with `new URL()`: ws, wss, http or https, a valid port, nothing after the host
 * but `/`, and no `user:password@` part (LiveKit takes its credentials from the API key and secret).
 */
function parseLivekitUrl(raw: string): string {
  const shown = redactUrl(raw);
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UsageError(`LIVEKIT_URL='${shown}' is not a valid URL (a bad port, a space, trailing text?); write it as ws://host:7880 or wss://host`);
  }
  if (!['ws:', 'wss:', 'http:', 'https:'].includes(u.protocol)) throw new UsageError(`LIVEKIT_URL='${shown}' is not a ws://, wss://, http:// or https:// URL`);
  if (u.username || u.password) throw new UsageError(`LIVEKIT_URL='${shown}' holds a user:password@ part: remove it; the server's credentials go in LIVEKIT_API_KEY and LIVEKIT_API_SECRET`);
  if ((u.pathname !== '/' && u.pathname !== '') || u.search || u.hash) {
    throw new UsageError(`LIVEKIT_URL='${shown}' has text after the host (${u.pathname}${u.search}${u.hash}): give only scheme://host[:port]`);
  }
  return `${u.protocol.replace(/^http/, 'ws')}//${u.host}`;
}

/** The external server named by LIVEKIT_URL, or null when it is not set. */
export function externalFromEnv(env: NodeJS.ProcessEnv = process.env): { url: string; apiKey: string; apiSecret: string } | null {
  const raw = env.LIVEKIT_URL;
  if (!raw) return null;
  const url = parseLivekitUrl(raw.trim());
  const apiKey = env.LIVEKIT_API_KEY;
  const apiSecret = env.LIVEKIT_API_SECRET;
  if (!apiKey || !apiSecret) {
    throw new UsageError('LIVEKIT_URL is set but LIVEKIT_API_KEY or LIVEKIT_API_SECRET is not: set both, or unset LIVEKIT_URL to use a local server');
  }
  return { url, apiKey, apiSecret };
}

/** The real reason a request failed: fetch's "fetch failed" hides it in `cause` (ECONNREFUSED, "bad port", ...). */
export function failureCause(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const named: Record<string, string> = { ECONNREFUSED: 'connection refused', ENOTFOUND: 'no such host', EHOSTUNREACH: 'host unreachable', ENETUNREACH: 'network unreachable', ETIMEDOUT: 'timed out', ECONNRESET: 'connection reset' };
  if (cause?.code) return named[cause.code] ? `${named[cause.code]} (${cause.code})` : cause.code;
  return cause?.message ?? (err as Error).message;
}

/**
 * Checks that the external server answers within 10 s and accepts the credentials. Aborting
 * `signal` (Ctrl-C during the check) rejects at once with an InterruptedError.
 */
export async function connectExternal(ext: { url: string; apiKey: string; apiSecret: string }, signal?: AbortSignal): Promise<ServerHandle> {
  const httpUrl = ext.url.replace(/^ws/, 'http');
  const client = new RoomServiceClient(httpUrl, ext.apiKey, ext.apiSecret);
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HarnessError(`LiveKit server at ${ext.url} did not answer within ${ANSWER_TIMEOUT_MS / 1000} s`)), ANSWER_TIMEOUT_MS);
    onAbort = () => reject(new InterruptedError(`interrupted while checking the LiveKit server at ${ext.url}: nothing was measured`));
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([client.listRooms(), timeout]);
  } catch (err) {
    if (err instanceof HarnessError || err instanceof InterruptedError) throw err;
    const status = (err as { status?: number }).status;
    if (status === 401 || status === 403) {
      throw new HarnessError(`LiveKit server at ${ext.url} refused the credentials (HTTP ${status}): check LIVEKIT_API_KEY and LIVEKIT_API_SECRET`);
    }
    throw new HarnessError(`LiveKit server at ${ext.url} could not be reached: ${failureCause(err)}`);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
  return {
    mode: 'external',
    url: ext.url,
    apiKey: ext.apiKey,
    apiSecret: ext.apiSecret,
    version: null,
    pid: null,
    died: new Promise<string>(() => {}),
    async stop() {},
  };
}
