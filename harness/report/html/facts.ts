/**
 * report.html's run facts: whether the run can be trusted, and what it ran on, against what, and
 * over which samples. Plain HTML.
 */
import { hostLabel } from '../charts/common.js';
import type { ReportData } from '../types.js';
import { esc } from './escape.js';
import { fmt, kind } from './sections.js';

function gb(bytes: number): string {
  return `${fmt(bytes / 1024 ** 3, 1)} GB`;
}

function row(term: string, value: string): string {
  return `<dt>${esc(term)}</dt><dd>${value}</dd>`;
}

/** Validity, host, target, server, network, sessions, window, sampler and per-session cost. */
export function factsSection(d: ReportData): string {
  const r = d.result;
  const h = r.host;
  const validity = r.valid
    ? 'valid: none of the checks found a reason to distrust this run'
    : `<strong>INVALID</strong><ul>${r.invalidReasons.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>`;
  const sm = r.sampler;
  const ps = r.perSession;
  const rows = [
    row('Scenario', `${esc(r.scenario)}, ${esc(r.startedAt)} to ${esc(r.endedAt)} (${fmt(r.durationS, 0)} s)${r.interrupted ? ', interrupted' : ''}`),
    row('Verdict', validity),
    row('Host (measured on)', `${esc(hostLabel(h))}; ${esc(h.platform)} ${esc(h.kernel)}, node ${esc(h.node)}`),
    row('Target (sized for)', `${r.target.cores} cores, ${gb(r.target.memoryBytes)}`),
    row('Server', `${esc(r.server.mode)}, version ${esc(r.server.version ?? 'unknown')}`),
    row('Network', `${esc(r.network.mode)}${r.network.namespace === null ? '' : ` (namespace ${esc(r.network.namespace)})`}; candidate addresses used: ${esc(r.network.candidateAddresses.join(', ') || 'none')}`),
    row('Sessions', `${r.sessions.joined} of ${r.sessions.requested} joined`),
    row('Ramp', `+${r.ramp.step} every ${fmt(r.ramp.everyS)} s, ${fmt(r.ramp.settleS)} s settle per step, ${r.steps.length} steps`),
    row('Window', `${esc(r.window.basis)} (${r.window.samples} samples)`),
    row('Sampler', `${sm.samples} samples; wall ${fmt(sm.wallMs?.mean, 1)} ms mean, CPU ${fmt(sm.cpuMs?.mean, 1)} ms mean per sample; largest gap ${fmt(sm.maxIntervalMs, 0)} ms`),
    row('Per session over the window', `${kind(ps.kind)} CPU ${fmt(ps.cpuCores)} cores, PSS ${fmt(ps.pssBytes === null ? null : ps.pssBytes / 1024 ** 2, 1)} MB: ${esc(ps.basis)}`),
  ];
  return `<section id="facts"><h2>Run facts</h2><dl>${rows.join('')}</dl></section>`;
}
