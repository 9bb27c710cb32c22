import { describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import { runCli } from './cli.js';
import { startListener } from './listener.js';
import { decodeControl, encodeControl, Kind } from '../src/udp/wire.js';
import { CONTROL_VERSION, HELLO_BYTES, jsonBody, nonce } from '../src/bench/control.js';
import { RateLimitedLog } from '../src/bench/log-limit.js';

/** How many events a log line stands for: itself, plus the "(and N more in the last 1 s)" it folds in. */
const events = (line: string): number => 1 + Number(/\(and (\d+) more in the last 1 s\)$/.exec(line)?.[1] ?? 0);

describe('a hello flood during a busy session', () => {
  it('is answered, but logged at most once per second per kind, every event counted in some line', async () => {
    // One session at a time: every well-formed hello while it runs is answered busy.
    const l = await startListener(['--max-clients', '1']);
    const s = dgram.createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    let busyReplies = 0;
    s.on('message', (msg: Buffer) => {
      if (decodeControl(msg)?.kind === Kind.Busy) busyReplies++;
    });
    // Every complete stderr line with its arrival time (ms), to check the spacing of lines of one kind.
    const stamped: { t: number; line: string }[] = [];
    let partial = '';
    l.child.stderr?.on('data', (d: Buffer) => {
      const parts = (partial + d.toString()).split('\n');
      partial = parts.pop() ?? '';
      const t = performance.now();
      for (const line of parts) stamped.push({ t, line });
    });
    try {
      const first = runCli(['duplex', '--peer', `127.0.0.1:${l.port}`, '--duration', '6', '--rate', '1k', '--no-save', '--json']);
      await l.waitFor(/session [0-9a-f]+ with/);
      const t0 = performance.now();
      // For 3 s (bounded: 30 rounds of 100 ms): 50 fresh well-formed hellos (busy) and 50 malformed ones per round.
      let malformedSent = 0;
      for (let round = 0; round < 30; round++) {
        for (let i = 0; i < 50; i++) {
          const hello = encodeControl({ kind: Kind.Hello, session: 0, msgId: round * 100 + i + 1, sendTimeNs: 0, body: jsonBody({ v: CONTROL_VERSION, nonce: nonce(), auth: null }), padTo: HELLO_BYTES });
          s.send(hello, l.port, '127.0.0.1');
          const bad = encodeControl({ kind: Kind.Hello, session: 0, msgId: round * 100 + i + 51, sendTimeNs: 0, body: jsonBody({ v: CONTROL_VERSION, nonce: 'not hex', auth: null }), padTo: HELLO_BYTES });
          s.send(bad, l.port, '127.0.0.1');
          malformedSent++;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      const floodEnd = performance.now();
      const r = await first;
      expect(r.code).toBe(0);
      await new Promise((res) => setTimeout(res, 1300)); // the last window's line
      const kinds = {
        busy: stamped.filter((x) => x.t >= t0 && /^bench listen: busy: /.test(x.line)),
        malformed: stamped.filter((x) => x.t >= t0 && /ignored a malformed hello/.test(x.line)),
      };
      // Lines of a kind can appear from the first event to one window after the last.
      const seconds = (floodEnd - t0) / 1000 + 1;
      for (const [kind, lines] of Object.entries(kinds)) {
        const gaps = lines.slice(1).map((x, i) => x.t - (lines[i]?.t ?? 0));
        console.log(`${kind}: ${lines.length} lines over ${seconds.toFixed(1)} s, gaps ${gaps.map((g) => g.toFixed(0)).join(', ')} ms, ${lines.reduce((n, x) => n + events(x.line), 0)} events`);
        expect(lines.length, kind).toBeGreaterThanOrEqual(2);
        expect(lines.length, kind).toBeLessThanOrEqual(Math.floor(seconds) + 1);
        // At most one line per second: consecutive lines of a kind a window apart (less a pipe's jitter).
        for (const g of gaps) expect(g, `${kind} lines ${gaps.map((x) => x.toFixed(0)).join(', ')} ms apart`).toBeGreaterThanOrEqual(800);
      }
      // Every busy reply is counted in the log, none silently lost; so is every malformed hello that arrived.
      const busyCounted = kinds.busy.reduce((n, x) => n + events(x.line), 0);
      const malformedCounted = kinds.malformed.reduce((n, x) => n + events(x.line), 0);
      console.log(`${busyReplies} busy replies; ${malformedSent} malformed hellos sent, ${malformedCounted} logged`);
      expect(busyReplies).toBeGreaterThan(300); // still answered (a reply no larger than the hello)
      expect(busyCounted).toBe(busyReplies);
      expect(malformedCounted).toBeLessThanOrEqual(malformedSent);
      expect(malformedCounted).toBeGreaterThan(malformedSent * 0.9);
    } finally {
      s.close();
      await l.stop();
    }
  }, 60_000);
});

describe('the rate-limited log', () => {
  it('prints the first event at once, folds the rest of the window into one line, and never two lines of a kind within a window', async () => {
    const clock = { t: 0, nowNs: () => clock.t };
    const out: { t: number; line: string }[] = [];
    const log = new RateLimitedLog((line) => out.push({ t: clock.t, line }), clock, 50);
    log.log('busy', 'busy 1');
    expect(out.map((x) => x.line)).toEqual(['busy 1']);
    clock.t = 10e6;
    log.log('busy', 'busy 2');
    log.log('busy', 'busy 3');
    log.log('refused', 'refused 1'); // another kind has its own window
    expect(out.map((x) => x.line)).toEqual(['busy 1', 'refused 1']);
    // The window ends: one line, the latest event with the count of the others.
    clock.t = 60e6;
    await new Promise((r) => setTimeout(r, 120));
    expect(out.map((x) => x.line)).toEqual(['busy 1', 'refused 1', 'busy 3 (and 1 more in the last 50 ms)']);
    // An event right after that line waits for the next window (no second line within one).
    clock.t = 70e6;
    log.log('busy', 'busy 4');
    expect(out).toHaveLength(3);
    clock.t = 200e6;
    await new Promise((r) => setTimeout(r, 120));
    expect(out.map((x) => x.line)).toEqual(['busy 1', 'refused 1', 'busy 3 (and 1 more in the last 50 ms)', 'busy 4']);
    // A quiet kind prints its next event at once; close() prints what is held back.
    clock.t = 400e6;
    log.log('busy', 'busy 5');
    log.log('busy', 'busy 6');
    log.close();
    expect(out.map((x) => x.line).slice(4)).toEqual(['busy 5', 'busy 6']);
    const busyTimes = out.filter((x) => x.line.startsWith('busy')).map((x) => x.t);
    for (let i = 1; i < busyTimes.length - 1; i++) expect((busyTimes[i] as number) - (busyTimes[i - 1] as number)).toBeGreaterThanOrEqual(50e6);
  });
});
