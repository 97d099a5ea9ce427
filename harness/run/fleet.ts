import { EventEmitter } from 'node:events';
import pLimit from 'p-limit';
import type { AgentMessage, AgentStart, ChildStop, GeneratorCommand, GeneratorMessage } from '../ipc.js';
import { paths } from '../paths.js';
import type { Scenario } from '../scenario/schema.js';
import { mintJoinToken } from '../server/tokens.js';
import type { ServerHandle } from '../server/types.js';
import { Child } from './child.js';
import type { SessionBook } from './sessions.js';
import { waitFor } from './wait.js';

const JOIN_TIMEOUT_MS = 45_000;
const STATS_EVERY_MS = 2_000;

/**
 * The run's participants: one agent process per session and the generator processes that host the
 * users. Starts sessions on demand, reports what they say into the SessionBook, stops them all.
 * Emits 'warning' (string) for faults worth showing.
 */
export class Fleet extends EventEmitter {
  private readonly agents: Child<AgentStart | ChildStop, AgentMessage>[] = [];
  private readonly generators: Child<GeneratorCommand, GeneratorMessage>[] = [];
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
  }

  /** Root pids per role, for the sampler. */
  pids(): { agents: number[]; generator: number[] } {
    const alive = (c: Child<unknown, { type: string }>) => (c.pid !== undefined && c.proc.exitCode === null ? [c.pid] : []);
    return { agents: this.agents.flatMap(alive), generator: this.generators.flatMap(alive) };
  }

  private generatorFor(index: number): Child<GeneratorCommand, GeneratorMessage> {
    const g = Math.floor(index / this.scenario.usersPerGenerator);
    let gen = this.generators[g];
    if (!gen) {
      gen = new Child<GeneratorCommand, GeneratorMessage>(paths.generatorMain, `generator-${g}`, (m) => {
        if (m.type === 'stopped') return;
        this.book.fromGenerator(m, g);
        if (m.type === 'user-error' || m.type === 'error') this.emit('warning', `generator ${g}: ${'index' in m ? `user ${m.index}: ` : ''}${m.message}`);
      });
      gen.onUnexpectedExit(`generator ${g}`, (msg) => {
        this.book.fault((r) => Math.floor(r.index / this.scenario.usersPerGenerator) === g, msg);
        this.emit('warning', msg);
      });
      gen.send({ type: 'init', speechPath: this.speechPath, statsEveryMs: STATS_EVERY_MS });
      this.generators[g] = gen;
    }
    return gen;
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
    this.generatorFor(i).send({ type: 'add-user', user });
    const joined = await waitFor(() => rec.agentJoinedAt !== null && rec.userJoinedAt !== null, JOIN_TIMEOUT_MS, signal);
    if (!joined && !signal.aborted) {
      const who = [rec.agentJoinedAt === null ? 'agent' : '', rec.userJoinedAt === null ? 'user' : ''].filter(Boolean).join(' and ');
      rec.errors.push(`${who} did not join within ${JOIN_TIMEOUT_MS / 1000} s`);
      this.emit('warning', `session ${i}: ${who} did not join within ${JOIN_TIMEOUT_MS / 1000} s`);
    }
  }

  /** Stops users first (so they do not hear the agents leave as gaps), then agents. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.limit.clearQueue();
    await Promise.all(this.generators.map((g) => g.stop()));
    await Promise.all(this.agents.map((a) => a.stop()));
  }
}
