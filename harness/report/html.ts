/**
 * report.html: one self-contained page that opens offline from disk.
 *
 * The page carries the vega runtime and each chart's compiled vega spec (with its data) inline and
 * draws the charts in the browser, rather than inlining the pre-rendered SVGs: the charts then have
 * tooltips (every point's value and basis), and this renderer can stay a pure synchronous function
 * (vega's SVG export is asynchronous). Everything else — the answer, warnings, the steps' figures,
 * the run facts — is plain HTML and reads without JavaScript; charts/*.svg beside the page hold the
 * same charts for readers without it. A Content-Security-Policy forbids any request the page could
 * make (scripts, styles, images, fonts, fetches), so it cannot reach the network even by mistake;
 * vega compiles its expressions with Function(), hence 'unsafe-eval'.
 */
import { compiledCharts } from './charts/registry.js';
import { esc, jsonForScript, scriptText } from './html/escape.js';
import { factsSection } from './html/facts.js';
import { vegaRuntime } from './html/runtime.js';
import { answerSection, steadinessSection, warningsSection } from './html/sections.js';
import { STYLE } from './html/style.js';
import type { ReportData } from './types.js';

const CSP = "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:";

/** Draws every chart from the embedded specs; marks each container data-drawn="true" or "error". */
const BOOT = `(function () {
  var specs = JSON.parse(document.getElementById('voiceload-charts').textContent);
  Object.keys(specs).forEach(function (name) {
    var el = document.getElementById('chart-' + name);
    el.textContent = '';
    try {
      new vega.View(vega.parse(specs[name]), { renderer: 'svg', container: el, hover: true })
        .runAsync()
        .then(function () { el.setAttribute('data-drawn', 'true'); })
        .catch(fail);
    } catch (e) { fail(e); }
    function fail(e) {
      el.setAttribute('data-drawn', 'error');
      el.className += ' chart-error';
      el.textContent = 'This chart could not be drawn: ' + e;
      console.error(e);
    }
  });
})();`;

function chartsSection(names: { name: string; heading: string }[]): string {
  const figures = names.map(({ name, heading }) => `<figure>
<h3>${esc(heading)}</h3>
<div class="chart" id="chart-${esc(name)}" data-chart="${esc(name)}"><noscript><p>This chart is drawn with JavaScript;
the same chart is in <a href="charts/${esc(name)}.svg">charts/${esc(name)}.svg</a> beside this page,
and its figures are in the tables below.</p></noscript></div>
</figure>`);
  return `<section id="charts"><h2>Charts</h2>${figures.join('\n')}</section>`;
}

/** report.html: one self-contained page that opens offline. Pure. */
export function renderReportHtml(data: ReportData): string {
  const { result } = data;
  const charts = compiledCharts(data);
  const specs = Object.fromEntries(charts.map((c) => [c.def.name, c.spec]));
  const runtime = vegaRuntime();
  const title = `voiceload: ${result.scenario} — ${result.startedAt.slice(0, 16).replace('T', ' ')} UTC`;
  const verdict = result.valid
    ? '<p class="verdict-valid"><strong>Valid run</strong>: none of the checks found a reason to distrust it.</p>'
    : '<p class="verdict-invalid"><strong>INVALID run</strong>: do not size workers from it (see the warnings).</p>';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>${esc(title)}</h1>${verdict}
<nav><a href="#answer">Answer</a><a href="#warnings">Warnings</a><a href="#charts">Charts</a><a href="#steadiness">Steps</a><a href="#facts">Run facts</a></nav></header>
<main>
${answerSection(data)}
${warningsSection(data)}
${chartsSection(charts.map((c) => c.def))}
${steadinessSection(data)}
${factsSection(data)}
</main>
<footer class="legend">Drawn by voiceload with vega ${esc(runtime.version)}, inlined; this page makes no network request.</footer>
<script type="application/json" id="voiceload-charts">${jsonForScript(specs)}</script>
<script>${scriptText(runtime.code)}</script>
<script>${BOOT}</script>
</body>
</html>
`;
}
