/**
 * Every control message in one table (docs/protocol.md §2): per kind, its
 * name, who sends it, its body's schema, whether it is ever tagged, and its
 * framing. The channel (control.ts) takes the untagged kinds from here; every
 * handler reads a body through {@link bodyOf}, which validates it against the
 * kind's schema (compiled once) and returns it typed, or `null`. No handler
 * validates by hand.
 */
import type { Static, TSchema } from 'typebox';
import { Kind } from '../udp/wire.js';
import { AckBody, AcceptBody, CookieBody, GoAckBody, GoBody, HelloBody, ParamsBody, ReasonBody, TimeReplyBody, firstProblem, matches, type SchemaProblem } from './control-schema.js';

/** A control kind (16–28). */
export type ControlKind = Exclude<(typeof Kind)[keyof typeof Kind], typeof Kind.Data | typeof Kind.End>;

/** Who sends a kind. */
export type Sender = 'client' | 'listener' | 'both';

/**
 * Framing: `json` one datagram with a JSON body; `json-padded` the same,
 * padded so that no reply before address validation is larger (hello,
 * time-probe); `chunked` raw deflate chunks, each acknowledged (results).
 */
export type Framing = 'json' | 'json-padded' | 'chunked' | 'empty-padded';

interface Entry<S extends TSchema | null> {
  name: string;
  from: Sender;
  /** The body's schema; `null`: no JSON body (a chunk, or empty). */
  body: S;
  /** `never`: sent before a key exists or to say no, accepted untagged from anyone. `with-secret`: tagged under the session key when a secret is set. */
  tagged: 'never' | 'with-secret';
  framing: Framing;
}

const entry = <S extends TSchema | null>(e: Entry<S>): Entry<S> => e;

export const CONTROL_MESSAGES = {
  [Kind.Hello]: entry({ name: 'hello', from: 'client', body: HelloBody, tagged: 'never', framing: 'json-padded' }),
  [Kind.Cookie]: entry({ name: 'cookie', from: 'listener', body: CookieBody, tagged: 'never', framing: 'json' }),
  [Kind.Params]: entry({ name: 'params', from: 'client', body: ParamsBody, tagged: 'with-secret', framing: 'json' }),
  [Kind.Accept]: entry({ name: 'accept', from: 'listener', body: AcceptBody, tagged: 'with-secret', framing: 'json' }),
  [Kind.Refuse]: entry({ name: 'refuse', from: 'listener', body: ReasonBody, tagged: 'never', framing: 'json' }),
  [Kind.Busy]: entry({ name: 'busy', from: 'listener', body: ReasonBody, tagged: 'never', framing: 'json' }),
  [Kind.Go]: entry({ name: 'go', from: 'client', body: GoBody, tagged: 'with-secret', framing: 'json' }),
  [Kind.GoAck]: entry({ name: 'go-ack', from: 'listener', body: GoAckBody, tagged: 'with-secret', framing: 'json' }),
  [Kind.Results]: entry({ name: 'results', from: 'both', body: null, tagged: 'with-secret', framing: 'chunked' }),
  [Kind.Ack]: entry({ name: 'ack', from: 'both', body: AckBody, tagged: 'with-secret', framing: 'json' }),
  [Kind.Abort]: entry({ name: 'abort', from: 'both', body: ReasonBody, tagged: 'with-secret', framing: 'json' }),
  [Kind.TimeProbe]: entry({ name: 'time-probe', from: 'client', body: null, tagged: 'with-secret', framing: 'empty-padded' }),
  [Kind.TimeReply]: entry({ name: 'time-reply', from: 'listener', body: TimeReplyBody, tagged: 'with-secret', framing: 'json' }),
} as const satisfies { readonly [K in ControlKind]: Entry<TSchema | null> };

type Registry = typeof CONTROL_MESSAGES;
/** The kinds that carry a JSON body. */
export type JsonKind = { [K in ControlKind]: Registry[K]['body'] extends TSchema ? K : never }[ControlKind];
/** The typed body of a kind. */
export type BodyOf<K extends JsonKind> = Registry[K]['body'] extends TSchema ? Static<Registry[K]['body']> : never;

/** Kinds never tagged (accepted untagged from anyone). */
export const UNTAGGED_KINDS: ReadonlySet<number> = new Set(
  Object.entries(CONTROL_MESSAGES)
    .filter(([, e]) => e.tagged === 'never')
    .map(([k]) => Number(k)),
);

/** The body of a frame of `kind`, validated and typed; `null` when the frame is of another kind or its body does not match. */
export function bodyOf<K extends JsonKind>(m: { frame: { kind: number }; body: unknown }, kind: K): BodyOf<K> | null {
  if (m.frame.kind !== kind) return null;
  const schema = CONTROL_MESSAGES[kind].body as TSchema;
  return matches(schema, m.body) ? (m.body as BodyOf<K>) : null;
}

/** The body of a frame of `kind`, typed, or the first problem with it (for a refusal that names the field). */
export function readBody<K extends JsonKind>(m: { frame: { kind: number }; body: unknown }, kind: K): { body: BodyOf<K>; problem: null } | { body: null; problem: SchemaProblem } {
  if (m.frame.kind !== kind) return { body: null, problem: { path: '/', message: `not a ${CONTROL_MESSAGES[kind].name}` } };
  const problem = firstProblem(CONTROL_MESSAGES[kind].body as TSchema, m.body);
  return problem === null ? { body: m.body as BodyOf<K>, problem: null } : { body: null, problem };
}

/** A kind's name, for logs ("go", "time-probe"); `kind N` for anything else. */
export function kindName(kind: number): string {
  return (CONTROL_MESSAGES as Record<number, { name: string } | undefined>)[kind]?.name ?? `kind ${kind}`;
}
