/**
 * summary.md: one run, for a human. Every figure says where it came from
 * (measured here, published elsewhere, or extrapolated), and a run on a host
 * smaller than the target says plainly that it is not the target's capacity.
 */
import { humanSection } from './human-md.js';
import { isSaturated, SATURATION_SHARE } from '../results/saturation.js';
import type { RoleSummary, RunResult } from '../results/types.js';
import { workersSection } from './workers-md.js';

/**
 * LiveKit's published load test, quoted for context; none of it is measured by this harness. Its
 * figures are the agents' own (the worker's processes), so only the agents are set beside them.
 */
const LIVEKIT = { sessions: 30, cores: 4, memGB: 8, usedCores: 3.8, usedGB: 2.8, page: 'https://docs.livekit.io/agents/deployment/' };

const NA = 'n/a';

function cores(x: number | null | undefined): string {
  return x == null ? NA : x.toFixed(2);
}

function mb(bytes: number | null | undefined): string {
  return bytes == null ? NA : (bytes / 1024 ** 2).toFixed(0);
}

function ms(x: number | null | undefined): string {
  return x == null ? NA : `${x.toFixed(1)} ms`;
}

/** Binary gigabytes with at most one decimal: "8", "7.7". */
function gb(bytes: number): string {
  return String(Math.round((bytes / 1024 ** 3) * 10) / 10);
}

function pct(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : NA;
}

/** Who heard the tone: of every joined session, or of the listening ones when the users were probes. */
function hearing(a: RunResult['qos']['agentAudio'], joined: number): string {
  const listening = a.sessionsListening ?? joined;
  if (listening === joined) return `${a.sessionsHearingTone} of ${joined} sessions hear it`;
  return `${a.sessionsHearingTone} of the ${listening} listening sessions hear it; the users of the other ${joined - listening} do not subscribe to their agent (generator probes)`;
}

/** Keeps free text (error messages, CPU models) from breaking the markdown structure. */
function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ').replace(/\|/g, '\\|');
}

function header(r: RunResult): string[] {
  const date = `${r.startedAt.slice(0, 16).replace('T', ' ')} UTC`;
  const lines = [`# voiceload: ${oneLine(r.scenario)} — ${date}`, ''];
  if (r.valid) {
    lines.push('**Verdict: valid** — none of the checks found a reason to distrust this run.');
  } else {
    lines.push('**Verdict: INVALID** — do not use these figures for capacity planning:', '');
    for (const reason of r.invalidReasons) lines.push(`- ${oneLine(reason)}`);
  }
  if (r.interrupted) lines.push('', 'The run was interrupted before its planned end.');
  return lines;
}

function setting(r: RunResult): string[] {
  const { host, target } = r;
  const lines = [
    `**Host:** ${host.cores} cores, ${gb(host.memoryBytes)} GB, ${oneLine(host.cpuModel)} ` +
      `(${oneLine(host.platform)} ${oneLine(host.kernel)}, node ${oneLine(host.node)})  `,
    `**Target:** ${target.cores} cores, ${gb(target.memoryBytes)} GB  `,
    `**Server:** ${r.server.mode}, version ${r.server.version ?? 'unknown'}; network: ${r.network.mode}  `,
    `**Sessions:** ${r.sessions.joined} of ${r.sessions.requested} joined; run ${r.durationS.toFixed(0)} s  `,
    `**Window:** ${oneLine(r.window.basis)} (${r.window.samples} samples)`,
  ];
  if (host.cores < target.cores || host.memoryBytes < target.memoryBytes) {
    lines.push(
      '',
      `> **Warning:** this host is smaller than the ${target.cores}-core / ${gb(target.memoryBytes)} GB target: ` +
        "the figures below are what this host measured and are not the target's capacity.",
    );
  }
  const mean = r.system?.cpuCores.mean;
  if (isSaturated(mean, host.cores)) {
    lines.push(
      '',
      `> **Saturation:** the run saturated this host's CPU: quality figures reflect an overloaded host ` +
        `(system CPU mean ${cores(mean)} of ${host.cores} cores, ≥ ${SATURATION_SHARE * 100} %).`,
    );
  }
  return lines;
}

function roleRow(name: string, s: RoleSummary): string {
  const { cpuCores: c, rssBytes: rss, pssBytes: pss } = s;
  return `| ${name} | ${cores(c.mean)} | ${cores(c.p95)} | ${cores(c.max)} | ${mb(rss.mean)} | ${mb(rss.max)} | ${mb(pss?.mean)} | ${mb(pss?.max)} |`;
}

function rolesSection(r: RunResult): string[] {
  const lines = ['## CPU and memory per role (measured)', ''];
  if (r.roles === null || r.system === null) return [...lines, 'No samples were taken: nothing was measured.'];
  lines.push(
    '| Role | CPU cores mean | p95 | max | RSS MB mean | max | PSS MB mean | max |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const [name, s] of Object.entries(r.roles)) {
    // Deployed agents are not this host's processes: their row holds no reading, not a zero.
    lines.push(name === 'agents' && r.agentsElsewhere ? '| agents | not on this host | | | | | | |' : roleRow(name, s));
  }
  const { cpuCores: c, memUsedBytes: m, scope } = r.system;
  const whole = scope ? `Whole container (CPU from ${scope.cpu === 'cgroup' ? 'its cgroup' : 'the machine'}, memory from ${scope.memory === 'cgroup' ? 'its cgroup' : 'the machine'})` : 'Whole host';
  lines.push(
    '',
    `${whole}: CPU cores mean ${cores(c.mean)}, p95 ${cores(c.p95)}, max ${cores(c.max)}; ` +
      `memory used mean ${mb(m.mean)} MB, max ${mb(m.max)} MB.`,
  );
  const { sampler: sm } = r;
  lines.push(
    `Sampler cost: wall ${ms(sm.wallMs?.mean)} mean / ${ms(sm.wallMs?.max)} max, ` +
      `CPU ${ms(sm.cpuMs?.mean)} mean / ${ms(sm.cpuMs?.max)} max; ` +
      `largest gap between samples ${ms(sm.maxIntervalMs)}.`,
  );
  return lines;
}

function perSessionSection(r: RunResult): string[] {
  const p = r.perSession;
  return [
    `## Per-session cost (${p.kind})`,
    '',
    `CPU ${cores(p.cpuCores)} cores, PSS ${mb(p.pssBytes)} MB, RSS ${mb(p.rssBytes)} MB per session.`,
    '',
    `Basis: ${oneLine(p.basis)}.`,
  ];
}

/** The agents' mean memory: PSS where measured, else RSS (which counts shared pages more than once). */
function agentsMemory(r: RunResult): { bytes: number; kind: 'PSS' | 'RSS' } | null {
  if (r.roles === null) return null;
  const a = r.roles.agents;
  return a.pssBytes !== null ? { bytes: a.pssBytes.mean, kind: 'PSS' } : { bytes: a.rssBytes.mean, kind: 'RSS' };
}

/** Why a linear projection to LiveKit's session count would not be trusted; null when it may be made. */
function noProjection(r: RunResult): string | null {
  if (r.perSession.cpuCores === null) return 'no per-session cost was measured';
  if (!r.valid) return 'the run is invalid';
  if (isSaturated(r.system?.cpuCores.mean, r.host.cores)) return "the run saturated this host's CPU, which caps its costs";
  return null;
}

function livekitSection(r: RunResult): string[] {
  const lk = LIVEKIT;
  const lines = [
    "## Beside LiveKit's published test (agents only, both sides)",
    '',
    `- LiveKit: ${lk.sessions} agents + ${lk.sessions} users on ${lk.cores} cores / ${lk.memGB} GB; the agents used ` +
      `~${lk.usedCores} cores and ~${lk.usedGB} GB (published by LiveKit, not measured here: ${lk.page}).`,
  ];
  const mem = agentsMemory(r);
  if (r.agentsElsewhere) {
    lines.push('- This run: its agents ran elsewhere and were not measured, nothing to set beside it.');
  } else if (r.roles === null || mem === null) {
    lines.push('- This run: no samples, nothing to set beside it.');
  } else {
    lines.push(
      `- This run (measured): ${r.sessions.joined} sessions on ${r.host.cores} cores / ${gb(r.host.memoryBytes)} GB; ` +
        `the agents used ${cores(r.roles.agents.cpuCores.mean)} cores (mean) and ${mb(mem.bytes)} MB ${mem.kind} ` +
        `(${(mem.bytes / 1024 ** 3).toFixed(2)} GB, mean); the generator and server are left out, as LiveKit's figure leaves them out.`,
    );
  }
  const per = r.perSession;
  const why = noProjection(r);
  if (why !== null) {
    lines.push(`- No projection to ${lk.sessions} sessions: ${why}.`);
  } else if (per.cpuCores !== null) {
    const n = lk.sessions;
    const memPer = per.pssBytes ?? per.rssBytes;
    const memText = memPer === null ? '' : `, ${mb(memPer * n)} MB ${per.pssBytes !== null ? 'PSS' : 'RSS'}`;
    lines.push(
      `- linear projection to ${n} sessions: ${cores(per.cpuCores * n)} cores${memText} ` +
        '(extrapolated from the measured per-session cost; agents only, not measured at that load).',
    );
  }
  return lines;
}

/** An onset-lag percentile: "> 1000 ms" when it fell on a missed onset. */
function lag(x: number | null, censored: boolean | undefined): string {
  return censored && x !== null ? `> ${x.toFixed(0)} ms` : ms(x);
}

/** What the generators' clock threads ran at (users/clock-priority.ts), after their publish lateness; '' when not recorded. */
function clockNice(q: RunResult['qos']): string {
  const seen = [...new Set(q.generatorClockNice ?? [])];
  if (seen.length === 0) return '';
  return `; the generator's clock threads at nice ${seen.map((n) => (n === null ? 'unknown' : String(n))).join(', ')}`;
}

function qosSection(r: RunResult): string[] {
  const { vad, agentAudio: a, publishLateMs: pl, agentPublishLateMs: apl } = r.qos;
  const late = (l: typeof pl): string => `${ms(l.p50)} / ${ms(l.p99)} (max ${ms(l.max)})`;
  return [
    '## Quality of service (measured)',
    '',
    '| Metric | Value |',
    '|---|---|',
    `| VAD segments detected / expected | ${vad.segmentsDetected} / ${vad.segmentsExpected} (${pct(vad.segmentsDetected, vad.segmentsExpected)}) |`,
    `| VAD onset lag p50 / p95 (misses count as > 1000 ms) | ${lag(vad.onsetLagMs.p50, vad.onsetLagMs.p50Censored)} / ${lag(vad.onsetLagMs.p95, vad.onsetLagMs.p95Censored)} |`,
    `| VAD inference per window p50 / p95 | ${ms(vad.inferMs.p50)} / ${ms(vad.inferMs.p95)} |`,
    `| Agent audio frames received / expected | ${a.framesReceived} / ${a.framesExpected} (${pct(a.framesReceived, a.framesExpected)}) |`,
    `| Agent audio gaps over 100 ms (the agents') | ${a.gapsOver100ms} (longest ${ms(a.maxGapMs)}) |`,
    `| Holes the generator's own stalls explain (not the agents') | ${a.generatorStalls ?? NA} |`,
    `| Agent tone ok (right tone in every listening session, no gap) | ${a.toneOk ? 'yes' : 'no'} (${hearing(a, r.sessions.joined)}) |`,
    `| User speech frames dropped (too late to send) | ${r.qos.publishDroppedFrames ?? NA} |`,
    `| User publish lateness p50 / p99 | ${late(pl)}${clockNice(r.qos)} |`,
    `| Agent publish lateness p50 / p99 | ${late(apl)} |`,
  ];
}

/** summary.md's text. */
export function renderSummary(result: RunResult): string {
  const sections = [
    header(result), setting(result), rolesSection(result), perSessionSection(result),
    livekitSection(result), qosSection(result),
    ...(result.human ? [humanSection(result.human, Date.parse(result.startedAt))] : []),
    ...(result.workers ? [workersSection(result.workers)] : []),
  ];
  return `${sections.map((s) => s.join('\n')).join('\n\n')}\n`;
}
