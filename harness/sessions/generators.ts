import { generatorDesign, listens, type GeneratorCommand, type GeneratorMessage, type UserSpec } from './ipc.js';
import { paths } from '../common/paths.js';
import { Child } from '../child/child.js';
import type { SessionBook } from './book.js';

/**
 * The generator processes that host the synthetic users, whatever runs the agents: user i lives in
 * generator floor(i / usersPerGenerator), started on first use. What users report goes into the
 * SessionBook; faults go to `warn`.
 */
export class GeneratorPool {
  private readonly generators: Child<GeneratorCommand, GeneratorMessage>[] = [];
  private readonly design = generatorDesign();
  private warnedNice = false;

  constructor(
    private readonly usersPerGenerator: number,
    private readonly speechPath: string,
    private readonly book: SessionBook,
    private readonly warn: (message: string) => void,
    private readonly statsEveryMs: number,
  ) {}

  /** Live generator pids, for the sampler. */
  pids(): number[] {
    return this.generators.flatMap((c) => (c.pid !== undefined && c.proc.exitCode === null ? [c.pid] : []));
  }

  private generatorFor(index: number): Child<GeneratorCommand, GeneratorMessage> {
    const g = Math.floor(index / this.usersPerGenerator);
    let gen = this.generators[g];
    if (!gen) {
      gen = new Child<GeneratorCommand, GeneratorMessage>(paths.generatorMain, `generator-${g}`, (m) => {
        if (m.type === 'stopped') return;
        this.book.fromGenerator(m, g);
        if (m.type === 'user-error' || m.type === 'error') this.warn(`generator ${g}: ${'index' in m ? `user ${m.index}: ` : ''}${m.message}`);
        if (m.type === 'generator-stats') this.warnOnceAtNiceZero(g, m.clockNice);
      });
      gen.onUnexpectedExit(`generator ${g}`, (msg) => {
        this.book.fault((r) => Math.floor(r.index / this.usersPerGenerator) === g, msg);
        this.warn(msg);
      });
      gen.send({ type: 'init', speechPath: this.speechPath, statsEveryMs: this.statsEveryMs, design: this.design });
      this.generators[g] = gen;
    }
    return gen;
  }

  /** Once a run: a generator whose clock threads could not be raised keeps time worse under the agents' load. */
  private warnOnceAtNiceZero(g: number, clockNice: number | null): void {
    const why = this.warnedNice ? null : niceWarning(g, clockNice);
    if (why === null) return;
    this.warnedNice = true;
    this.warn(why);
  }

  addUser(user: UserSpec): void {
    // Decided once, here, where the design is chosen: the user is told, and the book keeps it, so a
    // user that never reports still counts as one that should have heard its agent.
    const deaf = !listens(this.design, user.index);
    this.generatorFor(user.index).send({ type: 'add-user', user: deaf ? { ...user, listens: false } : user });
    const rec = this.book.get(user.index);
    if (rec && deaf) rec.listens = false;
  }

  /** The user hangs up: it leaves its room (its session ends as a real call would). */
  removeUser(index: number): void {
    this.generatorFor(index).send({ type: 'remove-user', index });
  }

  async stop(): Promise<void> {
    await Promise.all(this.generators.map((g) => g.stop()));
  }
}

/** The warning for generator `g` whose clock threads report `clockNice`; null unless they could not be raised (0). */
export function niceWarning(g: number, clockNice: number | null): string | null {
  if (clockNice !== 0) return null;
  return `generator ${g}: its clock threads run at nice 0 (not root, no CAP_SYS_NICE), so its publish lateness rises with the agents' load; ` +
    'run as root, or a container with --cap-add SYS_NICE';
}
