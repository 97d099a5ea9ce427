import { epochNow } from '../../media/clock.js';
import { sleep } from '../../common/wait.js';
import type { DrilledFleet as WorkerFleet } from './drilled-fleet.js';

/** Time allowed for the killed group to be gone before its survivors are recorded. */
const KILL_SETTLE_MS = 2_000;

/**
 * The worker a drill hits: the live one running the most of our jobs (lowest index on a tie), so
 * the drill has sessions to drain or lose.
 */
export function drillTarget(running: { worker: number; alive: boolean; jobs: number }[]): number | null {
  const live = running.filter((r) => r.alive);
  if (!live.length) return null;
  return live.reduce((best, r) => (r.jobs > best.jobs ? r : best)).worker;
}

/**
 * rollout: SIGINT to one worker's main process, as a rolling deploy does (LiveKit's workers then
 * drain: report themselves full, take no new job, let running jobs finish, exit). Its exit time is
 * recorded by the fleet; the summary measures the drain from these two times.
 *
 * failover: SIGKILL to the worker's whole process group (a crashed host or container: the worker,
 * its inference process and its job processes die together). Its running sessions are lost; each
 * lost room is dispatched again at once, as an app watching for its agent would, and the time
 * until a new agent is in the room is recorded.
 */
export async function runDrill(fleet: WorkerFleet, kind: 'rollout' | 'failover'): Promise<void> {
  const target = drillTarget(fleet.workers.map((w) => ({ worker: w.spec.index, alive: w.alive, jobs: fleet.wbook.running(w.spec.index).length })));
  if (target === null) {
    fleet.emit('warning', `${kind} drill: no live worker to drill`);
    return;
  }
  const w = fleet.workers[target]!;
  const rec = fleet.wbook.workers[target]!;
  const running = fleet.wbook.running(target);
  fleet.expectedExit.add(target);
  rec.drill = { kind, at: epochNow(), sessionsRunning: running.map((s) => s.session) };
  if (kind === 'rollout') {
    w.signal('SIGINT');
    return;
  }
  w.killGroup();
  for (const s of running) {
    s.lost = true;
    fleet.markEnded(s.session, rec.drill.at);
  }
  await Promise.all(running.map((s) => fleet.redispatch(s.session).catch((err: Error) => fleet.emit('warning', `session ${s.session}: re-dispatch failed: ${err.message}`))));
  await sleep(KILL_SETTLE_MS);
  const survivors = w.members();
  if (survivors.length) {
    rec.survivors.push(...survivors);
    fleet.emit('warning', `failover drill: ${survivors.length} process(es) of worker ${target} survived SIGKILL of its group`);
    w.killGroup();
  }
}
