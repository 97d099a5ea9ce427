/**
 * summary.md's "What a person hears" section: the human room's figures, overall, against the load
 * ramp and over time. Pure: a function of the summary and the run's start time.
 */
import type { HumanSlice, HumanSummary } from '../results/human.js';
import type { Spread } from '../results/stats.js';

const NA = 'n/a';

function n(x: number | null | undefined, digits = 1, unit = ''): string {
  return x == null ? NA : `${x.toFixed(digits)}${unit}`;
}

function sp(s: Spread, unit = ' ms'): string {
  return `${n(s.p50, 1)} / ${n(s.p95, 1)} / ${n(s.max, 1)}${s.p50 == null ? '' : unit}`;
}

function after(at: number | null, startedAtMs: number): string {
  return at === null ? 'never' : `${((at - startedAtMs) / 1000).toFixed(1)} s after the run started`;
}

function who(h: HumanSummary): string {
  if (h.mode === 'human') return 'A person joined through the printed link.';
  return `The headless probe (Chromium ${h.browser?.version ?? 'unknown'}) played the speech fixture as its microphone for the whole run.`;
}

function overall(h: HumanSummary, startedAtMs: number): string[] {
  const { heard: x, vad: v } = h;
  const a = v.alignment;
  const rows = [
    `| Joined the room / first heard the agent | ${after(h.joinedAt, startedAtMs)} / ${after(h.firstAudioAt, startedAtMs)} |`,
    `| Level of the agent's tone | ${n(x.levelDbfs, 1, ' dBFS')} (the agent's clean tone reads ${n(x.sentLevelDbfs, 1, ' dBFS')}: peak level, as libwebrtc measures it) |`,
    `| Concealed samples (played as guesses) | ${n(x.concealedPct, 2, ' %')} of ${x.samplesReceived} samples; ${x.concealmentEvents} concealment events |`,
    `| Packets lost | ${x.packetsLost} (${n(x.lossPct, 2, ' %')}) |`,
    `| Jitter p50 / p95 / max | ${sp(x.jitterMs)} |`,
    `| Round trip p50 / p95 / max | ${sp(x.rttMs)} |`,
    `| Jitter buffer delay p50 / p95 / max | ${sp(x.jitterBufferMs)} |`,
    `| VAD events (starts and ends) the page received as data messages | ${v.dataMessages}, ${v.dataStarts} of them starts (the agent reported ${v.agentStarts} speech starts) |`,
  ];
  if (h.mode === 'probe') {
    rows.push(
      `| VAD: probe's speech onsets detected / expected | ${v.segmentsDetected} / ${v.segmentsExpected} |`,
      `| VAD onset lag p50 / p95 / max | ${sp(v.onsetLagMs)} |`,
    );
  }
  if (a) {
    rows.push(`| Onset alignment | ${a.onsetsFound} onsets found in the capture (${a.missed} not matched), phase score ${n(a.coarseScore, 2)}, ` +
      `loop period measured ${n(a.loopPeriodMs, 1, ' ms')}, capture-to-page delay p50 ${n(a.captureDelayMsP50, 1, ' ms')}` +
      `${a.usable ? '' : ' — **capture timestamps not on the page clock: no onset lag reported**'} |`);
  }
  if (h.browser?.cpuCores) {
    const b = h.browser;
    rows.push(`| Browser (all its processes) CPU mean / p95 | ${n(b.cpuCores?.mean, 2)} / ${n(b.cpuCores?.p95, 2)} cores; ` +
      `${b.pssBytes ? 'PSS' : 'RSS'} mean ${n(((b.pssBytes ?? b.rssBytes)?.mean ?? NaN) / 1024 ** 2, 0, ' MB')} |`);
  }
  const net = h.network;
  rows.push(`| Network | pair ${net.selectedPair ?? NA}; candidates ${net.candidateAddresses.join(', ') || NA}` +
    `${h.mode === 'probe' ? `; page requests to ${net.requestHosts.join(', ') || NA}` : ''}; ` +
    `${net.foreign.length ? `**outside the rule: ${net.foreign.join(', ')}**` : 'all loopback or the private namespace'} |`);
  return ['| Measure | Value |', '|---|---|', ...rows];
}

function sliceRow(first: string, s: HumanSlice): string {
  return `| ${first} | ${s.seconds} | ${n(s.levelDbfs)} | ${n(s.concealedPct, 2)} | ${n(s.lossPct, 2)} | ${n(s.jitterMsP95)} | ` +
    `${n(s.rttMsP95)} | ${n(s.onsetLagMs.p50, 0)} (${s.onsetLagMs.n}) |`;
}

const SLICE_HEAD = '| Seconds | Level dBFS | Concealed % | Loss % | Jitter p95 ms | RTT p95 ms | Onset lag p50 ms (n) |';

/** The section's lines. */
export function humanSection(h: HumanSummary, startedAtMs: number): string[] {
  const lines = [
    '## What a person hears (measured)',
    '',
    `${who(h)} Basis: ${h.basis}. Per-second figures are in \`human.jsonl\`. The human room is not one of the ` +
      'load sessions: its agent and browser are left out of the role and per-session figures above, but are in the whole-host figures.',
    '',
    ...overall(h, startedAtMs),
  ];
  if (h.vad.alignment) lines.push('', `Alignment: ${h.vad.alignment.uncertainty}.`);
  if (h.byLoad.length) {
    lines.push('', '### Against the load ramp', '', `| Load sessions ${SLICE_HEAD}`, '|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const s of h.byLoad) lines.push(sliceRow(String(s.activeSessions), s));
  }
  if (h.overTime.length) {
    lines.push('', '### Over time (10 s slices)', '', `| Run time s | Load sessions (max) ${SLICE_HEAD}`, '|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const s of h.overTime) lines.push(sliceRow(`${s.fromS.toFixed(0)}–${s.toS.toFixed(0)} | ${s.activeSessions}`, s));
  }
  if (h.errors.length) lines.push('', 'Problems in the human room:', '', ...h.errors.slice(0, 10).map((e) => `- ${e.replace(/\s*[\r\n]+\s*/g, ' ')}`));
  return lines;
}
