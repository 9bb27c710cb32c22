/**
 * Worker thread: decodes one peer's results blob (report-decode.ts) away
 * from the control loop, posts the outcome and ends.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { decodeReportBlob } from './report-decode.js';
import type { ReportBounds } from './report-bounds.js';

const { compressed, bounds } = workerData as { compressed: Uint8Array; bounds: ReportBounds };
parentPort?.postMessage(decodeReportBlob(compressed, bounds));
