import { spawn } from 'node:child_process';
import { UsageError } from '../common/errors.js';
import { paths } from '../common/paths.js';

/** Where this process stands with respect to the private network namespace. */
export interface NetnsState {
  /** Name of the namespace this process runs in, when it is one of ours. */
  inside: string | null;
  /** The namespace's veth addresses, for the server's media. */
  addrs: string[];
}

export function netnsState(env: NodeJS.ProcessEnv = process.env): NetnsState {
  return {
    inside: env.VOICELOAD_NETNS ?? null,
    addrs: (env.VOICELOAD_NETNS_ADDRS ?? '').split(',').filter(Boolean),
  };
}

/**
 * Decides whether a run with a local server must first move into a private namespace.
 * Throws a usage error where that is needed but impossible (not root, not Linux).
 */
export function needsNetns(opts: { local: boolean; wanted: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (!opts.local || !opts.wanted || netnsState(env).inside) return false;
  if (process.platform !== 'linux' || process.getuid?.() !== 0) {
    throw new UsageError(
      'the local server and participants run in a private network namespace, which needs root on Linux; ' +
        'run as root, or pass --no-netns to use loopback only',
    );
  }
  return true;
}

/**
 * Runs this same command again inside a fresh private namespace (scripts/netns-run.sh) and
 * resolves with its exit code. Ctrl-C reaches the inner harness directly (same process group);
 * SIGTERM is passed on. The namespace is removed when the inner run ends.
 */
export function reexecInNetns(argv: string[]): Promise<number> {
  const child = spawn('bash', [paths.netnsScript, process.execPath, ...process.execArgv, process.argv[1] ?? '', ...argv], { stdio: 'inherit' });
  const ignore = () => undefined;
  const forward = () => child.kill('SIGTERM');
  process.on('SIGINT', ignore);
  process.on('SIGTERM', forward);
  return new Promise((resolve) => {
    child.on('error', (err) => {
      process.stderr.write(`voiceload: could not start ${paths.netnsScript}: ${err.message}\n`);
      resolve(1);
    });
    child.on('exit', (code, signal) => {
      process.off('SIGINT', ignore);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal === 'SIGINT' ? 105 : 1));
    });
  });
}
