import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../../scripts/netns-run.sh', import.meta.url));

/**
 * Runs a node script inside a private network namespace (or directly when this process already
 * is in one) and resolves with its stdout parsed as JSON; rejects with its stderr on failure.
 * `env` is added to this process's environment for it.
 */
export function runInNetns<T>(script: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<T> {
  const cmd = process.env.VOICELOAD_NETNS ? [process.execPath, script, ...args] : ['bash', SCRIPT, process.execPath, script, ...args];
  const proc = spawn(cmd[0]!, cmd.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    proc.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${script} exited ${code}: ${stderr.slice(-2000)}`));
      try {
        resolve(JSON.parse(stdout) as T);
      } catch {
        reject(new Error(`${script} printed no JSON: ${stdout.slice(-500)} ${stderr.slice(-1000)}`));
      }
    });
  });
}
