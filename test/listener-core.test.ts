/**
 * The listener's control logic in-process (issue 22): real frames (encoded
 * and decoded by the wire module, tagged with the real HMAC), a fake channel
 * that records what would be sent, a fake clock, no sockets. Every
 * transition of a session and every refusal reason is driven here; the
 * socket tests (listen-*.test.ts, remote-*.test.ts) check the same listener
 * end to end.
 */
import { describe, expect, it } from 'vitest';
import { CONTROL_VERSION, HELLO_BYTES, frameTag, hmac, jsonBody, nonce, parseBody, sessionKey, type Incoming, type PeerAddress } from '../src/bench/control.js';
import { CONTROL_HEADER_BYTES, Kind, TAG_BYTES, decodeControl, encodeControl } from '../src/udp/wire.js';
import { ListenerCore, type ControlPort } from '../src/bench/listener-core.js';
import { START_DELAY_MS } from '../src/bench/defaults.js';
import { ListenerSession, MAX_PROBES_PER_SESSION, isTerminal, transition, type SessionEvent, type SessionState } from '../src/bench/listener-session.js';
import { RateLimitedLog } from '../src/bench/log-limit.js';
import type { ListenConfig } from '../src/bench/listen.js';
import { goodParams } from './crafted-client.js';
import { localConfig } from './helpers.js';

interface Sent {
  to: PeerAddress;
  kind: number;
  session: number;
  msgId: number;
  body: unknown;
  bytes: number;
}

const baseCfg: ListenConfig = { host: '127.0.0.1', family: 4, port: 0, threads: 'single', secret: null, maxRate: null, maxTotalRate: null, maxDurationSeconds: null, maxClients: 1, once: false };

/** A listener core with a fake channel and clock; `run` decides how each session's data phase ends. */
function harness(cfg: Partial<ListenConfig> = {}) {
  const clock = { t: 1e12, nowNs(): number { return this.t; } };
  const sent: Sent[] = [];
  const keys = new Map<string, Buffer | null>();
  const ch: ControlPort = {
    send: (f) => (sent.push({ to: f.to, kind: f.kind, session: f.session, msgId: f.msgId, body: parseBody(f.body), bytes: f.body.length + CONTROL_HEADER_BYTES }), f.body.length),
    setKey: (peer, key) => void keys.set(`${peer.address}:${peer.port}`, key),
  };
  const lines: string[] = [];
  const limited = new RateLimitedLog((l) => lines.push(l), clock, 0);
  const runs: { s: ListenerSession; end: () => void }[] = [];
  let id = 0x100;
  const core = new ListenerCore({
    cfg: { ...baseCfg, ...cfg },
    port: 5201,
    ch,
    clock,
    log: (l) => lines.push(l),
    limited,
    newId: () => id++,
    runSession: (s) => new Promise<void>((resolve) => runs.push({ s, end: resolve })),
  });
  return { core, clock, sent, lines, runs, keys };
}

let port = 40000;
const client = (): PeerAddress => ({ address: '127.0.0.1', port: port++ });

/** A frame as the channel would deliver it. */
function frame(from: PeerAddress, kind: number, body: unknown, o: { session?: number; msgId?: number; padTo?: number; key?: Buffer; auth?: Incoming['auth']; sendTimeNs?: number } = {}): Incoming {
  const b = typeof body === 'string' ? Buffer.from(body) : jsonBody(body);
  const buf = encodeControl({ kind, session: o.session ?? 0, msgId: o.msgId ?? 7, sendTimeNs: o.sendTimeNs ?? 123, body: b, padTo: o.padTo ?? 0, tagged: o.key !== undefined });
  if (o.key !== undefined) frameTag(o.key, buf.subarray(0, buf.length - TAG_BYTES)).copy(buf, buf.length - TAG_BYTES);
  const f = decodeControl(buf);
  if (f === null) throw new Error('not a frame');
  return { frame: f, body: parseBody(f.body), from, bytes: buf.length, auth: o.auth ?? (o.key !== undefined ? 'no-key' : 'untagged'), arrivalNs: 5 };
}

function hello(from: PeerAddress, o: { nonce?: string; v?: number; auth?: string | null; padTo?: number } = {}): Incoming {
  return frame(from, Kind.Hello, { v: o.v ?? CONTROL_VERSION, nonce: o.nonce ?? nonce(), auth: o.auth ?? null }, { padTo: o.padTo ?? HELLO_BYTES });
}

const last = (sent: Sent[]) => sent[sent.length - 1] as Sent;

/** Hello → cookie → parameters; returns the parameters frame's reply. */
function open(h: ReturnType<typeof harness>, from: PeerAddress, o: { params?: unknown; config?: unknown; secret?: string; tagParams?: boolean; n?: string } = {}): Sent {
  const n = o.n ?? nonce();
  const auth = o.secret === undefined ? null : hmac(o.secret, 'hello', n);
  h.core.handle(hello(from, { nonce: n, auth }));
  const cookie = last(h.sent);
  expect(cookie.kind).toBe(Kind.Cookie);
  const c = cookie.body as { cookie: string; nonce: string };
  const key = o.secret !== undefined && o.tagParams !== false ? sessionKey(o.secret, n, c.nonce) : undefined;
  h.core.handle(frame(from, Kind.Params, { nonce: n, cookie: c.cookie, params: o.params ?? goodParams, config: o.config ?? localConfig(), startedAt: 'test' }, key === undefined ? {} : { key }));
  return last(h.sent);
}

describe('the session state machine', () => {
  const states: SessionState[] = ['binding', 'awaiting-go', 'running', 'lingering', 'done', 'gave-up', 'stopped', 'no-go', 'failed'];
  const events: SessionEvent[] = ['bound', 'go', 'client-abort', 'stop', 'go-timeout', 'finished', 'linger-over', 'error'];

  it('has exactly the documented transitions; terminal states accept no event', () => {
    const table: Record<string, string> = {};
    for (const s of states) for (const e of events) {
      const n = transition(s, e);
      if (n !== null) table[`${s} ${e}`] = n;
    }
    expect(table).toEqual({
      'binding bound': 'awaiting-go',
      'binding client-abort': 'gave-up',
      'binding stop': 'stopped',
      'binding error': 'failed',
      'awaiting-go go': 'running',
      'awaiting-go client-abort': 'gave-up',
      'awaiting-go stop': 'stopped',
      'awaiting-go go-timeout': 'no-go',
      'awaiting-go error': 'failed',
      'running finished': 'lingering',
      'running error': 'failed',
      'lingering linger-over': 'done',
    });
    expect(states.filter(isTerminal)).toEqual(['done', 'gave-up', 'stopped', 'no-go', 'failed']);
  });

  it('every state is reachable from binding', () => {
    const seen = new Set<SessionState>(['binding']);
    for (let grew = true; grew; ) {
      grew = false;
      for (const s of [...seen]) for (const e of events) {
        const n = transition(s, e);
        if (n !== null && !seen.has(n)) {
          seen.add(n);
          grew = true;
        }
      }
    }
    expect([...seen].sort()).toEqual([...states].sort());
  });
});

describe('the listener core in-process: the handshake', () => {
  it('answers a hello with a cookie no larger than the hello, and stores nothing', () => {
    const h = harness();
    const from = client();
    const m = hello(from);
    h.core.handle(m);
    const r = last(h.sent);
    expect(r.kind).toBe(Kind.Cookie);
    expect(r.bytes).toBeLessThanOrEqual(m.bytes);
    expect((r.body as { you: string }).you).toBe(`127.0.0.1:${from.port}`);
    expect(h.core.sessions.size).toBe(0);
    expect(h.core.nonces.size).toBe(0);
  });

  it('accepts parameters with a valid cookie: a session in binding, its run started, two log lines', () => {
    const h = harness();
    const from = client();
    const r = open(h, from);
    expect(r.kind).toBe(Kind.Accept);
    expect(r.body).toEqual({ session: 0x100, threads: 'single' });
    expect(h.runs).toHaveLength(1);
    const s = h.runs[0]?.s as ListenerSession;
    expect(s.state).toBe('binding');
    expect(s.setup.cfg.port).toBe(5201);
    expect(h.lines).toEqual([`session 100 with 127.0.0.1:${from.port}`, 'session 100: 1 s, 200 B, A→B 100/s, B→A 100/s']);
  });

  it('answers retransmitted parameters with the same accept, and starts nothing new', () => {
    const h = harness();
    const from = client();
    const n = nonce();
    const first = open(h, from, { n });
    h.core.handle(hello(from, { nonce: nonce() }));
    const c = last(h.sent).body as { cookie: string };
    h.core.handle(frame(from, Kind.Params, { nonce: n, cookie: c.cookie, params: goodParams, config: localConfig(), startedAt: 'test' }));
    expect(last(h.sent).body).toEqual(first.body);
    expect(h.runs).toHaveLength(1);
  });

  // Every refusal reason, with what is answered and what is logged.
  const refusals: { name: string; run: (h: ReturnType<typeof harness>) => void; cfg?: Partial<ListenConfig>; reply: number | null; reason?: RegExp; log: RegExp | null }[] = [
    { name: 'a malformed hello', run: (h) => h.core.handle(frame(client(), Kind.Hello, { v: 'x' }, { padTo: HELLO_BYTES })), reply: null, log: /ignored a malformed hello from 127\.0\.0\.1:\d+/ },
    { name: 'another protocol version', run: (h) => h.core.handle(hello(client(), { v: 99 })), reply: Kind.Refuse, reason: /control protocol version 99 not supported \(this listener speaks 2\)/, log: null },
    { name: 'a wrong secret', cfg: { secret: 's3cret' }, run: (h) => h.core.handle(hello(client(), { auth: 'ab'.repeat(32) })), reply: Kind.Refuse, reason: /authentication failed/, log: /refused 127\.0\.0\.1:\d+: wrong or missing shared secret/ },
    {
      name: 'a replayed hello',
      run: (h) => {
        const n = nonce();
        open(h, client(), { n });
        h.core.handle(hello(client(), { nonce: n }));
      },
      cfg: { maxClients: 4 },
      reply: Kind.Refuse,
      reason: /nonce already used/,
      log: /replayed hello/,
    },
    {
      name: 'a hello over --max-clients',
      run: (h) => {
        open(h, client());
        h.core.handle(hello(client()));
      },
      reply: Kind.Busy,
      reason: /one session at a time|running/,
      log: /busy: answered 127\.0\.0\.1:\d+ \(1 running\)/,
    },
    {
      name: 'a hello while closing',
      run: (h) => {
        h.core.stopAll();
        h.core.handle(hello(client()));
      },
      reply: Kind.Refuse,
      reason: /shutting down/,
      log: null,
    },
    { name: 'parameters without a nonce', run: (h) => h.core.handle(frame(client(), Kind.Params, { cookie: 'x' })), reply: null, log: /ignored malformed parameters/ },
    { name: 'parameters without a valid cookie', run: (h) => h.core.handle(frame(client(), Kind.Params, { nonce: nonce(), cookie: 'forged' })), reply: null, log: /no valid cookie for that address and port/ },
    { name: 'parameters that fail the schema', run: (h) => open(h, client(), { params: { ...goodParams, sizeBytes: 'big' } }), reply: Kind.Refuse, reason: /malformed test parameters at \/params\/sizeBytes/, log: /malformed parameters at \/params\/sizeBytes/ },
    {
      name: 'a second session from the same client port',
      run: (h) => {
        const from = client();
        open(h, from);
        open(h, from);
      },
      cfg: { maxClients: 4 },
      reply: Kind.Busy,
      reason: /a session from 127\.0\.0\.1:\d+ is still running/,
      log: /busy: answered/,
    },
    {
      name: 'parameters while closing',
      run: (h) => {
        const from = client();
        h.core.handle(hello(from));
        const c = last(h.sent).body as { cookie: string };
        h.core.stopAll();
        h.core.handle(frame(from, Kind.Params, { nonce: nonce(), cookie: c.cookie, params: goodParams, config: localConfig(), startedAt: 'test' }));
      },
      reply: Kind.Refuse,
      reason: /shutting down/,
      log: null,
    },
    {
      name: 'parameters over --max-clients (both hellos answered first)',
      run: (h) => {
        const a = client();
        const b = client();
        h.core.handle(hello(a));
        const ca = last(h.sent).body as { cookie: string };
        h.core.handle(hello(b));
        const cb = last(h.sent).body as { cookie: string };
        h.core.handle(frame(a, Kind.Params, { nonce: nonce(), cookie: ca.cookie, params: goodParams, config: localConfig(), startedAt: 'test' }));
        h.core.handle(frame(b, Kind.Params, { nonce: nonce(), cookie: cb.cookie, params: goodParams, config: localConfig(), startedAt: 'test' }));
      },
      reply: Kind.Busy,
      reason: /running/,
      log: /busy: answered/,
    },
    { name: 'untagged parameters under a secret', cfg: { secret: 's3cret' }, run: (h) => open(h, client(), { secret: 's3cret', tagParams: false }), reply: Kind.Refuse, reason: /authentication failed/, log: /parameters without a valid authentication tag/ },
    { name: 'a rate over --max-rate', cfg: { maxRate: { unit: 'datagrams', perSecond: 50 } }, run: (h) => open(h, client()), reply: Kind.Refuse, reason: /exceeds this listener's --max-rate 50 datagrams\/s/, log: /refused 127\.0\.0\.1:\d+: rate/ },
    {
      name: 'a session over --max-total-rate',
      cfg: { maxClients: 4, maxTotalRate: { unit: 'datagrams', perSecond: 150 } },
      run: (h) => {
        open(h, client());
        open(h, client());
      },
      reply: Kind.Refuse,
      reason: /--max-total-rate/,
      log: /refused 127\.0\.0\.1:\d+: .*--max-total-rate/,
    },
    { name: 'a duration over --max-duration', cfg: { maxDurationSeconds: 0.5 }, run: (h) => open(h, client()), reply: Kind.Refuse, reason: /duration/, log: /refused/ },
    { name: 'a pattern the listener cannot plan', run: (h) => open(h, client(), { config: localConfig({ patternBa: { kind: 'voice', codec: 'nope' } as never }) }), reply: Kind.Refuse, reason: /./, log: /refused/ },
    {
      name: 'a full nonce memory',
      cfg: { maxClients: 4, nonceMemoryEntries: 1 },
      run: (h) => {
        open(h, client());
        open(h, client());
      },
      reply: Kind.Busy,
      reason: /too many recent sessions/,
      log: /nonce memory full: 1 sessions/,
    },
  ];

  for (const r of refusals) {
    it(`refuses ${r.name}: ${r.reply === null ? 'no reply' : r.reply === Kind.Busy ? 'busy' : 'refuse'}${r.log === null ? '' : ', logged'}`, () => {
      const h = harness(r.cfg);
      const sessionsBefore = () => h.runs.length;
      r.run(h);
      const runs = sessionsBefore();
      const replies = h.sent.filter((s) => s.kind === Kind.Refuse || s.kind === Kind.Busy);
      if (r.reply === null) expect(replies).toHaveLength(0);
      else {
        expect(replies.length, JSON.stringify(h.sent)).toBeGreaterThan(0);
        const x = replies[replies.length - 1] as Sent;
        expect(x.kind).toBe(r.reply);
        expect((x.body as { reason: string }).reason).toMatch(r.reason ?? /./);
      }
      if (r.log === null) expect(h.lines.filter((l) => /refused|busy|ignored|replay/.test(l))).toEqual([]);
      else expect(h.lines.some((l) => (r.log as RegExp).test(l)), h.lines.join('\n')).toBe(true);
      // A refusal never starts a session beyond those the scenario opened on purpose.
      expect(runs).toBeLessThanOrEqual(1);
    });
  }

  it('refuses a replayed parameters message silently but logs it; a stale cookie from a past client is logged as a replay', async () => {
    const h = harness({ maxClients: 4 });
    const from = client();
    const n = nonce();
    open(h, from, { n });
    // The same nonce from another port (its own valid cookie): replayed parameters.
    const other = client();
    h.core.handle(hello(other, { nonce: nonce() }));
    const c = last(h.sent).body as { cookie: string };
    const before = h.sent.length;
    h.core.handle(frame(other, Kind.Params, { nonce: n, cookie: c.cookie, params: goodParams, config: localConfig(), startedAt: 'test' }));
    expect(h.sent.length).toBe(before);
    expect(h.lines.some((l) => /refused 127\.0\.0\.1:\d+: replayed parameters/.test(l))).toBe(true);
    // The first session ends; its client then presents a forged cookie: a replay, logged.
    h.runs[0]?.end();
    await new Promise((r) => setImmediate(r));
    h.core.handle(frame(from, Kind.Params, { nonce: nonce(), cookie: 'stale' }));
    expect(h.lines.some((l) => /ignored parameters from 127\.0\.0\.1:\d+: stale cookie \(its session 100 ended; a replay\?\)/.test(l))).toBe(true);
  });
});

describe('the listener core in-process: a session from accept to its end', () => {
  function accepted(cfg: Partial<ListenConfig> = {}) {
    const h = harness(cfg);
    const from = client();
    open(h, from, cfg.secret ? { secret: cfg.secret } : {});
    const run = h.runs[0] as { s: ListenerSession; end: () => void };
    return { h, from, s: run.s, end: run.end };
  }

  it('binding: a go is not answered; bound → awaiting-go: the first go starts it 300 ms ahead, a repeat gets the time left', () => {
    const { h, from, s } = accepted();
    const n = h.sent.length;
    h.core.handle(frame(from, Kind.Go, { session: s.id }, { session: s.id }));
    expect(h.sent.length).toBe(n);
    expect(s.fire('bound')).toBe(true);
    h.core.handle(frame(from, Kind.Go, { session: s.id, offsetNs: 42 }, { session: s.id, sendTimeNs: 999 }));
    expect(s.state).toBe('running');
    expect(s.offsetNs).toBe(42);
    expect(s.startAtNs).toBe(h.clock.t + START_DELAY_MS * 1e6);
    expect(last(h.sent)).toMatchObject({ kind: Kind.GoAck, session: s.id, body: { startInMs: START_DELAY_MS, echoNs: 999 } });
    h.clock.t += 100e6;
    h.core.handle(frame(from, Kind.Go, { session: s.id }, { session: s.id }));
    expect((last(h.sent).body as { startInMs: number }).startInMs).toBeCloseTo(200, 6);
    expect(s.startAtNs).toBe(h.clock.t - 100e6 + START_DELAY_MS * 1e6);
  });

  it('a go for another session id, or from another source, is not answered', () => {
    const { h, from, s } = accepted();
    s.fire('bound');
    const n = h.sent.length;
    h.core.handle(frame(from, Kind.Go, { session: s.id + 1 }, { session: s.id + 1 }));
    h.core.handle(frame(client(), Kind.Go, { session: s.id }, { session: s.id }));
    expect(h.sent.length).toBe(n);
    expect(s.state).toBe('awaiting-go');
  });

  it('under a secret, an untagged go is not enough; a tagged one (auth ok) starts the session', () => {
    const { h, from, s } = accepted({ secret: 's3cret' });
    expect(h.keys.get(`127.0.0.1:${from.port}`)).toBeInstanceOf(Buffer);
    s.fire('bound');
    h.core.handle(frame(from, Kind.Go, { session: s.id }, { session: s.id, auth: 'untagged' }));
    expect(s.state).toBe('awaiting-go');
    h.core.handle(frame(from, Kind.Go, { session: s.id }, { session: s.id, auth: 'ok' }));
    expect(s.state).toBe('running');
  });

  it('an abort before the go ends the session (gave-up) and stops it; after the go it is the data phase\'s', () => {
    const a = accepted();
    a.s.fire('bound');
    a.h.core.handle(frame(a.from, Kind.Abort, { reason: 'x' }, { session: a.s.id }));
    expect(a.s.state).toBe('gave-up');
    expect(a.s.stop.signal.aborted).toBe(true);
    const b = accepted();
    b.s.fire('bound');
    b.s.go(b.h.clock.t, undefined);
    b.h.core.handle(frame(b.from, Kind.Abort, { reason: 'x' }, { session: b.s.id }));
    expect(b.s.state).toBe('running');
    expect(b.s.stop.signal.aborted).toBe(false);
  });

  it('a go timeout ends an unstarted session (no-go); a late go is then not acknowledged', () => {
    const { h, from, s } = accepted();
    s.fire('bound');
    expect(s.fire('go-timeout')).toBe(true);
    const n = h.sent.length;
    h.core.handle(frame(from, Kind.Go, { session: s.id }, { session: s.id }));
    expect(h.sent.length).toBe(n);
    expect(s.state).toBe('no-go');
  });

  it('a listener stop: binding → stopped; a running session is told to stop but keeps running to its partial result', () => {
    const h = harness({ maxClients: 2 });
    open(h, client());
    open(h, client());
    const [a, b] = h.runs.map((r) => r.s) as [ListenerSession, ListenerSession];
    b.fire('bound');
    b.go(h.clock.t, undefined);
    h.core.stopAll();
    expect(a.state).toBe('stopped');
    expect(b.state).toBe('running');
    expect(a.stop.signal.aborted && b.stop.signal.aborted).toBe(true);
    expect(b.fire('finished')).toBe(true);
    expect(b.fire('linger-over')).toBe(true);
    expect(b.state).toBe('done');
  });

  it(`answers at most ${MAX_PROBES_PER_SESSION} clock probes per session, with t1 echoed and t2 the arrival`, () => {
    const { h, from, s } = accepted();
    for (let i = 0; i < MAX_PROBES_PER_SESSION + 10; i++) h.core.handle(frame(from, Kind.TimeProbe, {}, { session: s.id, sendTimeNs: 1000 + i }));
    const replies = h.sent.filter((x) => x.kind === Kind.TimeReply);
    expect(replies).toHaveLength(MAX_PROBES_PER_SESSION);
    expect(replies[0]?.body).toEqual({ t1: 1000, t2: 5 });
  });

  it('when a session ends: its place is free, its client remembered, and its stale frames logged as replays', async () => {
    const { h, from, s, end } = accepted();
    expect(h.core.sessions.size).toBe(1);
    end();
    await new Promise((r) => setImmediate(r));
    expect(h.core.sessions.size).toBe(0);
    expect(h.core.served).toBe(1);
    h.clock.t += 2e9;
    for (const [kind, what] of [[Kind.Go, 'a go'], [Kind.TimeProbe, 'a clock probe'], [Kind.Abort, 'an abort'], [Kind.Results, 'a results chunk']] as const) {
      h.core.handle(frame(from, kind, {}, { session: s.id }));
      expect(h.lines[h.lines.length - 1]).toBe(`dropped ${what} from 127.0.0.1:${from.port}: its session 100 ended 2.0 s ago (a replay or a late retransmission)`);
    }
    // A stranger's frames: silence.
    const n = h.lines.length;
    h.core.handle(frame(client(), Kind.Go, {}, { session: s.id }));
    expect(h.lines.length).toBe(n);
  });

  it('acknowledges a late results chunk while the session lingers', () => {
    const { h, from, s } = accepted();
    h.core.sessions.linger(s, h.clock.t + 5e9, h.clock.t);
    h.core.handle(frame(from, Kind.Results, 'xx', { session: s.id, msgId: 77 }));
    expect(last(h.sent)).toMatchObject({ kind: Kind.Ack, session: s.id, msgId: 77, body: { i: 0 } });
  });

  it('with --once, the first session to end closes the listener to new sessions', async () => {
    const { h, end } = accepted({ once: true });
    end();
    await new Promise((r) => setImmediate(r));
    h.core.handle(hello(client()));
    expect(last(h.sent)).toMatchObject({ kind: Kind.Refuse, body: { reason: 'this listener is closing (--once: its first session has ended)' } });
  });
});

describe('ListenerSession alone', () => {
  it('ignores events that do not apply and keeps its state', () => {
    const s = new ListenerSession({ id: 1, client: { address: '127.0.0.1', port: 1 }, nonce: 'n', key: null, params: goodParams as never, load: { ab: { pps: 1, bitsPerSecond: 1 }, ba: { pps: 1, bitsPerSecond: 1 } }, acceptBody: Buffer.alloc(0), cfg: localConfig(), clientCfg: localConfig(), startedAt: 'x', acceptedAtNs: 0 });
    expect(s.fire('go')).toBe(false);
    expect(s.fire('finished')).toBe(false);
    expect(s.go(0, undefined)).toBeNull();
    expect(s.state).toBe('binding');
    expect(s.clientAbort()).toBe(true);
    expect(s.clientAbort()).toBe(false);
    expect(s.state).toBe('gave-up');
  });
});
