import { getPriority, setPriority } from 'node:os';
import { pidNames, readOrNull } from '../proc/read.js';

/**
 * The nice value a generator gives the threads that hand its users' speech over on time: its
 * JavaScript thread (the pacer) and each audio source's capture thread (which feeds the encoder
 * from the source's queue every 10 ms). At 20 users on one core shared with the server, the
 * JavaScript thread waited 299 ms/s for the CPU while it ran 86 ms/s (schedstat): the generator's
 * own ~70 native threads (encoders, WebRTC's network and worker threads) kept preempting it, and
 * publish lateness p99 was 42 ms. At −10 the wait was ~116 ms/s and the p99 5.0 ms; at −20 the
 * p99 was 4.0 ms, and 1.9 and 1.6 ms in the generator bench. Raising the whole process instead
 * only reorders it against the server: p99 10 ms (docs/performance.md).
 */
export const CLOCK_NICE = -20;

const CAPTURE_THREAD = /^AudioSourceCapt/;

/** How a thread table is read and a thread's priority set; injected so the policy can be tested. */
export interface Threads {
  /** Thread ids of this process; null where there is no /proc (not Linux). */
  list(): number[] | null;
  name(tid: number): string | null;
  /** Its nice value; null when the thread is gone. */
  nice(tid: number): number | null;
  /** Sets it; false when not permitted (not root, no CAP_SYS_NICE) or the thread is gone. */
  setNice(tid: number, nice: number): boolean;
}

/** The real table: /proc/self/task, and setpriority on a thread id (Linux sets that thread alone). */
export const procThreads: Threads = {
  list() {
    try {
      return pidNames('/proc/self/task').map(Number);
    } catch {
      return null;
    }
  },
  name: (tid) => readOrNull(`/proc/self/task/${tid}/comm`)?.trim() ?? null,
  nice(tid) {
    try {
      return getPriority(tid);
    } catch {
      return null;
    }
  },
  setNice(tid, nice) {
    try {
      setPriority(tid, nice);
      return true;
    } catch {
      return false;
    }
  },
};

/**
 * Keeps the clock threads at CLOCK_NICE and every other thread where the process started. Threads
 * inherit their creator's nice, and the JavaScript thread creates the FFI's runtime, WebRTC's
 * threads and the capture threads; so the generator calls apply() again with every stats message
 * (every 2 s), and it looks at the thread table again only when its size changed.
 */
export class ClockPriority {
  private readonly base: number;
  private seen = -1;
  /** The nice the JavaScript thread runs at, read back; null where threads cannot be listed. */
  clockNice: number | null = null;

  constructor(private readonly mainTid = process.pid, private readonly threads: Threads = procThreads, private readonly nice = CLOCK_NICE) {
    this.base = threads.nice(mainTid) ?? 0;
  }

  apply(): void {
    const tids = this.threads.list();
    if (tids === null || tids.length === this.seen) return;
    this.seen = tids.length;
    for (const tid of tids) {
      const clock = tid === this.mainTid || CAPTURE_THREAD.test(this.threads.name(tid) ?? '');
      const want = clock ? this.nice : this.base;
      const now = this.threads.nice(tid);
      if (now !== null && now !== want) this.threads.setNice(tid, want);
    }
    this.clockNice = this.threads.nice(this.mainTid);
  }
}
