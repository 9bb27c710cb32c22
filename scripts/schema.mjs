#!/usr/bin/env node
/**
 * `npm run schema`: writes the published JSON Schemas from their TypeBox
 * sources: the result format (schema/result.schema.json, from
 * src/result/schema.ts) and the project's speed measurements
 * (schema/perf.schema.json and schema/micro.schema.json, from
 * src/result/perf-schema.ts). A test checks that the committed files are current.
 */
import { writeFileAtomic } from '../dist/cli/files.js';
import { resultJsonSchema } from '../dist/result/schema.js';
import { microJsonSchema, perfJsonSchema } from '../dist/result/perf-schema.js';

for (const [file, doc] of [
  ['schema/result.schema.json', resultJsonSchema()],
  ['schema/perf.schema.json', perfJsonSchema()],
  ['schema/micro.schema.json', microJsonSchema()],
]) {
  writeFileAtomic(file, `${JSON.stringify(doc, null, 2)}\n`);
  process.stderr.write(`wrote ${file}\n`);
}
