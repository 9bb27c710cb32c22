/**
 * The tool's name and version, from package.json (one source of truth).
 */
import { readFileSync } from 'node:fs';

function readPackage(): { name: string; version: string } {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return { name: 'udp-duplex-lab', version: typeof pkg.version === 'string' ? pkg.version : '0.0.0' };
  } catch {
    return { name: 'udp-duplex-lab', version: '0.0.0' };
  }
}

const pkg = readPackage();
export const TOOL_NAME: string = pkg.name;
export const TOOL_VERSION: string = pkg.version;

/** The `tool` field of every result. */
export const TOOL: { readonly name: string; readonly version: string } = { name: TOOL_NAME, version: TOOL_VERSION };
