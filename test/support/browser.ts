import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';

/**
 * The system's Chromium (Debian's `chromium` package, installed by
 * `scripts/provision-chromium.sh`), driven by puppeteer-core, which never
 * downloads a browser of its own. `CHROMIUM_PATH` names another binary.
 */
export function chromiumPath(): string {
  const names = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];
  const candidates = [
    ...(process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : []),
    ...(process.env.PATH ?? '')
      .split(path.delimiter)
      .filter(Boolean)
      .flatMap((dir) => names.map((name) => path.join(dir, name))),
  ];
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here: the next one.
    }
  }
  throw new Error('no Chromium found: run scripts/provision-chromium.sh, or set CHROMIUM_PATH');
}

/** Headless Chromium without its sandbox (tests run as root in containers, where the sandbox cannot start). */
export function launchChromium(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--no-default-browser-check'],
  });
}
