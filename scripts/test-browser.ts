import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'esbuild'
import { chromium, type Browser, type Page } from 'playwright-core'
import { startFileServer, type TestServer } from './test-server'

/**
 * Chromium for the browser tests: Debian's (installed by `npm test` when root) or CHROMIUM_PATH.
 * A missing browser fails the test with what to install; browser tests never skip.
 */
export async function launchChromium(): Promise<Browser> {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
  if (!existsSync(path)) {
    throw new Error(
      `Chromium is needed for the browser tests and was not found at ${path}. ` +
        'Run `npm test` as root (it installs the Debian package `chromium`), or `apt-get install chromium`, or set CHROMIUM_PATH.',
    )
  }
  // The background-networking flags keep Chromium from dialling out on a closed network.
  return chromium.launch({ executablePath: path, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'] })
}

/** A package's browser build, loaded in a Chromium page as `window.m`. */
export interface BrowserPage {
  page: Page
  browser: Browser
  server: TestServer
  /** The directory the page is served from (for fixtures the page fetches). */
  dir: string
  close(): Promise<void>
}

/**
 * Bundle `export * from '<packageName>'` for the browser (esbuild resolves the package's
 * `browser` condition, as an app's bundler would), serve it from a real HTTP server on
 * 127.0.0.1 (a secure context, so WebCrypto exists) and open it in Chromium; the module is
 * `window.m`. `prepare(dir)` adds files next to the bundle before the page loads.
 */
export async function openPackagePage(packageName: string, packageDir: string, prepare?: (dir: string) => void): Promise<BrowserPage> {
  const dir = mkdtempSync(join(tmpdir(), 'torshpkg-browser-'))
  const bundle = await build({
    stdin: { contents: `export * from '${packageName}'`, resolveDir: packageDir },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    logLevel: 'silent',
  })
  writeFileSync(join(dir, 'bundle.js'), bundle.outputFiles[0]!.text)
  writeFileSync(join(dir, 'index.html'), `<!doctype html><meta charset="utf-8"><script type="module">import * as m from './bundle.js'; window.m = m; window.ready = true</script>`)
  prepare?.(dir)
  const server = await startFileServer(dir)
  const browser = await launchChromium()
  const page = await browser.newPage()
  await page.goto(`${server.url}/index.html`)
  await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true)
  return {
    page,
    browser,
    server,
    dir,
    async close() {
      await browser.close()
      await server.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
