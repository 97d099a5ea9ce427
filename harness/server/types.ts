/** A LiveKit server the run talks to: one the harness started, or an external one. */
export interface ServerHandle {
  readonly mode: 'local' | 'external';
  /** WebSocket URL participants connect to. */
  readonly url: string;
  readonly apiKey: string;
  /** Held in memory only: never logged, never written, never passed to a child that does not need it. */
  readonly apiSecret: string;
  /** e.g. "1.13.5"; null when the server does not tell. */
  readonly version: string | null;
  /** The server's process id when the harness started it. */
  readonly pid: number | null;
  /** Resolves when the server process ends unexpectedly (never for external servers). */
  readonly died: Promise<string>;
  stop(): Promise<void>;
}
