#!/usr/bin/env node
/**
 * `npm run schema`: writes the published JSON Schema of the result format
 * (schema/result.schema.json) from src/report/result-schema.ts. A test checks
 * that the committed file is current.
 */
import { writeFileAtomic } from '../dist/cli/files.js';
import { resultJsonSchema } from '../dist/report/result-schema.js';

writeFileAtomic('schema/result.schema.json', `${JSON.stringify(resultJsonSchema(), null, 2)}\n`);
process.stderr.write('wrote schema/result.schema.json\n');
