import type { AgentMessage, GeneratorMessage } from './ipc.js';
import type { QosMark, RunInput, SessionRecord } from '../results/types.js';

type GeneratorRecord = RunInput['generatorLoopDelay'][number];

/** Builds each session's record from what its agent and its user report. Plain bookkeeping. */
export class SessionBook {
  private readonly records = new Map<number, SessionRecord>();
  private readonly generators: GeneratorRecord[] = [];

  add(index: number, room: string): SessionRecord {
    const rec: SessionRecord = {
      index, room, agentJoinedAt: null, userJoinedAt: null, speech: null, sendEndAt: null,
      vadStarts: [], vadEnds: [], agentAudio: null, publishLate: null, agentPublishLate: null, vadInferMs: null, agentLoopDelay: null, atWindowStart: null, candidateAddrs: [], errors: [],
    };
    this.records.set(index, rec);
    return rec;
  }

  get(index: number): SessionRecord | undefined {
    return this.records.get(index);
  }

  all(): SessionRecord[] {
    return [...this.records.values()].sort((a, b) => a.index - b.index);
  }

  /** Sessions whose agent and user have both joined, and that have not ended. */
  active(): number {
    let n = 0;
    for (const r of this.records.values()) if (r.agentJoinedAt !== null && r.userJoinedAt !== null && r.endedAt == null) n++;
    return n;
  }

  /** Sessions that have ended (finite sessions, or a user that left). */
  ended(): number {
    let n = 0;
    for (const r of this.records.values()) if (r.endedAt != null) n++;
    return n;
  }

  fromAgent(index: number, m: AgentMessage): void {
    const rec = this.records.get(index);
    if (!rec) return;
    switch (m.type) {
      case 'joined': rec.agentJoinedAt = m.at; break;
      case 'vad': (m.kind === 'start' ? rec.vadStarts : rec.vadEnds).push(m.at); break;
      case 'stats': rec.agentPublishLate = m.publishLate; rec.vadInferMs = m.vadInferMs; rec.agentLoopDelay = m.loopDelay; break;
      case 'error': rec.errors.push(`agent: ${m.message}`); break;
      default: break;
    }
  }

  /** `generator` is the index of the generator process the message came from. */
  fromGenerator(m: GeneratorMessage, generator = 0): void {
    if (m.type === 'generator-stats') {
      const g = (this.generators[generator] ??= { latest: null, atWindowStart: null, clockNice: null });
      g.latest = m.loopDelay;
      g.clockNice = m.clockNice;
      return;
    }
    if (!('index' in m)) return;
    const rec = this.records.get(m.index);
    if (!rec) return;
    switch (m.type) {
      case 'user-joined': rec.userJoinedAt = m.at; break;
      case 'user-speech': rec.speech = { t0: m.t0, loopMs: m.loopMs }; break;
      case 'user-stats': rec.publishLate = m.publishLate; rec.agentAudio = m.agentAudio; rec.sendEndAt = m.lastSentAt; rec.publishDropped = m.publishDropped; break;
      case 'user-error': rec.errors.push(`user: ${m.message}`); break;
      case 'user-candidates': rec.candidateAddrs = m.addresses; break;
      // A byo agent says nothing to the harness: its user's sighting is its join.
      case 'user-agent': rec.agentJoinedAt ??= m.at; break;
      // A deployed worker's agent reports through its user (it has no report socket).
      case 'user-agent-report': this.fromAgent(m.index, m.msg); break;
      default: break;
    }
  }

  /** The measurement window opens: remember each session's histograms so QoS counts only what follows. */
  markWindowStart(): void {
    for (const r of this.records.values()) {
      r.atWindowStart = { publishLate: r.publishLate, agentPublishLate: r.agentPublishLate, vadInferMs: r.vadInferMs, agentLoopDelay: r.agentLoopDelay };
    }
    for (const g of this.generators) if (g) g.atWindowStart = g.latest;
  }

  /** Each generator's event-loop delay and clock threads' nice, by generator index. */
  generatorLoopDelays(): GeneratorRecord[] {
    return Array.from(this.generators, (g) => ({ latest: g?.latest ?? null, atWindowStart: g?.atWindowStart ?? null, clockNice: g?.clockNice ?? null }));
  }

  /** Everyone's cumulative counters now, for per-step quality. Cheap: it keeps references to immutable snapshots. */
  mark(elapsedMs: number): QosMark {
    const sessions: QosMark['sessions'] = {};
    for (const r of this.records.values()) {
      sessions[r.index] = {
        publishLate: r.publishLate, agentPublishLate: r.agentPublishLate, agentLoopDelay: r.agentLoopDelay,
        framesExpected: r.agentAudio?.framesExpected ?? 0, framesReceived: r.agentAudio?.framesReceived ?? 0, gapsOver100ms: r.agentAudio?.gapsOver100ms ?? 0,
        generatorStalls: r.agentAudio?.generatorStalls ?? 0, publishDropped: r.publishDropped ?? 0,
      };
    }
    return { elapsedMs, sessions, generators: Array.from(this.generators, (g) => g?.latest ?? null) };
  }

  /** Records a fault against every session matching `pick`. */
  fault(pick: (r: SessionRecord) => boolean, message: string): void {
    for (const r of this.records.values()) if (pick(r)) r.errors.push(message);
  }
}
