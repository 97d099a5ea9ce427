import { AccessToken, TrackSource } from 'livekit-server-sdk';
import type { ServerHandle } from './types.js';

/** Token lifetime: long enough to join during a ramp; the server refreshes it for connected clients. */
export const TOKEN_TTL_S = 5 * 60;

/** Exceptions to the least-privilege default, each for a participant that needs it. */
export interface JoinTokenOptions {
  /** Data messages: only the human room's agent, which sends its VAD events to the page. */
  canPublishData?: boolean;
  /** Lifetime in seconds; default TOKEN_TTL_S. */
  ttlS?: number;
}

/**
 * A least-privilege join token: this one room, publish a microphone track only, subscribe, no data (unless
 * asked for), no admin, no metadata updates, short-lived.
 */
export async function mintJoinToken(server: Pick<ServerHandle, 'apiKey' | 'apiSecret'>, room: string, identity: string, opts: JoinTokenOptions = {}): Promise<string> {
  const token = new AccessToken(server.apiKey, server.apiSecret, { identity, ttl: opts.ttlS ?? TOKEN_TTL_S });
  token.addGrant({
    room,
    roomJoin: true,
    canPublish: true,
    canPublishSources: [TrackSource.MICROPHONE],
    canSubscribe: true,
    canPublishData: opts.canPublishData ?? false,
    canUpdateOwnMetadata: false,
  });
  return token.toJwt();
}
