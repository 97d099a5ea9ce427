/**
 * A shard: one of N generator hosts running its share of a scenario's rooms and users. Pure: the
 * share of every count is decided here, so all shards and the merge agree on it.
 */
import { UsageError } from '../common/errors.js';
import type { Scenario } from './schema.js';

/** Shard `index` of `count` (0-based), as `--shard i/N` names it. */
export interface Shard { index: number; count: number }

/** Parses `i/N` (0 ≤ i < N); anything else is a UsageError naming the flag. */
export function parseShard(text: string, flag = '--shard'): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  if (!m) throw new UsageError(`${flag} '${text}': write i/N, e.g. 0/3 for the first of three shards`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index >= count) throw new UsageError(`${flag} '${text}': i must be from 0 to N-1 and N at least 1`);
  return { index, count };
}

/** Shard `index`'s part of `total` items dealt out as evenly as possible (the first shards take the remainder). */
export function shareOf(total: number, shard: Shard): number {
  return Math.floor(total / shard.count) + (shard.index < total % shard.count ? 1 : 0);
}

/**
 * The scenario as shard `shard` runs it: its share of the sessions (session g of the whole run is
 * shard g mod N's), launched on the whole ramp's timing (see launchPlan), so shards started at one
 * instant add up to the scenario's ramp. More shards than sessions is bad input.
 */
export function shardScenario(s: Scenario, shard: Shard): Scenario {
  if (s.sessions < shard.count) {
    throw new UsageError(`--shard ${shard.index}/${shard.count}: ${s.name} has ${s.sessions} sessions; use at most ${s.sessions} shards`);
  }
  if (s.stopAtKnee) throw new UsageError('--shard with --ramp: each shard would stop at its own knee; run the ramp on one host, or drop --ramp');
  return { ...s, sessions: shareOf(s.sessions, shard), shard: { ...shard, totalSessions: s.sessions } };
}

/** Start instant from `--start-at`: an ISO time (2026-11-30T10:00:00Z) or epoch milliseconds. */
export function parseStartAt(text: string): number {
  const ms = /^\d{12,}$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms)) throw new UsageError(`--start-at '${text}': give an ISO time such as 2026-11-30T10:00:00Z, or epoch milliseconds`);
  return ms;
}
