/**
 * Reading many manifest files on two threads: the calling thread and one parse worker
 * (`parse-worker.ts`) take files from one shared counter, largest first, so whichever is free
 * reads the next one and neither waits long for the other at the end. The calling thread
 * collects the worker's readings (see `transfer.ts`) without leaving the synchronous call: it
 * blocks on the shared counter of posted readings (`Atomics.wait`) and takes each with
 * `receiveMessageOnPort`.
 *
 * The result is the same as reading the files one by one on one thread, in the same order:
 * each file's documents, or the error that stopped reading it (its `ManifestError`, exactly as
 * it would have been thrown). Anything else going wrong in the worker (it does not start, it
 * fails on a file, it stops posting for {@link STALL_MS}) only means the calling thread reads
 * those files itself.
 */
import * as os from 'node:os';
import { MessageChannel, MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { ManifestFile, readDocuments } from './read';
import { decodeReading, FileReading, ParseWorkerData, SLOT } from './transfer';
import { ManifestError } from './types';
import { parseWorkerScript } from './worker-script';
import type { YamlDocument } from './yaml';

/**
 * Below this many bytes of manifests in all (about 0.1 s of parsing), a worker that needs about
 * 35 ms to start and then runs cold code has little left to take over.
 */
export const PARALLEL_MIN_BYTES = 2 * 1024 * 1024;

/** How long the worker may post nothing before the calling thread reads what it has not posted. */
export const STALL_MS = 5000;

/** One file's reading: its documents, or the error that stops reading it. */
export type Reading = YamlDocument[] | ManifestError;

/** Options of {@link readInParallel}. */
export interface ParallelOptions {
  readonly maxBytes: number;
  /** The worker's script. @default - {@link parseWorkerScript} */
  readonly script?: string;
  /** The size of each file, when known: files are then taken largest first. */
  readonly sizes?: readonly number[];
  /** Whether the calling thread reads files too (tests turn it off to make the worker read every file). @default true */
  readonly callerReads?: boolean;
  /** How long the worker may post nothing. @default {@link STALL_MS} */
  readonly stallMs?: number;
}

/** The readings of `files` in order, and how many of them the worker read. */
export interface ParallelReadings {
  readonly readings: Reading[];
  readonly byWorker: number;
}

/**
 * Whether reading files of these sizes is worth a worker on this machine now: unless it is
 * overloaded (the load average of the last minute at or above the number of cores plus one).
 * Measured on 2 cores, 19 MB, medians of 8 to 10 interleaved runs of loading alone: at a load
 * of 2.4 to 2.9 the worker reads them in 1.0 s against 1.16 s on one thread; at 3.3 to 4.3
 * in 1.2 s against 0.86 s, because the two threads then share the time of one core and the
 * worker's JSON costs both sides. With a core free, the worker reads at about 1/1.2 the speed of
 * the calling thread, which spends 0.1 of a file's parse taking its reading back: the calling
 * thread reads about half and is done in about 0.6 of the time.
 */
export function worthAWorker(sizes: readonly number[]): boolean {
  const cores = os.availableParallelism();
  return sizes.length > 1 && sizes.reduce((a, b) => a + b, 0) >= PARALLEL_MIN_BYTES && cores > 1 && os.loadavg()[0] < cores + 1;
}

/** A posted reading's documents or error; undefined when it failed otherwise (read the file again). */
function decodeOrUndefined(r: FileReading): Reading | undefined {
  try {
    return decodeReading(r);
  } catch (e) {
    return e instanceof ManifestError ? e : undefined;
  }
}

/**
 * Hands each reading the worker posts to `take` while `wanted()`, blocking between posts; gives
 * up when nothing is posted for `stallMs`.
 */
function receive(inbox: MessagePort, slots: Int32Array, wanted: () => boolean, stallMs: number, take: (r: FileReading) => void): void {
  let lastPost = Date.now();
  while (wanted()) {
    // Read the count before looking: a reading posted after the look changes it, so the wait returns at once.
    const posted = Atomics.load(slots, SLOT.posted);
    const message = receiveMessageOnPort(inbox);
    if (message !== undefined) {
      lastPost = Date.now();
      take(message.message as FileReading);
      continue;
    }
    const waited = Date.now() - lastPost;
    if (waited >= stallMs) return;
    Atomics.wait(slots, SLOT.posted, posted, stallMs - waited);
  }
}

function readHere(f: ManifestFile, maxBytes: number): Reading {
  try {
    return readDocuments(f, maxBytes);
  } catch (e) {
    if (e instanceof ManifestError) return e;
    throw e;
  }
}

/**
 * Reads `files` on this thread and a parse worker (see the module's comment); without a worker
 * script, on this thread alone.
 * @throws only what reading a file on this thread throws besides `ManifestError` (a defect)
 */
export function readInParallel(files: readonly ManifestFile[], options: ParallelOptions): ParallelReadings {
  const { maxBytes, stallMs = STALL_MS } = options;
  const script = options.script ?? parseWorkerScript();
  if (script === undefined) return { readings: files.map((f) => readHere(f, maxBytes)), byWorker: 0 };
  const slots = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
  const { port1: inbox, port2: outbox } = new MessageChannel();
  const sizes = options.sizes;
  const order = files.map((_, i) => i);
  if (sizes) order.sort((a, b) => sizes[b] - sizes[a] || a - b);
  const data: ParseWorkerData = { files, order, maxBytes, state: slots.buffer, port: outbox };
  let worker: Worker | undefined;
  try {
    worker = new Worker(script, { workerData: data, transferList: [outbox], stdout: true, stderr: true });
    worker.on('error', () => undefined); // a worker that fails only leaves its files to this thread
    worker.unref();
  } catch {
    worker = undefined;
  }
  const readings: (Reading | undefined)[] = new Array<Reading | undefined>(files.length);
  let missing = files.length;
  let byWorker = 0;
  const settle = (i: number, r: Reading): void => {
    if (readings[i] !== undefined) return;
    readings[i] = r;
    missing--;
  };
  try {
    if (options.callerReads ?? true) {
      for (let k = Atomics.add(slots, SLOT.next, 1); k < files.length; k = Atomics.add(slots, SLOT.next, 1)) settle(order[k], readHere(files[order[k]], maxBytes));
    }
    if (worker !== undefined) {
      receive(inbox, slots, () => missing > 0, stallMs, (r) => {
        const docs = decodeOrUndefined(r);
        if (docs !== undefined && readings[r.index] === undefined) byWorker++;
        settle(r.index, docs ?? readHere(files[r.index], maxBytes));
      });
    }
    // Whatever the worker did not post (it never started, or stalled) is read here; it claims nothing more.
    Atomics.store(slots, SLOT.next, files.length);
    for (let i = 0; i < files.length; i++) if (readings[i] === undefined) settle(i, readHere(files[i], maxBytes));
  } finally {
    inbox.close();
    void worker?.terminate();
  }
  return { readings: readings as Reading[], byWorker };
}
