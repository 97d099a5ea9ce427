import type { WorkerBook } from './worker-book.js';
import type { WorkerProcess } from './worker-proc.js';

/**
 * What a drill needs of the worker fleet it runs on: its workers and their book, a way to warn,
 * and the two things a failover does to sessions. WorkerFleet (pool.ts) has this shape; drills.ts
 * names this interface instead, so pool.ts and drills.ts do not import each other.
 */
export interface DrilledFleet {
  readonly workers: WorkerProcess[];
  readonly wbook: WorkerBook;
  /** Workers whose exit the harness caused, so it is not reported as a fault. */
  readonly expectedExit: Set<number>;
  emit(event: 'warning', message: string): boolean;
  markEnded(i: number, at: number): void;
  redispatch(i: number): Promise<void>;
}
