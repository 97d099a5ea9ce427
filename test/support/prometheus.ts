/**
 * A real Prometheus (Debian's `prometheus`) scraping a real process-exporter
 * (`prometheus-process-exporter`, smaps on) every second, both on 127.0.0.1 ports of their own,
 * started and stopped by the test. The exporter tracks the processes whose command line
 * contains `marker`, as the namegroup `group`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freeTcpPort } from '../../harness/server/ports.js';

/** The running pair; stop() ends both and removes their files. */
export interface PromStack { url: string; exporterUrl: string; stop(): Promise<void> }

function stopChild(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    c.once('close', () => resolve());
    c.kill('SIGTERM');
    setTimeout(() => c.kill('SIGKILL'), 5000).unref();
  });
}

async function waitHttp(url: string, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await fetch(url, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not answer at ${url}`);
}

/** Starts process-exporter and Prometheus on loopback. */
export async function startPromStack(marker: string, group: string): Promise<PromStack> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vl-prom-'));
  const [ep, pp] = [await freeTcpPort(), await freeTcpPort()];
  writeFileSync(path.join(dir, 'exporter.yaml'), `process_names:\n  - name: ${JSON.stringify(group)}\n    cmdline:\n      - ${JSON.stringify(marker)}\n`);
  writeFileSync(path.join(dir, 'prometheus.yml'), `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: process\n    static_configs:\n      - targets: ["127.0.0.1:${ep}"]\n`);
  const exporter = spawn('prometheus-process-exporter', [`-web.listen-address=127.0.0.1:${ep}`, '-gather-smaps=true', `-config.path=${path.join(dir, 'exporter.yaml')}`], { stdio: 'ignore' });
  const prom = spawn('prometheus', [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${pp}`], { stdio: 'ignore' });
  const stop = async () => {
    await Promise.all([stopChild(prom), stopChild(exporter)]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitHttp(`http://127.0.0.1:${ep}/metrics`, 'process-exporter');
    await waitHttp(`http://127.0.0.1:${pp}/-/ready`, 'prometheus');
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: `http://127.0.0.1:${pp}`, exporterUrl: `http://127.0.0.1:${ep}`, stop };
}
