import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { childEnv } from '../child/env.js';
import { markedChildren } from '../proc/tree.js';

/** Debian's chromium; VOICELOAD_CHROMIUM names another build. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.VOICELOAD_CHROMIUM ?? '/usr/bin/chromium';
}

/** The project's launch flags for any browser it starts (the list, in its order). */
export const BROWSER_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
] as const;

/** The probe's flags: the project's, plus a fake microphone playing `wav` in a loop and sound without a click. */
export function probeFlags(wav: string): string[] {
  return [
    ...BROWSER_FLAGS,
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-audio-capture=${wav}`,
    '--autoplay-policy=no-user-gesture-required',
  ];
}

const CLOSE_TIMEOUT_MS = 5_000;

/** Where the probe's page went and what went wrong in it. */
export interface ProbeEvents {
  onRequest(url: string): void;
  onError(message: string): void;
}

/**
 * Headless Chromium driven by playwright-core, on the page's link, for the whole run. The browser
 * gets an allow-listed environment (no secret) tagged with a marker, runs in its own process group
 * (Playwright's default), and never sees our signals: the harness closes it in order, and kills
 * its process group if it does not close in time. Playwright also kills it if the harness exits.
 */
export class Probe {
  private constructor(private readonly browser: Browser, readonly pid: number | null, readonly args: string[]) {}

  static async launch(link: string, wav: string, marker: string, events: ProbeEvents): Promise<Probe> {
    const exe = chromiumPath();
    if (!existsSync(exe)) throw new Error(`no Chromium at ${exe}: install it (apt-get install chromium) or set VOICELOAD_CHROMIUM`);
    const args = probeFlags(wav);
    const [name, value] = marker.split('=') as [string, string];
    const browser = await chromium.launch({
      executablePath: exe,
      headless: true,
      args,
      env: childEnv({ [name]: value }),
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      timeout: 30_000,
    });
    const probe = new Probe(browser, markedChildren(process.pid, marker)[0] ?? null, args);
    try {
      const context = await browser.newContext({ permissions: ['microphone'] });
      context.on('request', (r) => events.onRequest(r.url()));
      const page = await context.newPage();
      page.on('websocket', (ws) => events.onRequest(ws.url()));
      page.on('pageerror', (err) => events.onError(`page: ${err.message}`));
      page.on('crash', () => events.onError('page crashed'));
      await page.goto(link, { waitUntil: 'load', timeout: 30_000 });
    } catch (err) {
      await probe.close();
      throw err;
    }
    return probe;
  }

  get version(): string {
    return this.browser.version();
  }

  /** Closes the browser; kills its whole process group if it has not gone within 5 s. */
  async close(): Promise<void> {
    const timer = new Promise<'late'>((r) => setTimeout(() => r('late'), CLOSE_TIMEOUT_MS).unref());
    const closed = await Promise.race([this.browser.close().then(() => 'ok' as const, () => 'late' as const), timer]);
    if (closed === 'late' && this.pid !== null) {
      try {
        process.kill(-this.pid, 'SIGKILL');
      } catch { /* already gone */ }
    }
  }
}
