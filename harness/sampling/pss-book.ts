/**
 * When a process's PSS is read again, and what it is between reads. Pure: the caller reads
 * smaps_rollup when {@link PssBook.due} says so and hands the result to {@link PssBook.record}.
 */

/** Options of {@link PssBook}. */
export interface PssPolicy {
  /** A process's PSS is read again at least this often, ms (0: every sample). */
  everyMs: number;
  /** ...and sooner when its RSS has moved by more than this fraction of its RSS at the last read, */
  rssChange: number;
  /** ...or the number of processes sampled with it has, since its last read, by more than this fraction. */
  populationChange: number;
}

/** One process's memory at its last smaps_rollup read. */
interface Reading {
  /** null: smaps_rollup unreadable (another user's process, or a kernel without it). */
  pss: number | null;
  rss: number;
  /** Processes sampled at the time of the read: their pages are what this one's are shared with. */
  population: number;
  /** When the next read is due at the latest, ms (monotonic). */
  dueMs: number;
}

/** The policy the procfs sampler uses unless told otherwise: every 60 s, or when RSS or the population moved by 10 %. */
export const PSS_POLICY: Readonly<PssPolicy> = { everyMs: 60_000, rssChange: 0.1, populationChange: 0.1 };

/**
 * First readings are spread over this many cohorts of the interval by pid, so processes that
 * started together (a ramp step) are not all read again in one costly sample.
 */
const COHORTS = 30;

/**
 * Each process's last PSS reading, by a key that names the process (pid and start time).
 *
 * Between reads a process's PSS is estimated as its RSS now times its PSS/RSS at the last read:
 * the share of its resident pages that is its own is carried forward, RSS (read every sample)
 * carries the change. That share changes when the processes it shares pages with come and go
 * (measured: idle node processes, 10 → 40 of them, RSS unchanged, PSS −23 %), so a read is due
 * once the interval has passed, or as soon as its RSS or the number of processes sampled moved by
 * more than their fraction since the read, or for a process never read before.
 */
export class PssBook {
  private readonly readings = new Map<string, Reading>();

  constructor(private readonly policy: PssPolicy) {}

  /** Whether smaps_rollup should be read for this process now. */
  due(key: string, now: { rss: number; population: number }, atMs: number): boolean {
    const r = this.readings.get(key);
    if (r === undefined || atMs >= r.dueMs) return true;
    if (Math.abs(now.population - r.population) > this.policy.populationChange * r.population) return true;
    return Math.abs(now.rss - r.rss) > this.policy.rssChange * r.rss;
  }

  /** Keeps an exact reading taken at `atMs`; `pid` places a first reading in its cohort. */
  record(key: string, pid: number, reading: { pss: number | null; rss: number; population: number }, atMs: number): void {
    const first = !this.readings.has(key);
    // A first reading is due early by (pid mod COHORTS)/COHORTS of the interval.
    const early = first ? ((pid % COHORTS) * this.policy.everyMs) / COHORTS : 0;
    this.readings.set(key, { ...reading, dueMs: atMs + this.policy.everyMs - early });
  }

  /** The process's PSS at this RSS from its last reading; null when it was unreadable or never read. */
  estimate(key: string, rss: number): number | null {
    const r = this.readings.get(key);
    if (r === undefined || r.pss === null) return null;
    if (r.rss <= 0) return r.pss;
    return Math.round((rss * r.pss) / r.rss);
  }

  /** Drops the readings of processes for which `alive` is false. */
  forget(alive: (key: string) => boolean): void {
    for (const key of this.readings.keys()) if (!alive(key)) this.readings.delete(key);
  }
}
