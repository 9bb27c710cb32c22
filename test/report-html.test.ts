import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { escapeHtml, formatHtmlReport, inlineSvg } from '../src/report/html.js';
import { renderChart, renderResults } from '../src/report/render.js';
import { buildDuplexResult } from './report-fixture.js';

const HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>';

function hostileResult() {
  const result = buildDuplexResult();
  result.environment.hostname = HOSTILE;
  result.warnings.push({ code: 'peer-timeout', message: `peer said ${HOSTILE}` });
  return result;
}

describe('HTML report', () => {
  const page = renderResults([{ label: `run ${HOSTILE}`, result: hostileResult() }], 'html');

  it('makes no external references: no http(s) URL, no script, no remote stylesheet', () => {
    expect(page).not.toMatch(/https?:\/\//i);
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toMatch(/<link/i);
    expect(page).toContain("default-src 'none'");
  });

  it('escapes every string from the result', () => {
    expect(page).not.toContain(HOSTILE);
    expect(page).not.toMatch(/<img/i);
    expect(page).toContain(escapeHtml(HOSTILE));
  });

  it('holds the tables, the verdict, the chart inline and the environment', () => {
    expect(page).toMatch(/^<!DOCTYPE html>/);
    expect(page).toContain('<td class="n">612,345</td>');
    expect(page).toContain('one port each: A 127.0.0.1:40001 sent 50,000');
    expect(page).toMatch(/<figure><svg [^>]*viewBox/);
    expect(page).not.toContain('<?xml');
    expect(page).toContain('AMD EPYC 7B13');
  });

  it('shows a sysctl that could not be read as n/a, not "null"', () => {
    const result = buildDuplexResult();
    result.environment.sysctls['net.core.netdev_max_backlog'] = null;
    const html = formatHtmlReport([{ label: 'run', result }], renderChart);
    expect(html).toMatch(/net\.core\.netdev_max_backlog<\/td>\s*<td[^>]*>n\/a<\/td>/);
    expect(html).not.toMatch(/>null</);
  });

  it('puts several results on one page', () => {
    const two = formatHtmlReport([{ label: 'one', result: buildDuplexResult() }, { label: 'two', result: buildDuplexResult() }], renderChart);
    expect(two.match(/<section>/g)).toHaveLength(2);
    expect(inlineSvg('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="1"></svg>')).toBe('<svg width="1"></svg>');
  });
});

/** Headless Chromium from the OS package; the test is skipped, with the reason, when there is none. */
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
if (CHROMIUM === undefined) console.warn('report-html: skipping the Chromium rendering test: no chromium binary (Debian package `chromium`)');

describe.skipIf(CHROMIUM === undefined)('HTML report in headless Chromium', () => {
  it('renders without console errors to a non-blank screenshot', () => {
    const dir = mkdtempSync(join(tmpdir(), 'report-html-'));
    try {
      const html = join(dir, 'report.html');
      const png = join(dir, 'shot.png');
      writeFileSync(html, renderResults([{ label: 'fixture', result: hostileResult() }], 'html'));
      const run = spawnSync(
        CHROMIUM as string,
        [
          '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
          '--no-first-run', `--user-data-dir=${join(dir, 'profile')}`, '--enable-logging=stderr', '--v=0',
          `--screenshot=${png}`, '--window-size=1200,1600', `file://${html}`,
        ],
        { encoding: 'utf8', timeout: 20_000 },
      );
      expect(run.error, String(run.error)).toBeUndefined();
      expect(existsSync(png), run.stderr).toBe(true);
      // A blank 1200×1600 PNG compresses to a few KB; the tables, text and chart make it far larger.
      expect(statSync(png).size).toBeGreaterThan(30_000);
      const bytes = readFileSync(png);
      expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
      // A console error or an uncaught exception (there are no scripts: there should be none) or a blocked fetch (CSP).
      expect(run.stderr).not.toMatch(/Uncaught|CONSOLE\(|Refused to load/);
      if (process.env['KEEP_REPORT_SHOT'] !== undefined) writeFileSync(process.env['KEEP_REPORT_SHOT'], bytes);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 25_000);

  it('a voice result over RTP: the browser lays out the media-quality table, each jitter-buffer table and the MOS chart panel', () => {
    const dir = mkdtempSync(join(tmpdir(), 'report-html-voice-'));
    try {
      const html = join(dir, 'voice.html');
      const result = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'results', 'voice-rtp-netns-burst5.json'), 'utf8'));
      writeFileSync(html, renderResults([{ label: 'voice', result }], 'html'));
      const run = spawnSync(
        CHROMIUM as string,
        ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', `--user-data-dir=${join(dir, 'profile')}`, '--dump-dom', `file://${html}`],
        { encoding: 'utf8', timeout: 20_000, maxBuffer: 64 << 20 },
      );
      expect(run.error, String(run.error)).toBeUndefined();
      const dom = run.stdout;
      // The DOM as Chromium parsed it: the section, both directions' playout tables, the E-model label and the chart panel.
      expect(dom).toContain('<strong>Media quality</strong>');
      expect(dom).toContain('Jitter buffer A→B');
      expect(dom).toContain('Jitter buffer B→A');
      expect(dom).toContain('planning estimate');
      expect(dom).toContain('MOS against jitter-buffer playout delay');
      // The A→B row carries the result's own MOS, as printed.
      const mos = (result.directions[0].voice.mos as number).toFixed(2);
      expect(dom).toMatch(new RegExp(`<td[^>]*>${mos.replace('.', '\\.')}</td>`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 25_000);
});
