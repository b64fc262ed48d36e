/**
 * A real browser for the dashboard tests: Debian's chromium (installed with apt-get
 * when missing; CI runs as root) driven by playwright-core, with a fresh profile, a
 * fixed viewport, reduced motion and one font; plus screenshot comparison against
 * the committed baselines in `test/baselines/` with pixelmatch.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pixelmatch from 'pixelmatch';
import { chromium, type BrowserContext, type CDPSession, type Locator, type Page } from 'playwright-core';
import { PNG } from 'pngjs';

export const CHROMIUM = '/usr/bin/chromium';

/** Flags for a quiet, reproducible headless chromium (`--headless` and `--user-data-dir` come from playwright). */
export const CHROMIUM_FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--font-render-hinting=none', '--force-color-profile=srgb',
  '--hide-scrollbars',
];

/** Installs chromium (and the DejaVu fonts the page uses) with apt-get if it is not there. */
export function ensureChromium(): string {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  const apt = (args: string[]) => execFileSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  try {
    apt(['install', '-y', '--no-install-recommends', 'chromium', 'fonts-dejavu-core']);
  } catch {
    apt(['update']);
    apt(['install', '-y', '--no-install-recommends', 'chromium', 'fonts-dejavu-core']);
  }
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium but ${CHROMIUM} is missing`);
  return CHROMIUM;
}

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** Where downloads land. */
  downloads: string;
  close(): Promise<void>;
}

export const VIEWPORT = { width: 1280, height: 900 };

export async function launchBrowser(): Promise<TestBrowser> {
  const executablePath = ensureChromium();
  const profile = await mkdtemp(join(tmpdir(), 'sg-chromium-'));
  const downloads = await mkdtemp(join(tmpdir(), 'sg-downloads-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: VIEWPORT,
    deviceScaleFactor: 1,
    reducedMotion: 'reduce',
    colorScheme: 'light',
    locale: 'en-GB',
    timezoneId: 'UTC',
    acceptDownloads: true,
    downloadsPath: downloads,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context, page, downloads,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
      await rm(downloads, { recursive: true, force: true });
    },
  };
}

/** Per-pixel colour distance threshold of pixelmatch (0 exact, 1 anything). */
export const PIXEL_THRESHOLD = 0.1;
/** Share of pixels that may differ (beyond the threshold) before a screenshot fails. */
export const MAX_DIFF_RATIO = 0.01;

const BASELINES = fileURLToPath(new URL('../baselines/', import.meta.url));

export interface ScreenshotResult {
  /** Differing pixels / all pixels. */
  ratio: number;
  diffPixels: number;
  /** Written when the baseline was missing (or UPDATE_BASELINES=1). */
  created: boolean;
}

/**
 * Screenshots `target` with animations off and every `[data-volatile]` element masked,
 * and compares it with `test/baselines/<name>.png`. A missing baseline is written and
 * the comparison fails, so a new baseline is always looked at before it is committed;
 * `UPDATE_BASELINES=1` rewrites baselines and passes.
 */
export async function compareScreenshot(target: Locator, name: string): Promise<ScreenshotResult> {
  const png = await target.screenshot({ animations: 'disabled', caret: 'hide', mask: [target.page().locator('[data-volatile]')], maskColor: '#FF00FF' });
  const file = join(BASELINES, `${name}.png`);
  if (process.env.UPDATE_BASELINES === '1' || !existsSync(file)) {
    mkdirSync(BASELINES, { recursive: true });
    writeFileSync(file, png);
    if (process.env.UPDATE_BASELINES !== '1') throw new Error(`baseline ${file} was missing and has been written: review it, commit it and run again`);
    return { ratio: 0, diffPixels: 0, created: true };
  }
  const actual = PNG.sync.read(png);
  const expected = PNG.sync.read(readFileSync(file));
  if (actual.width !== expected.width || actual.height !== expected.height) {
    const out = join(tmpdir(), `${name}.actual.png`);
    writeFileSync(out, png);
    throw new Error(`${name}: size ${actual.width}x${actual.height} differs from the baseline's ${expected.width}x${expected.height} (actual written to ${out})`);
  }
  const diff = new PNG({ width: actual.width, height: actual.height });
  const diffPixels = pixelmatch(actual.data, expected.data, diff.data, actual.width, actual.height, { threshold: PIXEL_THRESHOLD });
  const ratio = diffPixels / (actual.width * actual.height);
  if (ratio > MAX_DIFF_RATIO) {
    const out = join(tmpdir(), `${name}.diff.png`);
    writeFileSync(out, PNG.sync.write(diff));
    writeFileSync(join(tmpdir(), `${name}.actual.png`), png);
    throw new Error(`${name}: ${(ratio * 100).toFixed(2)} % of pixels differ (max ${MAX_DIFF_RATIO * 100} %); diff in ${out}`);
  }
  return { ratio, diffPixels, created: false };
}

const CONTROL_ROLES = new Set(['button', 'textbox', 'combobox', 'checkbox', 'radio', 'spinbutton', 'link', 'slider', 'searchbox', 'listbox', 'switch', 'menuitem', 'tab']);

/**
 * The interactive elements Chromium's accessibility tree has without a name (its own
 * accessible-name computation: labels, aria-label, content, title).
 */
export async function unnamedControls(page: Page, cdp?: CDPSession): Promise<string[]> {
  const session = cdp ?? (await page.context().newCDPSession(page));
  const { nodes } = (await session.send('Accessibility.getFullAXTree')) as {
    nodes: { ignored: boolean; role?: { value?: string }; name?: { value?: string }; backendDOMNodeId?: number }[];
  };
  const bad: string[] = [];
  for (const n of nodes) {
    const role = String(n.role?.value ?? '');
    if (n.ignored || !CONTROL_ROLES.has(role)) continue;
    if (!String(n.name?.value ?? '').trim()) {
      const { node } = (await session.send('DOM.describeNode', { backendNodeId: n.backendDOMNodeId })) as { node: { localName: string; attributes?: string[] } };
      bad.push(`${role} <${node.localName} ${(node.attributes ?? []).join(' ')}>`);
    }
  }
  if (!cdp) await session.detach();
  return bad;
}
