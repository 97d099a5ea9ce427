import { AgentDispatchClient } from 'livekit-server-sdk';
import type { ServerHandle } from '../../server/types.js';
import type { DispatchMeta } from './messages.js';

/**
 * Asks the server to send a room its agent: LiveKit's explicit dispatch (AgentDispatchService
 * CreateDispatch, which creates the room if needed). The server then offers the job to one of the
 * workers registered under `agentName`, weighted by their reported load, and re-offers it to
 * another when a worker does not accept. Uses the API key pair; it stays in the harness.
 */
export class Dispatcher {
  private readonly client: AgentDispatchClient;

  constructor(server: Pick<ServerHandle, 'url' | 'apiKey' | 'apiSecret'>, readonly agentName: string) {
    this.client = new AgentDispatchClient(server.url.replace(/^ws/, 'http'), server.apiKey, server.apiSecret);
  }

  async dispatch(room: string, meta: DispatchMeta): Promise<void> {
    await this.client.createDispatch(room, this.agentName, { metadata: JSON.stringify(meta) });
  }
}
