/**
 * Nonce-memory denial of service (issue 10 audit): a listener used to store
 * the nonce of every hello before the cookie validated the client's address,
 * in a memory capped at 65,536 entries for 60 s, so 70,000 well-formed hellos
 * (from any, possibly spoofed, address) made real clients get "the listener is
 * busy: too many recent hellos". A hello must store nothing: only a session
 * that passed the cookie (and, with a secret, the tag) spends its nonce.
 *
 * The listener runs in this process with its memory capped small (an internal
 * option), so a flood well past the cap takes a fraction of a second instead
 * of 70,000 datagrams; the bound is the same code path.
 */
import { afterEach, describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import { runCli } from './cli.js';
import { runListener, type ListenConfig } from '../src/bench/listen.js';
import { CONTROL_VERSION, HELLO_BYTES, NonceMemory, hmac, jsonBody, nonce } from '../src/bench/control.js';
import { decodeControl, encodeControl, Kind } from '../src/udp/wire.js';
import type { Clock } from '../src/udp/clock.js';

const CAP = 64;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A listener on a free loopback port, in this process, with a nonce memory of {@link CAP}. */
async function listen(extra: Partial<ListenConfig> = {}): Promise<{ port: number; lines: string[]; results: number; done: Promise<number> }> {
  const stop = new AbortController();
  const lines: string[] = [];
  const state = { port: 0, lines, results: 0, done: Promise.resolve(0) };
  let bound: () => void = () => undefined;
  const listening = new Promise<void>((r) => (bound = r));
  const cfg: ListenConfig = { host: '127.0.0.1', family: 4, port: 0, threads: 'single', secret: null, maxRate: null, maxTotalRate: null, maxDurationSeconds: null, maxClients: 4, once: false, nonceMemoryEntries: CAP, ...extra };
  state.done = runListener(cfg, {
    signal: stop.signal,
    onLog: (line) => lines.push(line),
    onListening: (_address, port) => {
      state.port = port;
      bound();
    },
    onResult: () => void state.results++,
  });
  cleanups.push(async () => {
    stop.abort();
    await state.done;
  });
  await listening;
  return state;
}

/** Sends fresh, well-formed hellos (with the auth of `secret`) in batches until `want` cookies came back (bounded by count and time). */
async function flood(port: number, want: number, secret: string | null = null): Promise<{ sent: number; cookies: number; busy: number; refused: number }> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => s.close(() => r())));
  const got = { sent: 0, cookies: 0, busy: 0, refused: 0 };
  s.on('message', (msg: Buffer) => {
    const kind = decodeControl(msg)?.kind;
    if (kind === Kind.Cookie) got.cookies++;
    else if (kind === Kind.Busy) got.busy++;
    else if (kind === Kind.Refuse) got.refused++;
  });
  const deadline = Date.now() + 20_000; // test deadline only
  const BATCH = 50;
  // At most 40 × want hellos: enough even if the loopback drops most of them.
  while (got.cookies < want && got.sent < 40 * want && Date.now() < deadline) {
    for (let i = 0; i < BATCH; i++) {
      got.sent++;
      const n = nonce();
      const auth = secret === null ? null : hmac(secret, 'hello', n);
      s.send(encodeControl({ kind: Kind.Hello, session: 0, msgId: got.sent, sendTimeNs: 0, body: jsonBody({ v: CONTROL_VERSION, nonce: n, auth }), padTo: HELLO_BYTES }), port, '127.0.0.1');
    }
    // Let the listener (same event loop) read them and answer before the next batch.
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 2));
  }
  // The last answers in flight.
  for (let i = 0; i < 50 && got.cookies + got.busy + got.refused < got.sent; i++) await new Promise((r) => setTimeout(r, 10));
  return got;
}

describe('a flood of well-formed hellos, more than the nonce memory holds', () => {
  it('stores nothing: every hello still gets a cookie, and a real client then completes a session', async () => {
    const l = await listen();
    const f = await flood(l.port, 20 * CAP);
    console.log(`hello flood: ${f.sent} sent, ${f.cookies} cookies, ${f.busy} busy, ${f.refused} refused (nonce memory cap ${CAP})`);
    // Far more hellos were processed than the memory holds, and none was turned away.
    expect(f.cookies).toBeGreaterThanOrEqual(20 * CAP);
    expect(f.busy).toBe(0);
    expect(f.refused).toBe(0);
    expect(l.lines.filter((x) => /busy|too many recent/.test(x))).toEqual([]);
    // A real client right after the flood is served.
    const r = await runCli(['duplex', '--peer', `127.0.0.1:${l.port}`, '--duration', '1', '--rate', '1k', '--no-save', '--json'], { timeoutMs: 30_000 });
    expect(r.stderr).not.toMatch(/busy/);
    expect(r.code).toBe(0);
    for (let i = 0; i < 100 && l.results === 0; i++) await new Promise((res) => setTimeout(res, 50));
    expect(l.results).toBe(1);
    expect(l.lines.some((x) => /session [0-9a-f]+ with 127\.0\.0\.1:/.test(x))).toBe(true);
  }, 60_000);

  it('with a shared secret too: hellos with a valid auth store nothing either', async () => {
    const l = await listen({ secret: 'flood-me' });
    const f = await flood(l.port, 20 * CAP, 'flood-me');
    expect(f.cookies).toBeGreaterThanOrEqual(20 * CAP);
    expect(f.busy).toBe(0);
    expect(f.refused).toBe(0);
    const r = await runCli(['duplex', '--peer', `127.0.0.1:${l.port}`, '--duration', '1', '--rate', '1k', '--no-save', '--json', '--secret', 'flood-me'], { timeoutMs: 30_000 });
    expect(r.code).toBe(0);
    for (let i = 0; i < 100 && l.results === 0; i++) await new Promise((res) => setTimeout(res, 50));
    expect(l.results).toBe(1);
  }, 60_000);
});

describe('the memory of spent nonces', () => {
  const clock = (): Clock & { t: number } => {
    const c = { t: 1e9, nowNs: () => c.t };
    return c;
  };

  it('remembers a spent nonce for its lifetime, then forgets it', () => {
    const c = clock();
    const m = new NonceMemory(c, 60e9, 4);
    expect(m.spent('a')).toBe(false);
    expect(m.size).toBe(0); // a look-up stores nothing
    expect(m.spend('a')).toBe(true);
    expect(m.spent('a')).toBe(true);
    c.t += 59e9;
    expect(m.spent('a')).toBe(true);
    c.t += 1e9;
    expect(m.spent('a')).toBe(false);
  });

  it('is bounded: when full of live nonces it refuses to spend (no session starts), and frees expired ones', () => {
    const c = clock();
    const m = new NonceMemory(c, 60e9, 4);
    for (const n of ['a', 'b', 'c', 'd']) {
      expect(m.spend(n)).toBe(true);
      c.t += 1e9;
    }
    expect(m.spend('e')).toBe(false);
    expect(m.spent('e')).toBe(false);
    expect(m.size).toBe(4);
    // 'a' expires first (spent first): room for one.
    c.t = 1e9 + 60e9;
    expect(m.spend('e')).toBe(true);
    expect(m.spent('a')).toBe(false);
    expect(m.spent('b')).toBe(true);
    expect(m.spend('f')).toBe(false);
    expect(m.size).toBe(4);
  });
});
