// Opens each review page in headless Chromium (Debian's, driven by the
// pinned playwright-core) and checks the rendered DOM, not the HTML source:
// the page title and its heading, every operation's summary once its entry
// in the sidebar is clicked, the texts a page must show, and no error banner
// or uncaught script error.
//
// Run by `cargo xtask docs-check`, which writes the plan:
//   node check-pages.js PLAN.json
// PLAN.json: {"chromium": PATH, "pages": [{"file", "title", "heading",
//   "operations": [{"tag", "summary"}], "texts": [..], "banners": [..]}]}
//
// Each page is served at the root of its own server on 127.0.0.1 (the pages
// route by path, so each needs a root of its own). Every request that would
// leave 127.0.0.1 is blocked and listed: nothing reaches the internet.
// Prints one line per check; exits 1 if any failed.

'use strict';

const fs = require('fs');
const http = require('http');
const { chromium } = require('playwright-core');

const plan = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const failures = [];
const fail = (page, what) => {
  failures.push(`${page}: ${what}`);
  console.log(`FAIL ${page}: ${what}`);
};
const pass = (page, what) => console.log(`ok   ${page}: ${what}`);

function serve(file) {
  const body = fs.readFileSync(file);
  const server = http.createServer((request, response) => {
    response.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': body.length,
    });
    response.end(body);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

async function checkPage(browser, page) {
  const server = await serve(page.file);
  const origin = `http://127.0.0.1:${server.address().port}`;
  const name = page.file.split('/').pop();
  const context = await browser.newContext();
  const tab = await context.newPage();
  const blocked = [];
  await tab.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(origin + '/') || url === origin || url.startsWith('data:')) {
      return route.continue();
    }
    blocked.push(url);
    return route.abort('blockedbyclient');
  });
  const scriptErrors = [];
  tab.on('pageerror', (error) => scriptErrors.push(String(error)));
  try {
    await tab.goto(origin + '/', { waitUntil: 'networkidle', timeout: 30000 });

    const title = await tab.title();
    if (title === page.title) pass(name, `title "${title}"`);
    else fail(name, `title "${title}", expected "${page.title}"`);

    const heading = (await tab.locator('h1').first().textContent({ timeout: 10000 })) || '';
    if (heading.trim() === page.heading) pass(name, `heading "${heading.trim()}"`);
    else fail(name, `heading "${heading.trim()}", expected "${page.heading}"`);

    for (const operation of page.operations || []) {
      const menu = tab.locator('[data-component-name="Menu/Menu"]');
      const entry = menu.getByText(operation.summary, { exact: true }).first();
      if (!(await entry.isVisible())) {
        const tag = menu.getByText(operation.tag, { exact: true }).first();
        if ((await tag.count()) === 0) {
          fail(name, `no sidebar entry for the tag "${operation.tag}"`);
          continue;
        }
        await tag.click();
      }
      try {
        await entry.waitFor({ state: 'visible', timeout: 5000 });
      } catch (error) {
        fail(name, `operation "${operation.summary}" (${operation.tag}) has no sidebar entry`);
        continue;
      }
      await entry.click();
      const shown = tab
        .locator('h2')
        .filter({ hasText: new RegExp(`^\\s*${escapeRegExp(operation.summary)}\\s*$`) });
      try {
        await shown.first().waitFor({ state: 'visible', timeout: 10000 });
        pass(name, `operation "${operation.summary}" (${operation.tag}) rendered`);
      } catch (error) {
        fail(name, `operation "${operation.summary}" (${operation.tag}) not rendered after its sidebar entry was clicked`);
      }
    }

    const text = await tab.locator('body').innerText();
    for (const wanted of page.texts || []) {
      if (text.includes(wanted)) pass(name, `shows "${wanted}"`);
      else fail(name, `does not show "${wanted}"`);
    }
    for (const banner of page.banners || []) {
      if (text.includes(banner)) fail(name, `shows the error banner "${banner}"`);
    }
    if (scriptErrors.length === 0) pass(name, 'no script error');
    for (const error of scriptErrors) fail(name, `script error: ${error}`);
    if (blocked.length > 0) {
      console.log(`note ${name}: blocked ${blocked.length} request(s) leaving 127.0.0.1: ${[...new Set(blocked)].join(', ')}`);
    }
  } catch (error) {
    fail(name, `could not be checked: ${error.message.split('\n')[0]}`);
  } finally {
    await context.close();
    server.close();
  }
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

(async () => {
  const browser = await chromium.launch({
    executablePath: plan.chromium,
    // As root, without a sandbox; and none of Chromium's own calls home,
    // which this machine's closed network refuses.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    for (const page of plan.pages) await checkPage(browser, page);
  } finally {
    await browser.close();
  }
  if (failures.length > 0) {
    console.log(`${failures.length} check(s) failed`);
    process.exit(1);
  }
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
