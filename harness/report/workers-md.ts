/**
 * summary.md's section on agent workers: the pool, what each worker said of itself beside what it
 * used, health answers, dispatch, the drills and the grace period. Pure: RunResult['workers'] → lines.
 */
import type { Spread } from '../results/stats.js';
import type { SoakPoint, WorkersResult } from '../results/workers.js';
import { judgeLeak } from '../capacity/leak.js';

const NA = 'n/a';
const f = (x: number | null | undefined, d = 2): string => (x == null ? NA : x.toFixed(d));
const mb = (b: number | null | undefined): string => (b == null ? NA : `${(b / 1024 ** 2).toFixed(0)} MB`);
const msSpread = (s: Spread): string => (s.p50 === null ? NA : `p50 ${s.p50.toFixed(0)} / p95 ${f(s.p95, 0)} / max ${f(s.max, 0)} ms`);

function poolTable(w: WorkersResult): string[] {
  const rows = w.perWorker.map((p) => {
    const load = p.load ? `${f(p.load.reported)} / ${f(p.load.treeShare)} / ${f(p.load.hostShare)}` : 'not reported';
    const h = p.health;
    const health = `${h.ok}/${h.probes} OK${h.notOk ? `, ${h.notOk} not OK` : ''}${h.unreachable ? `, ${h.unreachable} no answer` : ''}; ${msSpread(h.latencyMs)}`;
    const exit = p.exit ? `${p.exit.code ?? p.exit.signal} at ${p.exit.atS.toFixed(1)} s` : 'running';
    return `| ${p.index} | ${p.jobs} | ${p.accepted}/${p.requests} | ${p.admittedOverThreshold} (${p.admittedWhileReportedFull}) | ${load} | ${health} | ${f(p.readyS, 1)} s | ${p.registeredS == null ? 'not logged' : `${f(p.registeredS, 1)} s`} | ${exit} |`;
  });
  return [
    '| worker | jobs | accepted / offered | admitted over threshold (while reported full) | load: reported / own CPU share / host CPU share (means) | health `/` | ready after | registered after | exit |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ];
}

function jobsTable(w: WorkersResult): string[] {
  const head = `| t (s) | ${w.perWorker.map((p) => `worker ${p.index}`).join(' | ')} |`;
  const rule = `|---|${w.perWorker.map(() => '---').join('|')}|`;
  return [head, rule, ...w.jobsOverTime.rows.map((r) => `| ${r.tS} | ${r.perWorker.join(' | ')} |`)];
}

function costLines(w: WorkersResult): string[] {
  const fixed = w.perWorker.map((p) => `worker ${p.index}: own ${f(p.fixed.mainCpu)} cores ${mb(p.fixed.mainPss)}, inference ${f(p.fixed.inferenceCpu)} cores ${mb(p.fixed.inferencePss)}, ${f(p.fixed.idleProcesses, 1)} idle job processes ${mb(p.fixed.idlePss)}`);
  return [
    `- Per running job: ${f(w.perJob.cpuCores, 3)} cores, ${mb(w.perJob.pssBytes)} PSS (${w.perJob.basis}).`,
    `- Fixed per worker: ${f(w.fixedPerWorker.cpuCores, 3)} cores, ${mb(w.fixedPerWorker.pssBytes)} PSS (${w.fixedPerWorker.basis}).`,
    ...fixed.map((l) => `  - ${l}`),
  ];
}

function drillLines(w: WorkersResult): string[] {
  const out: string[] = [];
  const d = w.drain;
  if (d) {
    out.push(
      `- **Rollout** (SIGINT to worker ${d.worker} at ${d.atS.toFixed(1)} s): ${d.sessionsRunning} sessions running; ${d.completed} ran to their end, ${d.cut} cut; ` +
        `${d.newJobsAfter} new jobs taken after SIGINT; drain time ${d.drainS === null ? 'not measured (still running at the end)' : `${d.drainS.toFixed(1)} s`} ` +
        `(last session ended ${f(d.lastSessionEndS, 1)} s after SIGINT, overhead ${f(d.overheadS, 1)} s); exit ${d.exit ? (d.exit.code ?? d.exit.signal) : NA}.`,
    );
  }
  const k = w.failover;
  if (k) {
    out.push(
      `- **Failover** (SIGKILL to worker ${k.worker}'s process group at ${k.atS.toFixed(1)} s): ${k.lost} sessions lost; ${k.redispatched} re-dispatched, new agent in the room after ${msSpread(k.redispatchToAgentMs)}` +
        `${k.redispatchUnanswered ? ` (${k.redispatchUnanswered} never answered)` : ''}; ${k.newRoomsAfter} new rooms afterwards, ${k.newRoomsOnKilled} on the killed worker; ${k.survivors} of its processes survived.`,
    );
  }
  return out;
}

/** The soak's verdicts: the workers' own memory and a busy job process, each against completed sessions. */
function leakLines(points: SoakPoint[]): string[] {
  return [
    `- Workers' own memory (main and inference processes; idle job processes and Python's forkserver left out): ${judgeLeak(points, 'worker').text}.`,
    `- A busy job process: ${judgeLeak(points, 'job').text}.`,
    `- ${points.length} completed sessions; each point is the memory right after a session ended (chart: memory-vs-sessions.svg).`,
  ];
}

/** The workers section of summary.md. */
export function workersSection(w: WorkersResult): string[] {
  const d = w.dispatch;
  return [
    '## Agent workers',
    '',
    ...(w.warning ? [`> **Warning:** ${w.warning}.`, ''] : []),
    `${w.workers} ${w.runtime === 'framework' ? '@livekit/agents worker(s)' : w.runtime === 'python' ? 'LiveKit Agents for Python worker(s)' : 'worker(s) of your own command'}, agent name \`${w.agentName}\`, load function ${w.loadFunc}, load threshold ${w.loadThreshold}, arrivals ${w.arrival}. All figures measured on this host.`,
    '',
    ...poolTable(w),
    '',
    ...w.perWorker.flatMap((p) => p.logErrors.map((e) => `- worker ${p.index} logged an error ${e.count}×: "${e.message.replace(/[|\n]/g, ' ')}"`)),
    '',
    "Reported load is what the worker sent the server (framework workers only). LiveKit's default load function reads the whole host's CPU, so on a shared host a worker can report itself full while using little itself.",
    '',
    '### Jobs per worker over time',
    '',
    ...jobsTable(w),
    '',
    '### Cost',
    '',
    ...costLines(w),
    '',
    '### Dispatch',
    '',
    `- ${d.dispatched} rooms dispatched (${d.failed} failed), first to last ${f(d.firstToLastS, 1)} s apart.`,
    `- Dispatch to job start: ${msSpread(d.toJobMs)}; dispatch to agent in the room: ${msSpread(d.toAgentInRoomMs)}.`,
    `- Rooms whose agent was not in within ${d.placement.boundS} s, dispatched again: ${d.placement.redispatchedRooms} (${d.placement.redispatches} re-dispatches; first dispatch to agent in ${msSpread(d.placement.toAgentMs)}; never placed: ${d.placement.neverPlaced}).`,
    `- Offers refused by a worker: ${w.routing.refusedOffers}; sessions the server re-routed to another worker: ${w.routing.reroutedSessions} (refusal to acceptance ${msSpread(w.routing.rerouteMs)}); refused everywhere: ${w.routing.unplaced}.`,
    ...(w.drain || w.failover ? ['', '### Drills', '', ...drillLines(w)] : []),
    ...(w.soak ? ['', '### Does it leak? (memory per completed session)', '', ...leakLines(w.soak.points)] : []),
    '',
    '### Grace period',
    '',
    `- terminationGracePeriod: ${w.grace.recommendedS === null ? NA : `at least ${w.grace.recommendedS} s`} — ${w.grace.basis}.`,
  ];
}
