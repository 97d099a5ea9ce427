import { AccessToken, TrackSource } from 'livekit-server-sdk';
import type { ServerHandle } from './types.js';

/** Token lifetime: long enough to join during a ramp; the server refreshes it for connected clients. */
export const TOKEN_TTL_S = 5 * 60;

/**
 * A least-privilege join token: this one room, publish a microphone track only, subscribe, no data, no admin,
 * no metadata updates, short-lived.
 */
export async function mintJoinToken(server: Pick<ServerHandle, 'apiKey' | 'apiSecret'>, room: string, identity: string): Promise<string> {
  const token = new AccessToken(server.apiKey, server.apiSecret, { identity, ttl: TOKEN_TTL_S });
  token.addGrant({
    room,
    roomJoin: true,
    canPublish: true,
    canPublishSources: [TrackSource.MICROPHONE],
    canSubscribe: true,
    canPublishData: false,
    canUpdateOwnMetadata: false,
  });
  return token.toJwt();
}
