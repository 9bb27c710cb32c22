/**
 * A crafted client built from the project's own wire module sends hostile
 * values in every field of hello and parameters: path characters, NUL, huge
 * numbers, wrong types, nested objects. Each is refused (or ignored before
 * address validation) with a logged reason; the listener keeps serving and
 * writes nothing outside its results folder.
 */
import { describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli.js';
import { startListener } from './listener.js';
import { decodeControl, encodeControl, Kind } from '../src/udp/wire.js';
import { CONTROL_VERSION, HELLO_BYTES, jsonBody, nonce, parseBody } from '../src/bench/control.js';
import { CookieBody, ParamsBody, ReceiverPartialSchema, SenderPartialSchema, matches } from '../src/bench/control-schema.js';
import { DuplexResultSchema, firstProblem } from '../src/result/schema.js';
import { localConfig } from './helpers.js';

const good = { sizeBytes: 200, rateAbPps: 1000, rateBaPps: 1000, durationSeconds: 1, omitSeconds: 0, rcvbufBytes: null, sndbufBytes: null, peerTimeoutSeconds: 3 };
/** C0, DEL and C1 control characters: never allowed in text a peer sends (it reaches results, logs and terminals). */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** The startedAt a crafted client sent in the audit: NUL, an ANSI colour and an OSC window-title escape. */
const TERMINAL_ATTACK = 'a\u0000b\u001b[31mRED\u001b]0;pwned\u0007';
const hostile: unknown[] = ['/../../../../tmp/x', 'a\u0000b', 1e308, -1, Number.MAX_SAFE_INTEGER * 8, { nested: { deep: [1, 2, 3] } }, [1, 2], true, '%s%n', 'x'.repeat(5000)];

describe('a crafted client with hostile values in every field', () => {
  it('is refused field by field with a logged reason, the listener keeps serving and writes only where told', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-hostile-'));
    const out = join(dir, 'runs', 'r.json');
    const l = await startListener(['--out', out]);
    const s = dgram.createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    const replies: { kind: number; body: unknown }[] = [];
    s.on('message', (msg: Buffer) => {
      const f = decodeControl(msg);
      if (f !== null) replies.push({ kind: f.kind, body: parseBody(f.body) });
    });
    const send = (kind: number, body: unknown, pad = 0): Promise<void> =>
      new Promise((r) => s.send(encodeControl({ kind, session: 0, msgId: replies.length + 1, sendTimeNs: 0, body: jsonBody(body), padTo: pad }), l.port, '127.0.0.1', () => r()));
    const until = async (n: number): Promise<void> => {
      for (let i = 0; i < 100 && replies.length < n; i++) await new Promise((r) => setTimeout(r, 20));
    };
    try {
      // Hostile hellos: a bad version or nonce never gets a cookie.
      for (const v of hostile) {
        for (const field of ['v', 'nonce']) await send(Kind.Hello, { v: CONTROL_VERSION, nonce: nonce(), auth: null, [field]: v }, HELLO_BYTES);
      }
      await new Promise((r) => setTimeout(r, 300));
      expect(replies.filter((x) => x.kind === Kind.Cookie)).toHaveLength(0);
      await l.waitFor(/malformed hello/);
      // Without a secret the auth field is ignored, but it must still be a short string or null.
      replies.length = 0;
      for (const v of hostile) await send(Kind.Hello, { v: CONTROL_VERSION, nonce: nonce(), auth: v }, HELLO_BYTES);
      await new Promise((r) => setTimeout(r, 300));
      const shortStrings = hostile.filter((v) => typeof v === 'string' && v.length <= 64).length;
      expect(replies.filter((x) => x.kind === Kind.Cookie)).toHaveLength(shortStrings);
      // A valid hello gets a cookie; then hostile parameters, one field at a time.
      const n = nonce();
      const before = replies.length;
      await send(Kind.Hello, { v: CONTROL_VERSION, nonce: n, auth: null }, HELLO_BYTES);
      await until(before + 1);
      const cookie = (replies[before]?.body as { cookie: string }).cookie;
      expect(typeof cookie).toBe('string');
      const config = localConfig();
      let refused = 0;
      for (const v of hostile) {
        for (const field of Object.keys(good)) {
          const k = replies.length;
          await send(Kind.Params, { nonce: n, cookie, params: { ...good, [field]: v }, config, startedAt: 'x' });
          await until(k + 1);
          expect(replies[k]?.kind, `params.${field} = ${JSON.stringify(v)?.slice(0, 40)}`).toBe(Kind.Refuse);
          refused++;
        }
        // Typed fields of the client's config (its free-text fields are bounded strings, shown only, never a path).
        for (const field of ['sizeBytes', 'family', 'threads', 'sendBatch', 'durationSeconds']) {
          const k = replies.length;
          await send(Kind.Params, { nonce: n, cookie, params: good, config: { ...config, [field]: v }, startedAt: 'x' });
          await until(k + 1);
          expect(replies[k]?.kind, `config.${field} = ${JSON.stringify(v)?.slice(0, 40)}`).toBe(Kind.Refuse);
          refused++;
        }
        // startedAt is display text: a short printable string is fine (never a path); anything else,
        // a control character included, is refused.
        if (typeof v === 'string' && v.length <= 64 && !CONTROL.test(v)) continue;
        const k = replies.length;
        await send(Kind.Params, { nonce: n, cookie, params: good, config, startedAt: v });
        await until(k + 1);
        expect(replies[k]?.kind, `startedAt = ${JSON.stringify(v)?.slice(0, 40)}`).toBe(Kind.Refuse);
        refused++;
      }
      // The audit's startedAt (it was accepted and saved into a result that failed the published schema),
      // and every single control character class, are refused with a reason naming the field.
      for (const startedAt of [TERMINAL_ATTACK, '2024-01-01T00:00:00Z\u001b[2J', '\u007f', 'x\u0085y', '\n']) {
        const k = replies.length;
        await send(Kind.Params, { nonce: n, cookie, params: good, config, startedAt });
        await until(k + 1);
        expect(replies[k]?.kind, `startedAt = ${JSON.stringify(startedAt)}`).toBe(Kind.Refuse);
        expect((replies[k]?.body as { reason?: string }).reason).toMatch(/startedAt/);
        refused++;
      }
      // Free-text fields are shown on the listener's terminal: a control character (an ANSI escape) is refused.
      for (const field of ['host', 'peer', 'rateAbText']) {
        const k = replies.length;
        await send(Kind.Params, { nonce: n, cookie, params: good, config: { ...config, [field]: '\u001b[2J\u001b[31mowned' }, startedAt: 'x' });
        await until(k + 1);
        expect(replies[k]?.kind, `config.${field} with ESC`).toBe(Kind.Refuse);
        refused++;
      }
      expect(refused).toBeGreaterThan(100);
      await l.waitFor(/malformed parameters at \//);
      // No stack trace, no raw NUL in the log; still serving: a real client completes.
      expect(l.stderr()).not.toMatch(/\n\s+at /);
      expect(l.stderr()).not.toContain('\u0000');
      const real = await runCli(['duplex', '--peer', `127.0.0.1:${l.port}`, '--duration', '1', '--rate', '1k', '--no-save', '--json']);
      expect(real.code).toBe(0);
      await l.waitFor(/result saved to/);
      // The listener wrote only the file it was told to, named from its own settings,
      // and what it wrote passes the project's own published result schema.
      expect(readdirSync(join(dir, 'runs'))).toEqual(['r.json']);
      expect(readdirSync(dir)).toEqual(['runs']);
      expect(firstProblem(DuplexResultSchema, JSON.parse(readFileSync(out, 'utf8')))).toBeNull();
    } finally {
      s.close();
      await l.stop();
    }
  });
});

describe('peer text that reaches a result file, a log or a terminal', () => {
  // Each wire schema accepts the printable value and refuses the same value with a control character:
  // a message that passed its schema can never put into a result what the result schema refuses.
  const ok = localConfig();
  const params = { nonce: nonce(), cookie: 'c', params: good, config: ok, startedAt: '2024-01-01T00:00:00.000Z' };
  const cookie = { cookie: 'c', nonce: 'n', auth: false, you: '127.0.0.1:5201' };
  const sender = { sent: 1, attempted: 1, warmupSent: 0, errors: { EAGAIN: 1 }, measureErrors: 0, seqEnd: 1, measureStartNs: 0, measureEndNs: 1, intervalSent: [1], peerDropsAtStart: null, sentBytes: 1, pacingErrorUs: null, frames: null };
  const receiver = {
    received: 1, duplicates: 0, reordered: 0, late: 0, expected: 1, foreign: 0,
    foreignBy: { truncated: 0, badMagic: 0, badVersion: 0, wrongSession: 0, wrongSource: 0, wrongDirection: 0 },
    warmupReceived: 0, jitterNs: 0, delay: null, rtt: null, endMarkerSeen: true, end: null, endMarkers: 1,
    sources: ['127.0.0.1:5201'], intervalReceived: [1], intervalExpected: [1], receivedBytes: 1,
    intervalDelayMeanUs: [null], intervalDelayMaxUs: [null], frames: null, stalls: null,
  };
  const cases: [string, () => boolean, () => boolean][] = [
    ['params.startedAt', () => matches(ParamsBody, params), () => matches(ParamsBody, { ...params, startedAt: TERMINAL_ATTACK })],
    ['params.config.host', () => matches(ParamsBody, params), () => matches(ParamsBody, { ...params, config: { ...ok, host: 'h\u001b[2J' } })],
    ['cookie.you', () => matches(CookieBody, cookie), () => matches(CookieBody, { ...cookie, you: '127.0.0.1:1\u001b]0;pwned\u0007' })],
    ['report sender.errors (its keys)', () => matches(SenderPartialSchema, sender), () => matches(SenderPartialSchema, { ...sender, errors: { 'E\u001b[31m': 1 } })],
    ['report sender.errors (key length)', () => matches(SenderPartialSchema, sender), () => matches(SenderPartialSchema, { ...sender, errors: { ['E'.repeat(65)]: 1 } })],
    ['report receiver.sources', () => matches(ReceiverPartialSchema, receiver), () => matches(ReceiverPartialSchema, { ...receiver, sources: ['1.2.3.4:5\u0000'] })],
  ];
  it.each(cases)('%s: printable accepted, a control character refused', (_name, printable, withControl) => {
    expect(printable()).toBe(true);
    expect(withControl()).toBe(false);
  });
});
