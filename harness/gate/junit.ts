/**
 * The gate as JUnit XML, which CI systems show as test results: one suite for the runs' validity,
 * one testcase per threshold and one per compared metric. Checks not judged (a run was invalid)
 * are `skipped` with the reason. Pure.
 */
import type { Comparison } from './compare.js';
import type { GateReport } from './evaluate.js';
import { fmtPercent, fmtShare } from './format.js';

/** Escapes text for XML attributes and content, dropping characters XML 1.0 cannot hold. */
export function xmlEscape(s: string): string {
  return s
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

interface Case { name: string; failure: string | null; skipped: string | null; out: string }

function testcase(suite: string, c: Case): string {
  const open = `    <testcase classname="${xmlEscape(suite)}" name="${xmlEscape(c.name)}">`;
  const body = c.failure !== null
    ? `      <failure message="${xmlEscape(c.failure)}" type="failure">${xmlEscape(c.out)}</failure>`
    : c.skipped !== null
      ? `      <skipped message="${xmlEscape(c.skipped)}"/>`
      : `      <system-out>${xmlEscape(c.out)}</system-out>`;
  return `${open}\n${body}\n    </testcase>`;
}

function suite(name: string, cases: Case[]): string {
  const failures = cases.filter((c) => c.failure !== null).length;
  const skipped = cases.filter((c) => c.skipped !== null).length;
  return [
    `  <testsuite name="${xmlEscape(name)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}">`,
    ...cases.map((c) => testcase(name, c)),
    '  </testsuite>',
  ].join('\n');
}

function comparisonText(c: Comparison): string {
  const iv = c.interval ? `, ${fmtShare(c.confidence)} interval [${fmtPercent(c.interval.lo)}, ${fmtPercent(c.interval.hi)}]` : '';
  const change = c.change === null ? 'no change computed' : `change ${fmtPercent(c.change)}${iv}`;
  return `${c.verdict}: ${change}; tolerance ${fmtShare(c.tolerance)}, ${c.better} is better; ${c.note}`;
}

/** Renders the report as a JUnit XML document. */
export function renderJunit(r: GateReport): string {
  const runs: Case[] = r.runs.map((run) => ({
    name: `${run.label} valid`,
    failure: run.outcome === 'valid' ? null : `${run.label} ${run.outcome}`,
    skipped: null,
    out: run.outcome === 'valid' ? `${run.dir}: valid` : `${run.dir}: ${run.reasons.join('; ')}`,
  }));
  const skip = r.skipped;
  const thresholds: Case[] = skip !== null
    ? r.planned.thresholds.map((t) => ({ name: t, failure: null, skipped: skip, out: '' }))
    : r.thresholds.map((t) => ({ name: t.threshold.text, failure: t.pass ? null : t.message, skipped: null, out: `${t.message} (${t.threshold.source})` }));
  const compared: Case[] = skip !== null
    ? r.planned.compared.map((m) => ({ name: m, failure: null, skipped: skip, out: '' }))
    : r.comparisons.map((c) => ({
      name: c.metric,
      failure: c.verdict === 'regressed' || c.verdict === 'missing' || (c.verdict === 'inconclusive' && r.failOnInconclusive) ? comparisonText(c) : null,
      // Inconclusive is never a plain pass: without --fail-on-inconclusive it is reported as skipped.
      skipped: c.verdict === 'inconclusive' && !r.failOnInconclusive ? comparisonText(c) : null,
      out: comparisonText(c),
    }));
  const suites = [suite('voiceload.runs', runs), suite('voiceload.thresholds', thresholds)];
  if (r.baseline) suites.push(suite('voiceload.baseline', compared));
  const all = [...runs, ...thresholds, ...(r.baseline ? compared : [])];
  const failures = all.filter((c) => c.failure !== null).length;
  const skipped = all.filter((c) => c.skipped !== null).length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlEscape(`voiceload gate: ${r.scenario}`)}" tests="${all.length}" failures="${failures}" errors="0" skipped="${skipped}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
