import { spawn } from 'node:child_process';
import { access, constants, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { HarnessError } from '../../common/errors.js';
import { paths } from '../../common/paths.js';

/** The pinned PyPI versions of the Python runtime: LiveKit Agents for Python and its Silero plugin (the model ships in the wheel). */
export const PY_AGENTS_VERSION = '1.8.9';
export const PY_PACKAGES = [`livekit-agents==${PY_AGENTS_VERSION}`, `livekit-plugins-silero==${PY_AGENTS_VERSION}`] as const;
/** The file the venv gets once every package is installed: a half-built venv is never used. */
const DONE = 'voiceload-installed';

/** Where the venv lives: outside the repository, per version, beside the cached server. */
export function venvDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(base, 'voiceload', `py-agents-${PY_AGENTS_VERSION}`);
}

/** The repo's Python reference worker (agents-py/agent.py) and its report client beside it. */
export const PY_AGENT = path.join(paths.root, 'agents-py', 'agent.py');

const exists = (f: string, mode = constants.F_OK) => access(f, mode).then(() => true, () => false);

/** The venv's interpreter if the venv is complete, else null. */
export async function findPythonAgents(env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  const dir = venvDir(env);
  return (await exists(path.join(dir, DONE))) ? path.join(dir, 'bin', 'python') : null;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, log: (line: string) => void, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let tail = '';
    child.stderr.on('data', (d: Buffer) => (tail = (tail + d.toString()).slice(-2000)));
    const started = performance.now();
    const ticker = setInterval(() => log(`still ${what} (${Math.round((performance.now() - started) / 1000)} s)`), 20_000);
    child.on('error', (err) => (clearInterval(ticker), reject(new HarnessError(`${what}: ${cmd} failed to start: ${err.message}`))));
    child.on('exit', (code) => {
      clearInterval(ticker);
      if (code === 0) resolve();
      else reject(new HarnessError(`${what} failed (exit ${code}): ${tail.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

/**
 * The Python runtime's interpreter: the cached venv, or a new one built once from the pinned
 * PyPI versions (it needs the package registry, so call it before entering a network namespace).
 * The interpreter is VOICELOAD_PYTHON or `python3` (3.10 or newer, as livekit-agents requires).
 */
export async function provisionPythonAgents(log: (line: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const found = await findPythonAgents(env);
  if (found) return found;
  const dir = venvDir(env);
  const tmp = `${dir}.building-${process.pid}`;
  const python = env.VOICELOAD_PYTHON || 'python3';
  await rm(tmp, { recursive: true, force: true });
  await mkdir(path.dirname(dir), { recursive: true });
  log(`installing ${PY_PACKAGES.join(' ')} into ${dir} with ${python} (first --runtime python run only; about a minute)`);
  try {
    await run(python, ['-m', 'venv', tmp], env, log, 'creating the Python venv');
    await run(path.join(tmp, 'bin', 'python'), ['-m', 'pip', 'install', '--quiet', ...PY_PACKAGES], env, log, 'installing livekit-agents');
    await writeFile(path.join(tmp, DONE), `${PY_PACKAGES.join('\n')}\n`);
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  log('Python agents installed');
  return path.join(dir, 'bin', 'python');
}
