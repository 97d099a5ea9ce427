/**
 * Opens report.html files from disk in Debian's headless chromium (driven by playwright-core) and
 * prints, as JSON, what a reader's browser saw: per chart whether it was drawn and with how many
 * marks, every console error, page error, dialog and request that was not to file://, and what
 * the page shows with JavaScript off. Run by browser-report.test.ts inside a private network
 * namespace, so the browser could reach nothing even if it tried.
 *
 * Usage: node browser-report-driver.js CHROMIUM_PATH REPORT.html...
 */
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

export interface ChartSeen {
  name: string;
  drawn: string | null;
  svgs: number;
  /** Paths of vega line marks with a drawn path. */
  lines: number;
  /** Every element inside a vega mark group. */
  marks: number;
}

export interface PageSeen {
  file: string;
  charts: ChartSeen[];
  consoleErrors: string[];
  pageErrors: string[];
  dialogs: string[];
  /** Requests whose URL is not file://. */
  foreignRequests: string[];
  requests: number;
  /** The container's title after hovering a point of the cost chart (vega's default tooltip). */
  tooltip: string | null;
  /** With JavaScript disabled: the recommendations table's text and the first chart's fallback text. */
  noScript: { recommendations: string; chartFallback: string };
}

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

async function visit(browser: Browser, file: string): Promise<Omit<PageSeen, 'noScript'>> {
  const page = await browser.newPage();
  const seen = { consoleErrors: [] as string[], pageErrors: [] as string[], dialogs: [] as string[], foreignRequests: [] as string[], requests: 0 };
  page.on('console', (m) => { if (m.type() === 'error') seen.consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => seen.pageErrors.push(String(e)));
  page.on('dialog', (d) => { seen.dialogs.push(d.message()); void d.dismiss(); });
  page.on('request', (r) => { seen.requests++; if (!r.url().startsWith('file://')) seen.foreignRequests.push(r.url()); });
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  // Every chart container ends with data-drawn set, to "true" or "error" (see html.ts's boot script).
  // (A string: this project's TypeScript has no DOM types.)
  await page.waitForFunction("[...document.querySelectorAll('[data-chart]')].every((el) => el.hasAttribute('data-drawn'))", undefined, { timeout: 60_000 });
  const charts = await page.$$eval('[data-chart]', (els) => els.map((el) => ({
    name: el.getAttribute('data-chart') ?? '',
    drawn: el.getAttribute('data-drawn'),
    svgs: el.querySelectorAll('svg').length,
    lines: [...el.querySelectorAll('g.mark-line.role-mark path')].filter((p) => (p.getAttribute('d') ?? '').startsWith('M')).length,
    marks: el.querySelectorAll('g.role-mark > *').length,
  })));
  let tooltip: string | null = null;
  const point = page.locator('#chart-cost-vs-sessions g.mark-symbol.role-mark path').first();
  if (await point.count() > 0) {
    await point.hover({ force: true });
    const titled = '#chart-cost-vs-sessions[title]';
    tooltip = await page.waitForSelector(titled, { state: 'attached', timeout: 5000 }).then((el) => el?.getAttribute('title') ?? null, () => null);
  }
  await page.close();
  return { file, charts, tooltip, ...seen };
}

async function withoutScript(browser: Browser, file: string): Promise<PageSeen['noScript']> {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  const recommendations = await page.locator('#answer').innerText();
  const chartFallback = await page.locator('[data-chart]').first().innerText();
  await context.close();
  return { recommendations, chartFallback };
}

async function main(): Promise<void> {
  const [executablePath, ...files] = process.argv.slice(2);
  if (executablePath === undefined || files.length === 0) throw new Error('usage: browser-report-driver.js CHROMIUM_PATH REPORT.html...');
  const browser = await chromium.launch({ executablePath, args: ARGS });
  try {
    const pages: PageSeen[] = [];
    for (const file of files) pages.push({ ...(await visit(browser, file)), noScript: await withoutScript(browser, file) });
    process.stdout.write(JSON.stringify(pages));
  } finally {
    await browser.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
