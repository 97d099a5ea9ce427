import { spawn } from 'node:child_process';
import { access, constants, mkdir, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { HarnessError, InterruptedError, UsageError } from '../common/errors.js';

/** The LiveKit server version the harness builds when none is installed. */
export const LIVEKIT_SERVER_VERSION = 'v1.13.5';
const MODULE = `github.com/livekit/livekit-server/cmd/server@${LIVEKIT_SERVER_VERSION}`;

/** Where the built server is cached: outside the repository, per version. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(base, 'voiceload', `livekit-server-${LIVEKIT_SERVER_VERSION}`);
}

async function isExecutable(file: string): Promise<boolean> {
  return access(file, constants.X_OK).then(() => true, () => false);
}

async function onPath(name: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir && (await isExecutable(path.join(dir, name)))) return path.join(dir, name);
  }
  return null;
}

/** Finds a livekit-server binary without building one: LIVEKIT_SERVER_BIN, PATH, then the cache. */
export async function findServerBinary(env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  if (env.LIVEKIT_SERVER_BIN) {
    if (await isExecutable(env.LIVEKIT_SERVER_BIN)) return env.LIVEKIT_SERVER_BIN;
    throw new UsageError(`LIVEKIT_SERVER_BIN=${env.LIVEKIT_SERVER_BIN} is not an executable file; fix the path or unset it`);
  }
  const fromPath = await onPath('livekit-server', env);
  if (fromPath) return fromPath;
  const cached = path.join(cacheDir(env), 'server');
  return (await isExecutable(cached)) ? cached : null;
}

/**
 * Finds the server, or builds it once with `go install` into the cache.
 * @param log receives progress lines while building (it takes minutes the first time)
 * @param signal aborting it stops the build (go is killed) with an InterruptedError
 */
export async function provisionServer(log: (line: string) => void, env: NodeJS.ProcessEnv = process.env, signal?: AbortSignal): Promise<string> {
  const found = await findServerBinary(env);
  if (found) return found;
  const go = await onPath('go', env);
  if (!go) {
    throw new HarnessError(
      'livekit-server not found: install Go (the harness then builds it once), or put livekit-server on PATH, ' +
        'or set LIVEKIT_SERVER_BIN (e.g. copied from the livekit/livekit-server container image), or set LIVEKIT_URL to use an external server',
    );
  }
  const dir = cacheDir(env);
  const tmp = `${dir}.building-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  log(`building livekit-server ${LIVEKIT_SERVER_VERSION} with go install into ${dir} (first run only; this takes a few minutes)`);
  try {
    await goInstall(go, tmp, log, env, signal);
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  log('livekit-server built');
  return path.join(dir, 'server');
}

/**
 * Ctrl-C in a terminal reaches the whole process group: go dies of it, and its exit can be seen
 * before our own SIGINT handler aborts. A failed build waits this long for that abort, so an
 * interrupted build is reported as interrupted (exit 105), not as a failed one.
 */
const ABORT_GRACE_MS = 500;

function goInstall(go: string, gobin: string, log: (line: string) => void, env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(new InterruptedError('interrupted before livekit-server was built'));
  return new Promise((resolve, reject) => {
    const child = spawn(go, ['install', MODULE], {
      env: { ...env, GOBIN: gobin, CGO_ENABLED: '0' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let tail = '';
    child.stderr.on('data', (d: Buffer) => (tail = (tail + d.toString()).slice(-2000)));
    const started = Date.now();
    const ticker = setInterval(() => log(`still building livekit-server (${Math.round((Date.now() - started) / 1000)} s)`), 20_000);
    child.on('error', (err) => reject(new HarnessError(`go install failed to start: ${err.message}`)));
    const stop = () => child.kill('SIGKILL');
    signal?.addEventListener('abort', stop, { once: true });
    child.on('exit', (code, killedBy) => {
      clearInterval(ticker);
      const settle = () => {
        signal?.removeEventListener('abort', stop);
        if (signal?.aborted) reject(new InterruptedError('interrupted while livekit-server was built: nothing was measured'));
        else if (code === 0) resolve();
        else reject(new HarnessError(`go install ${MODULE} failed (${code === null ? `killed by ${killedBy}` : `exit ${code}`}): ${tail.trim().split('\n').slice(-3).join(' | ')}`));
      };
      if (code !== 0 && signal && !signal.aborted) setTimeout(settle, ABORT_GRACE_MS);
      else settle();
    });
  });
}
