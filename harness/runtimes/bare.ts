import { EventEmitter } from 'node:events';
import pLimit from 'p-limit';
import type { AgentMessage, AgentStart, ChildStop } from '../sessions/ipc.js';
import { paths } from '../common/paths.js';
import { mintJoinToken } from '../server/tokens.js';
import { Child } from '../child/child.js';
import { GeneratorPool } from '../sessions/generators.js';
import { awaitJoin, STATS_EVERY_MS } from '../sessions/join.js';
import type { AgentRuntime, JobPid, RuntimeContext, RuntimeResultPart } from './types.js';

/**
 * The bare runtime: one agent process per session (as LiveKit runs one job per process, without a
 * worker around it) and the generator processes that host the users. Starts sessions on demand,
 * reports what they say into the SessionBook, stops them all. Emits 'warning' (string).
 */
export class BareRuntime extends EventEmitter implements AgentRuntime {
  readonly kind = 'bare' as const;
  private readonly agents: Child<AgentStart | ChildStop, AgentMessage>[] = [];
  /** Session index of each agent process, for jobPids(). */
  private readonly sessionOf = new Map<Child<AgentStart | ChildStop, AgentMessage>, number>();
  private readonly generators: GeneratorPool;
  private readonly limit: ReturnType<typeof pLimit>;
  private stopping = false;

  constructor(private readonly ctx: RuntimeContext) {
    super();
    this.limit = pLimit(ctx.scenario.joinConcurrency);
    this.generators = new GeneratorPool(ctx.scenario.usersPerGenerator, ctx.speechPath, ctx.book, (w) => this.emit('warning', w), STATS_EVERY_MS);
  }

  /** Nothing runs before the first session: each agent is started with its session. */
  async start(): Promise<void> {}

  /** Each live agent process is its session's job. */
  jobPids(): JobPid[] {
    return this.agents.flatMap((c) => (c.pid !== undefined && c.proc.exitCode === null ? [{ session: this.sessionOf.get(c) ?? -1, pid: c.pid }] : []));
  }

  /** The bare runtime adds nothing beyond the common figures. */
  resultPart(): RuntimeResultPart {
    return {};
  }

  /** Root pids per role, for the sampler. */
  pids(): { agents: number[]; generator: number[] } {
    const alive = (c: Child<unknown, { type: string }>) => (c.pid !== undefined && c.proc.exitCode === null ? [c.pid] : []);
    return { agents: this.agents.flatMap(alive), generator: this.generators.pids() };
  }

  /** Starts sessions [from, to): each waits for its agent and user to join (bounded concurrency). */
  async launch(from: number, to: number, signal: AbortSignal): Promise<void> {
    const jobs = [];
    for (let i = from; i < to; i++) jobs.push(this.limit(() => (signal.aborted || this.stopping ? undefined : this.launchOne(i, signal))));
    await Promise.all(jobs);
  }

  private async launchOne(i: number, signal: AbortSignal): Promise<void> {
    const room = `${this.ctx.runId}-s${i}`;
    const rec = this.ctx.book.add(i, room);
    const agentId = `agent-${i}`;
    const userId = `user-${i}`;
    const agent = new Child<AgentStart | ChildStop, AgentMessage>(paths.agentMain, agentId, (m) => {
      if (m.type === 'stopped') return;
      this.ctx.book.fromAgent(i, m);
      if (m.type === 'error') this.emit('warning', `agent ${i}: ${m.message}`);
    });
    this.agents.push(agent);
    this.sessionOf.set(agent, i);
    agent.onUnexpectedExit(`agent ${i}`, (msg) => {
      this.ctx.book.fault((r) => r.index === i, msg);
      this.emit('warning', msg);
    });
    if (this.ctx.confine && agent.pid !== undefined) {
      await this.ctx.confine(agent.pid).catch((err: Error) => {
        rec.errors.push(`agent could not be confined: ${err.message}`);
        this.emit('warning', `agent ${i}: could not be put in the target's cgroup: ${err.message}`);
      });
    }
    const { url } = this.ctx.server;
    agent.send({ type: 'start', url, token: await mintJoinToken(this.ctx.server, room, agentId), userIdentity: userId, toneHz: this.ctx.scenario.toneHz, modelPath: paths.sileroModel, statsEveryMs: STATS_EVERY_MS });
    const user = { index: i, url, token: await mintJoinToken(this.ctx.server, room, userId), agentIdentity: agentId, toneHz: this.ctx.scenario.toneHz };
    this.generators.addUser(user);
    await awaitJoin(rec, signal, (w) => this.emit('warning', w));
  }

  /** Stops users first (so they do not hear the agents leave as gaps), then agents. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.limit.clearQueue();
    await this.generators.stop();
    await Promise.all(this.agents.map((a) => a.stop()));
  }
}
