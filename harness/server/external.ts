import { RoomServiceClient } from 'livekit-server-sdk';
import { HarnessError, UsageError } from '../common/errors.js';
import type { ServerHandle } from './types.js';

const ANSWER_TIMEOUT_MS = 10_000;

/** The external server named by LIVEKIT_URL, or null when it is not set. */
export function externalFromEnv(env: NodeJS.ProcessEnv = process.env): { url: string; apiKey: string; apiSecret: string } | null {
  const url = env.LIVEKIT_URL;
  if (!url) return null;
  if (!/^(wss?|https?):\/\/[^/\s]+/.test(url)) {
    throw new UsageError(`LIVEKIT_URL='${url}' is not a ws://, wss://, http:// or https:// URL`);
  }
  const apiKey = env.LIVEKIT_API_KEY;
  const apiSecret = env.LIVEKIT_API_SECRET;
  if (!apiKey || !apiSecret) {
    throw new UsageError('LIVEKIT_URL is set but LIVEKIT_API_KEY or LIVEKIT_API_SECRET is not: set both, or unset LIVEKIT_URL to use a local server');
  }
  return { url: url.replace(/^http/, 'ws'), apiKey, apiSecret };
}

/** Checks that the external server answers within 10 s and accepts the credentials. */
export async function connectExternal(ext: { url: string; apiKey: string; apiSecret: string }): Promise<ServerHandle> {
  const httpUrl = ext.url.replace(/^ws/, 'http');
  const client = new RoomServiceClient(httpUrl, ext.apiKey, ext.apiSecret);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HarnessError(`LiveKit server at ${ext.url} did not answer within ${ANSWER_TIMEOUT_MS / 1000} s`)), ANSWER_TIMEOUT_MS);
  });
  try {
    await Promise.race([client.listRooms(), timeout]);
  } catch (err) {
    if (err instanceof HarnessError) throw err;
    const status = (err as { status?: number }).status;
    if (status === 401 || status === 403) {
      throw new HarnessError(`LiveKit server at ${ext.url} refused the credentials (HTTP ${status}): check LIVEKIT_API_KEY and LIVEKIT_API_SECRET`);
    }
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    throw new HarnessError(`LiveKit server at ${ext.url} could not be reached: ${cause ?? (err as Error).message}`);
  } finally {
    clearTimeout(timer);
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
