/** What a child's handler returns: how to stop it, and (optionally) what to do with later messages. */
export interface ChildControl<In> {
  stop(): Promise<void>;
  onMessage?(msg: In): void;
}

type Handler<In, Out> = (first: In, send: (m: Out) => void) => Promise<ChildControl<In> | (() => Promise<void>)>;

const STOP_DEADLINE_MS = 10_000;

/**
 * The life of a child process (agent or generator) forked by the harness with an IPC channel:
 * the first message starts it; `{type:'stop'}` stops it, answers `{type:'stopped'}` and exits.
 * When the harness goes away (IPC closed) or sends SIGTERM the child stops by itself, so no
 * process of a run outlives it. Ctrl-C reaches the whole process group: the child ignores
 * SIGINT and lets the harness decide when to stop it.
 */
export function runChild<In extends { type: string }, Out>(handler: Handler<In, Out>): void {
  const send = (m: Out | { type: 'stopped' } | { type: 'error'; message: string }) => {
    if (process.connected) process.send?.(m);
  };
  let control: ChildControl<In> | null = null;
  let started: Promise<void> | null = null;
  let stopping = false;

  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(code || 1), STOP_DEADLINE_MS).unref();
    await started?.catch(() => undefined);
    await control?.stop().catch((err: Error) => send({ type: 'error', message: `stop: ${err.message}` }));
    send({ type: 'stopped' });
    process.exit(code);
  };

  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => void stop(0));
  process.on('disconnect', () => void stop(0));
  process.on('uncaughtException', (err) => {
    send({ type: 'error', message: err.message });
    void stop(1);
  });
  process.on('message', (msg: In) => {
    if (msg.type === 'stop') return void stop(0);
    // Later messages wait for the start to finish; promise callbacks keep their order.
    if (started) return void started.then(() => control?.onMessage?.(msg));
    started = handler(msg, send).then(
      (c) => void (control = typeof c === 'function' ? { stop: c } : c),
      (err: Error) => {
        send({ type: 'error', message: err.message });
        void stop(1);
      },
    );
  });
}
