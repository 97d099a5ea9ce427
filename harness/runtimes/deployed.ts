/**
 * The `deployed` runtime: the agents are workers you deployed yourself (k8s/deployment.yaml, or any
 * LiveKit worker) and that registered with the server of LIVEKIT_URL under `--agent-name`. The
 * harness starts no worker: it dispatches each room to that name and hosts the users, as your
 * application would. The workers run elsewhere, so this host does not sample them (read them as the
 * cluster does with --agents-prometheus). The reference worker image, which has no report socket
 * there, sends what each job measured to its user over LiveKit; the users pass it on.
 */
import { EventEmitter } from 'node:events';
import pLimit from 'p-limit';
import { GeneratorPool } from '../sessions/generators.js';
import { awaitJoin, STATS_EVERY_MS } from '../sessions/join.js';
import { mintJoinToken } from '../server/tokens.js';
import type { AgentRuntime, JobPid, RuntimeContext, RuntimeResultPart } from './types.js';
import { Dispatcher, placeWithin } from './workers/dispatch.js';
import type { DispatchMeta } from './workers/messages.js';
import { PLACE_BOUND_MS } from './workers/pool.js';

/** Re-dispatches of one room whose agent is late, before it is left to time out. */
const MAX_RETRIES = 3;

/** Sessions placed on workers deployed apart from the run, by explicit dispatch to their agent name. */
export class DeployedRuntime extends EventEmitter implements AgentRuntime {
  readonly kind = 'deployed' as const;
  private readonly generators: GeneratorPool;
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly dispatcher: Dispatcher;
  private stopping = false;

  constructor(private readonly ctx: RuntimeContext) {
    super();
    const name = ctx.scenario.pool.agentName;
    if (!name) throw new Error('the deployed runtime needs an agent name');
    this.limit = pLimit(ctx.scenario.joinConcurrency);
    this.generators = new GeneratorPool(ctx.scenario.usersPerGenerator, ctx.speechPath, ctx.book, (w) => this.emit('warning', w), STATS_EVERY_MS);
    this.dispatcher = new Dispatcher(ctx.server, name);
  }

  /** The workers are already up (that is the deployment's business): nothing to start. */
  async start(): Promise<void> {}

  /** Starts sessions [from, to), each bounded by joinConcurrency. */
  async launch(from: number, to: number, signal: AbortSignal): Promise<void> {
    const jobs = [];
    for (let i = from; i < to; i++) jobs.push(this.limit(() => (signal.aborted || this.stopping ? undefined : this.launchOne(i, signal))));
    await Promise.all(jobs);
  }

  private async launchOne(i: number, signal: AbortSignal): Promise<void> {
    const { server, scenario, book, runId } = this.ctx;
    const room = `${runId}-s${i}`;
    const rec = book.add(i, room);
    const meta: DispatchMeta = { session: i, userIdentity: `user-${i}`, agentIdentity: `agent-${i}`, toneHz: scenario.toneHz };
    const token = await mintJoinToken(server, room, meta.userIdentity);
    let id: string;
    try {
      id = await this.dispatcher.dispatch(room, meta);
    } catch (err) {
      rec.errors.push(`dispatch: ${(err as Error).message}`);
      this.emit('warning', `session ${i}: dispatch to agent name ${this.dispatcher.agentName} failed: ${(err as Error).message}`);
      return;
    }
    // Your worker names its own agents: the user listens to any agent in its room.
    this.generators.addUser({ index: i, url: server.url, token, agentIdentity: '', toneHz: scenario.toneHz, agentReports: true });
    await placeWithin({
      arrived: () => rec.agentJoinedAt !== null,
      // The workers are not ours to watch: the server says whether one of them took the job.
      claimed: (d) => this.dispatcher.claimed(d, room),
      withdraw: (d) => this.dispatcher.withdraw(d, room),
      dispatch: () => this.dispatcher.dispatch(room, meta),
      onRetry: () => this.emit('warning', `session ${i}: no agent within ${PLACE_BOUND_MS / 1000} s; dispatched again (is a worker registered under ${this.dispatcher.agentName}?)`),
      stopping: () => this.stopping,
    }, id, PLACE_BOUND_MS, MAX_RETRIES, signal).catch((err: Error) => this.emit('warning', `session ${i}: re-dispatch failed: ${err.message}`));
    await awaitJoin(rec, signal, (w) => this.emit('warning', w));
  }

  /** Only the users run here; the agents are the deployment's. */
  pids(): { agents: number[]; generator: number[] } {
    return { agents: [], generator: this.generators.pids() };
  }

  jobPids(): JobPid[] {
    return [];
  }

  /** Users hang up; the deployed workers end their jobs as their rooms empty. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.limit.clearQueue();
    await this.generators.stop();
  }

  resultPart(): RuntimeResultPart {
    return {
      agentsElsewhere: `the agents ran in workers deployed apart from this run (agent name ${this.dispatcher.agentName}), not on this host; read them as the cluster does with --agents-prometheus URL --agents-match cadvisor:SELECTOR`,
      basisNote: `deployed runtime: rooms dispatched to agent name ${this.dispatcher.agentName}, whose workers this run did not start`,
    };
  }
}
