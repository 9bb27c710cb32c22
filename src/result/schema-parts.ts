/**
 * The building blocks every published schema shares (result, perf, micro):
 * bounded printable text, safe integers, nullable values, closed objects.
 */
import Type, { type TSchema } from 'typebox';

/** Longest free-text string accepted in a result (messages, notes, model names). */
export const TEXT = 4096;
/**
 * No control characters (C0, DEL, C1) in any string: a peer's hostname or
 * config text reaches the listener's terminal, and an ESC there would be a
 * terminal-control injection. Nothing this tool writes contains them.
 */
export const PRINTABLE = '^[^\\u0000-\\u001f\\u007f-\\u009f]*$';
export const Text = (max = TEXT) => Type.String({ maxLength: max, pattern: PRINTABLE });
export const Count = () => Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
export const Num = () => Type.Number();
export const NullOr = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
export const Closed = { additionalProperties: false } as const;

/**
 * A published JSON Schema document (draft 2020-12) as plain JSON. Subschemas
 * that repeat (a search holds duplex runs, a sweep holds both; every perf
 * file holds environments and searches) are written once under `$defs` and
 * referenced, which keeps the file readable.
 */
export function publishedSchema(root: TSchema, defs: Record<string, TSchema>): Record<string, unknown> {
  const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));
  const byText = new Map(Object.entries(defs).map(([name, schema]) => [JSON.stringify(plain(schema)), name]));
  // Replaces every occurrence of a named subschema (below `skip`, its own definition) by a reference.
  const refs = (v: unknown, skip: string | null): unknown => {
    if (Array.isArray(v)) return v.map((x) => refs(x, null));
    if (typeof v !== 'object' || v === null) return v;
    const name = byText.get(JSON.stringify(v));
    if (name !== undefined && name !== skip) return { $ref: `#/$defs/${name}` };
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, refs(x, null)]));
  };
  const $defs = Object.fromEntries(Object.entries(defs).map(([name, schema]) => [name, refs(plain(schema), name)]));
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', ...(refs(plain(root), null) as Record<string, unknown>), $defs };
}
