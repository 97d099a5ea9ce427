import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { childEnv } from '../child/env.js';
import { HarnessError, InterruptedError } from '../common/errors.js';
import { sleep } from '../common/wait.js';
import { renderServerConfig } from './config.js';
import { freeTcpPort, freeUdpPort } from './ports.js';
import type { ServerHandle } from './types.js';

const READY_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 5_000;

/** Options for starting a local livekit-server. */
export interface LocalServerOptions {
  binary: string;
  /** The server's own log goes here. */
  logFile: string;
  /** Addresses media may use (the private namespace's veth addresses); empty means loopback only. */
  mediaAddrs: string[];
  /** Aborting it while the server starts kills it and rejects with an InterruptedError. */
  signal?: AbortSignal;
  /**
   * Addresses signalling listens on besides loopback: the server side of the veths a distributed
   * test's shard namespaces reach it by. Default: loopback only.
   */
  signalAddrs?: string[];
}

/** Reads `server --version` ("server version 1.13.5"). */
async function serverVersion(binary: string): Promise<string | null> {
  try {
    const { stdout } = await promisify(execFile)(binary, ['--version'], { env: childEnv(), timeout: 10_000 });
    return /(\d+\.\d+\.\d+)/.exec(stdout)?.[1] ?? null;
  } catch {
    return null;
  }
}

async function waitReady(url: string, child: ChildProcess, exited: Promise<string>, signal?: AbortSignal): Promise<void> {
  const deadline = performance.now() + READY_TIMEOUT_MS;
  let dead: string | null = null;
  void exited.then((why) => (dead = why));
  while (performance.now() < deadline) {
    if (signal?.aborted) throw new InterruptedError('interrupted while livekit-server started: nothing was measured');
    if (dead) throw new HarnessError(`livekit-server exited while starting: ${dead}`);
    const ok = await fetch(url, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
    if (ok) return;
    await sleep(200, signal);
  }
  child.kill('SIGKILL');
  throw new HarnessError(`livekit-server did not become ready within ${READY_TIMEOUT_MS / 1000} s`);
}

/** Starts livekit-server with keys generated for this run; resolves once it answers. */
export async function startLocalServer(opts: LocalServerOptions): Promise<ServerHandle> {
  const apiKey = `vl${randomBytes(6).toString('hex')}`;
  const apiSecret = randomBytes(32).toString('base64url');
  const [signalPort, tcpPort, udpPort] = [await freeTcpPort(), await freeTcpPort(), await freeUdpPort()];
  // The config holds the secret: a private folder, removed as soon as the server has read it (once it
  // answers), so even a harness killed outright (SIGKILL, a crash) leaves no secret behind.
  const dir = await mkdtemp(path.join(os.tmpdir(), 'voiceload-server-'));
  const configFile = path.join(dir, 'livekit.yaml');
  await writeFile(configFile, renderServerConfig({ apiKey, apiSecret, signalPort, tcpPort, udpPort, mediaAddrs: opts.mediaAddrs, signalAddrs: opts.signalAddrs ?? [] }), { mode: 0o600 });
  const version = await serverVersion(opts.binary);
  const log = createWriteStream(opts.logFile, { flags: 'a' });
  // Its own process group: a Ctrl-C meant for the harness must not stop the server before the harness does.
  const child = spawn(opts.binary, ['--config', configFile], { env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  let stopping = false;
  const exited = new Promise<string>((resolve) => {
    child.once('error', (err) => resolve(`could not start ${opts.binary}: ${err.message}`));
    child.once('exit', (code, signal) => resolve(`exit code ${code ?? 'none'}, signal ${signal ?? 'none'}`));
  });
  try {
    await waitReady(`http://127.0.0.1:${signalPort}/`, child, exited, opts.signal);
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    log.end();
    throw err;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return {
    mode: 'local',
    url: `ws://127.0.0.1:${signalPort}`,
    apiKey,
    apiSecret,
    version,
    pid: child.pid ?? null,
    died: exited.then((why) => (stopping ? new Promise<string>(() => {}) : `livekit-server died: ${why}`)),
    async stop() {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
      }
      log.end();
    },
  };
}
