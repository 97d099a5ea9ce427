import { AgentDispatchClient } from 'livekit-server-sdk';
import type { ServerHandle } from '../../server/types.js';
import { waitFor } from '../../common/wait.js';
import type { DispatchMeta } from './messages.js';

/** livekit.JobStatus JS_FAILED (livekit_agent.proto); livekit-server-sdk does not re-export the enum. */
const JOB_FAILED = 3;

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

  /** Creates the dispatch; resolves with its id (to withdraw it before dispatching the room again). */
  async dispatch(room: string, meta: DispatchMeta): Promise<string> {
    const d = await this.client.createDispatch(room, this.agentName, { metadata: JSON.stringify(meta) });
    return d.id;
  }

  /** Withdraws a dispatch whose agent never came, so a late job cannot add a second agent. */
  async withdraw(id: string, room: string): Promise<void> {
    await this.client.deleteDispatch(id, room);
  }

  /**
   * Whether a worker has accepted the dispatch's job: the server adds a job to the dispatch's state
   * once a worker answers its offer. Such a job is launching (a slow job process on a loaded
   * worker); a job that failed does not count.
   */
  async claimed(id: string, room: string): Promise<boolean> {
    const d = await this.client.getDispatch(id, room);
    return (d?.state?.jobs ?? []).some((j) => j.state?.status !== JOB_FAILED);
  }
}

/** What placeWithin needs: whether the agent is in, and how to withdraw and create a dispatch. */
export interface Placement {
  /** Whether the room is placed: its agent is in, or a worker has accepted its job (a job is never withdrawn). */
  arrived(): boolean;
  /** Asked once a wait has run out, before withdrawing: whether a worker has accepted the job after all. */
  claimed?(id: string): Promise<boolean>;
  withdraw(id: string): Promise<void>;
  dispatch(): Promise<string>;
  /** Called at each re-dispatch (to record it). */
  onRetry(): void;
  /** Whether to give up (the run is stopping). */
  stopping(): boolean;
}

/**
 * Waits up to `boundMs` for a room's agent; when it has not come (no worker was registered when
 * the server got the dispatch, an offer was lost), withdraws the dispatch and dispatches the room
 * again, as an application watching its agent would, up to `maxRetries` times. A dispatch whose job
 * a worker has accepted counts as placed: deleting it makes the server terminate that job.
 * Resolves true once the room is placed; false when its agent never came or the run stopped.
 */
export async function placeWithin(p: Placement, firstId: string, boundMs: number, maxRetries: number, signal: AbortSignal): Promise<boolean> {
  let id = firstId;
  for (let n = 0; ; n++) {
    if (await waitFor(() => p.arrived(), boundMs, signal)) return true;
    if (signal.aborted || p.stopping()) return false;
    if (p.claimed && (await p.claimed(id).catch(() => false))) return true;
    if (n === maxRetries) return false;
    await p.withdraw(id).catch(() => undefined);
    p.onRetry();
    id = await p.dispatch();
  }
}
