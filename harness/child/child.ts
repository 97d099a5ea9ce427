import { fork, type ChildProcess } from 'node:child_process';
import { childEnv } from './env.js';

const STOP_TIMEOUT_MS = 8_000;

/** A forked child process (agent or generator) seen from the harness. */
export class Child<In, Out extends { type: string }> {
  readonly proc: ChildProcess;
  /** Resolves with a description when the process ends, whatever the reason. */
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  private stopRequested = false;
  /** The end of what the child wrote to stderr, for error messages. */
  stderrTail = '';

  constructor(main: string, label: string, onMessage: (m: Out | { type: 'stopped' }) => void) {
    // A minimal environment: no LIVEKIT_* variables, no secret; tokens come over IPC.
    this.proc = fork(main, [label], { env: childEnv(), stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: [] });
    this.proc.on('message', (m) => onMessage(m as Out));
    this.proc.stderr?.on('data', (d: Buffer) => (this.stderrTail = (this.stderrTail + d.toString()).slice(-1000)));
    this.exited = new Promise((resolve) => {
      this.proc.once('exit', (code, signal) => resolve({ code, signal }));
      this.proc.once('error', () => resolve({ code: null, signal: null }));
    });
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  /**
   * Calls `onExit` with a one-line description if the child ends before stop() was called:
   * its label, exit code or signal, and the last line it wrote to stderr.
   */
  onUnexpectedExit(label: string, onExit: (message: string) => void): void {
    void this.exited.then(({ code, signal }) => {
      if (this.stopRequested) return;
      onExit(`${label} exited unexpectedly (code ${code}, signal ${signal}) ${this.stderrTail.trim().split('\n').pop() ?? ''}`.trim());
    });
  }

  send(msg: In): void {
    if (this.proc.connected) this.proc.send(msg as object);
  }

  /** Asks the child to stop, waits for it, and kills it if it does not exit in time. */
  async stop(): Promise<void> {
    this.stopRequested = true;
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.send({ type: 'stop' } as In);
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
  }
}
