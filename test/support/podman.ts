import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from dist/test/support/podman.js. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The images the container tests build from the Dockerfile (on local bases). */
export const IMAGE = 'localhost/voiceload:test';
export const WORKER_IMAGE = 'localhost/voiceload-worker:test';

/** What a command did. */
export interface Ran { code: number; stdout: string; stderr: string }

/** Runs a command to the end; never throws. */
export function run(cmd: string, args: string[], timeoutMs = 600_000, env: NodeJS.ProcessEnv = process.env): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env, cwd: ROOT }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** `podman ARGS`. */
export function podman(args: string[], timeoutMs?: number): Promise<Ran> {
  return run('podman', args, timeoutMs);
}

/** `-v` flags that lend the build this machine's Go caches (warm once the harness has built its server). */
async function goCacheVolumes(): Promise<string[]> {
  const env = await run('go', ['env', 'GOMODCACHE', 'GOCACHE']);
  const [mod, cache] = env.stdout.trim().split('\n');
  return env.code === 0 && mod && cache ? ['-v', `${mod}:/root/go/pkg/mod`, '-v', `${cache}:/root/.cache/go-build`] : [];
}

/**
 * Makes the local base images (once per machine) and builds both targets of the Dockerfile on
 * them; a rebuild reuses podman's layer cache. Throws with the tail of the output when a step fails.
 */
export async function buildImages(): Promise<void> {
  const bases = await run('bash', [path.join(ROOT, 'scripts', 'container-bases.sh')], 900_000);
  if (bases.code !== 0) throw new Error(`container-bases.sh failed: ${bases.stderr.slice(-2000)}`);
  const args = (await run('bash', [path.join(ROOT, 'scripts', 'container-bases.sh'), '--args'])).stdout.trim().split(/\s+/);
  const volumes = await goCacheVolumes();
  for (const [target, tag] of [['runtime', IMAGE], ['worker', WORKER_IMAGE]] as const) {
    const b = await podman(['build', '--network', 'host', ...args, ...volumes, '--target', target, '-t', tag, ROOT], 1_500_000);
    if (b.code !== 0) throw new Error(`podman build --target ${target} failed: ${(b.stdout + b.stderr).slice(-3000)}`);
  }
}
