import type { SessionBook } from '../../sessions/book.js';
import type { HealthProbe } from './health.js';
import type { WorkerReport } from './messages.js';
import type { WorkerRecord, WorkerSession, WorkerUsage } from './types.js';

/**
 * Plain bookkeeping for a worker pool: what each worker and each session's job did, from the
 * report socket, the health probes, the sampler and the drills. Agent measurements (joins, VAD,
 * stats) are passed on to the SessionBook, as a bare agent's IPC messages are.
 */
export class WorkerBook {
  readonly workers: WorkerRecord[] = [];
  private readonly sessions = new Map<number, WorkerSession>();

  constructor(private readonly book: SessionBook) {}

  addWorker(index: number, pid: number | null, healthPort: number, startedAt: number): WorkerRecord {
    const w: WorkerRecord = { index, pid, healthPort, startedAt, readyAt: null, registeredAt: null, exit: null, loads: [], requests: [], health: [], usage: [], drill: null, survivors: [], logErrors: [] };
    this.workers[index] = w;
    return w;
  }

  addSession(session: number, room: string): WorkerSession {
    const s: WorkerSession = { session, room, dispatchAt: null, dispatchError: null, worker: null, jobPid: null, jobAt: null, joinedAt: null, userLeftAt: null, endedAt: null, endReason: null, lost: false, redispatch: null, retries: [] };
    this.sessions.set(session, s);
    return s;
  }

  session(index: number): WorkerSession | undefined {
    return this.sessions.get(index);
  }

  allSessions(): WorkerSession[] {
    return [...this.sessions.values()].sort((a, b) => a.session - b.session);
  }

  /** Whether a worker accepted a job offer for `session` at or after `since` (epoch ms): the job is launching. */
  acceptedSince(session: number, since: number): boolean {
    return this.workers.some((w) => w?.requests.some((r) => r.session === session && r.accepted && r.at >= since));
  }

  /** Sessions whose job runs on `worker` now (started, not ended, not lost). */
  running(worker: number): WorkerSession[] {
    return this.allSessions().filter((s) => s.worker === worker && s.jobAt !== null && s.endedAt === null && !s.lost);
  }

  /** Each session whose job process runs one of our jobs now, with that process's pid. */
  runningJobs(): { session: number; pid: number }[] {
    return this.allSessions().flatMap((s) => (s.jobPid !== null && s.endedAt === null && !s.lost ? [{ session: s.session, pid: s.jobPid }] : []));
  }

  /** Pids of job processes running one of our jobs now. */
  busyPids(): Set<number> {
    return new Set(this.runningJobs().map((j) => j.pid));
  }

  health(p: HealthProbe): void {
    this.workers[p.worker]?.health.push(p);
  }

  usage(worker: number, u: WorkerUsage): void {
    this.workers[worker]?.usage.push(u);
  }

  /** One line from the report socket. A lost session's second job (its re-dispatch) is kept apart. */
  report(r: WorkerReport): void {
    const w = this.workers[r.worker];
    if (r.type === 'load') return void w?.loads.push({ at: r.at, load: r.load, activeJobs: r.activeJobs });
    if (r.type === 'request') return void w?.requests.push({ at: r.at, session: r.session, load: r.load, activeJobs: r.activeJobs ?? null, accepted: r.accepted });
    const s = this.sessions.get(r.session);
    if (!s) return;
    if (s.lost) {
      this.redispatched(s, r);
      // Lost before its first agent joined: the re-dispatched agent is the only one the user ever met,
      // so the session is measured from it (else a session that did join counts as never joined).
      if (r.type === 'agent' && s.joinedAt === null) this.book.fromAgent(r.session, r.msg);
      return;
    }
    switch (r.type) {
      case 'job':
        Object.assign(s, { worker: r.worker, jobPid: r.pid, jobAt: r.at });
        break;
      case 'job-end':
        Object.assign(s, { endedAt: r.at, endReason: r.reason });
        break;
      case 'agent':
        if (r.msg.type === 'joined') s.joinedAt = r.msg.at;
        this.book.fromAgent(r.session, r.msg);
        break;
    }
  }

  private redispatched(s: WorkerSession, r: WorkerReport): void {
    if (!s.redispatch) return;
    if (r.type === 'job') s.redispatch.worker = r.worker;
    if (r.type === 'agent' && r.msg.type === 'joined') s.redispatch.joinedAt = r.msg.at;
  }
}
