/**
 * The parse worker (a worker thread started by `parallel.ts`): claims files one at a time from
 * the counter it shares with the main thread, reads and parses each, and posts its reading. Every
 * failure is posted as the file's reading, never thrown: the main thread decides what it means.
 */
import { workerData } from 'node:worker_threads';
import { readDocuments } from './read';
import { encodeDocuments, encodeError, FileReading, ParseWorkerData, SLOT } from './transfer';

const { files, order, maxBytes, state, port } = workerData as ParseWorkerData;
const slots = new Int32Array(state);

for (let k = Atomics.add(slots, SLOT.next, 1); k < files.length; k = Atomics.add(slots, SLOT.next, 1)) {
  const i = order[k];
  let reading: FileReading;
  try {
    reading = encodeDocuments(i, readDocuments(files[i], maxBytes));
  } catch (e) {
    reading = encodeError(i, e);
  }
  try {
    port.postMessage(reading);
  } catch (e) {
    port.postMessage(encodeError(i, e));
  }
  Atomics.add(slots, SLOT.posted, 1);
  Atomics.notify(slots, SLOT.posted);
}
port.close();
