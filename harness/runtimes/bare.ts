import { EventEmitter } from 'node:events';
import pLimit from 'p-limit';
import type { AgentMessage, AgentStart, ChildStop } from '../sessions/ipc.js';
import { paths } from '../common/paths.js';
import type { SessionRecord } from '../results/types.js';
import type { Scenario } from '../scenario/schema.js';
import { mintJoinToken } from '../server/tokens.js';
import type { ServerHandle } from '../server/types.js';
import { Child } from '../child/child.js';
import { GeneratorPool } from '../sessions/generators.js';
import type { SessionBook } from '../sessions/book.js';
import { waitFor } from '../common/wait.js';

const JOIN_TIMEOUT_MS = 45_000;
/** How often agents and users report their cumulative stats. */
export const STATS_EVERY_MS = 2_000;

/** Waits for a session's agent and user to join; a timeout is recorded against the session and warned about. */
export async function awaitJoin(rec: SessionRecord, signal: AbortSignal, warn: (message: string) => void): Promise<boolean> {
  const joined = await waitFor(() => rec.agentJoinedAt !== null && rec.userJoinedAt !== null, JOIN_TIMEOUT_MS, signal);
  if (!joined && !signal.aborted) {
    const who = [rec.agentJoinedAt === null ? 'agent' : '', rec.userJoinedAt === null ? 'user' : ''].filter(Boolean).join(' and ');
    rec.errors.push(`${who} did not join within ${JOIN_TIMEOUT_MS / 1000} s`);
    warn(`session ${rec.index}: ${who} did not join within ${JOIN_TIMEOUT_MS / 1000} s`);
  }
  return joined;
}

/**
 * The run's participants: one agent process per session and the generator processes that host the
 * users. Starts sessions on demand, reports what they say into the SessionBook, stops them all.
 * Emits 'warning' (string) for faults worth showing.
 */
export class Fleet extends EventEmitter {
  private readonly agents: Child<AgentStart | ChildStop, AgentMessage>[] = [];
  private readonly generators: GeneratorPool;
  private readonly limit: ReturnType<typeof pLimit>;
  private stopping = false;

  constructor(
    private readonly scenario: Scenario,
    private readonly server: ServerHandle,
    private readonly book: SessionBook,
    private readonly speechPath: string,
    private readonly runId: string,
    /** Called with each agent's pid before it starts work (e.g. to put it in the target's cgroup). */
    private readonly onAgentPid?: (pid: number) => Promise<void>,
  ) {
    super();
    this.limit = pLimit(scenario.joinConcurrency);
    this.generators = new GeneratorPool(scenario.usersPerGenerator, speechPath, book, (w) => this.emit('warning', w), STATS_EVERY_MS);
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
    const room = `${this.runId}-s${i}`;
    const rec = this.book.add(i, room);
    const agentId = `agent-${i}`;
    const userId = `user-${i}`;
    const agent = new Child<AgentStart | ChildStop, AgentMessage>(paths.agentMain, agentId, (m) => {
      if (m.type === 'stopped') return;
      this.book.fromAgent(i, m);
      if (m.type === 'error') this.emit('warning', `agent ${i}: ${m.message}`);
    });
    this.agents.push(agent);
    agent.onUnexpectedExit(`agent ${i}`, (msg) => {
      this.book.fault((r) => r.index === i, msg);
      this.emit('warning', msg);
    });
    if (this.onAgentPid && agent.pid !== undefined) {
      await this.onAgentPid(agent.pid).catch((err: Error) => {
        rec.errors.push(`agent could not be confined: ${err.message}`);
        this.emit('warning', `agent ${i}: could not be put in the target's cgroup: ${err.message}`);
      });
    }
    const { url } = this.server;
    agent.send({ type: 'start', url, token: await mintJoinToken(this.server, room, agentId), userIdentity: userId, toneHz: this.scenario.toneHz, modelPath: paths.sileroModel, statsEveryMs: STATS_EVERY_MS });
    const user = { index: i, url, token: await mintJoinToken(this.server, room, userId), agentIdentity: agentId, toneHz: this.scenario.toneHz };
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
