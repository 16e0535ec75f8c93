// SPDX-License-Identifier: Apache-2.0
// The console's flows in headless Chromium (run by console_test.sh, which
// sets up the exchange, the identities' NSS databases and the certificate
// policy, and passes what it made in the environment). One browser per
// identity, each with its own HOME (and so its own certificate).
import puppeteer from 'puppeteer-core';
import { readFileSync } from 'node:fs';

const env = process.env;
const consoleUrl = env.CONSOLE_URL;
const artifacts = env.ARTIFACTS;
let failures = 0;
let passed = 0;
const problems = [];

function check(what, ok) {
  if (ok) passed++;
  else {
    failures++;
    console.error('FAIL: ' + what);
  }
}

async function open(name) {
  const home = `${env.HOMES}/home-${name}`;
  const browser = await puppeteer.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    userDataDir: `${home}/profile`,
    env: { ...env, HOME: home },
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--password-store=basic', '--window-size=1280,900'],
    defaultViewport: { width: 1280, height: 900 },
  });
  const page = await browser.newPage();
  page.on('pageerror', (e) => problems.push(`${name}: page error: ${e.message}`));
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/.test(m.text())) problems.push(`${name}: ${m.text()}`);
  });
  return { browser, page };
}

async function shot(page, file) {
  await page.screenshot({ path: `${artifacts}/${file}.png`, fullPage: true });
}

// Waits until an element matching `selector` contains `text`.
async function waitText(page, selector, text, timeout = 10000) {
  try {
    await page.waitForFunction((s, t) => [...document.querySelectorAll(s)].some((e) => e.textContent.includes(t)),
      { timeout }, selector, text);
    return true;
  } catch (e) {
    console.error(`no ${selector} with "${text}" on ${page.url()}: ${(await page.$eval('main', (m) => m.innerText).catch(() => '?')).slice(0, 400)}`);
    return false;
  }
}

async function go(page, hash) {
  await page.goto('about:blank');
  await page.goto(consoleUrl + hash, { waitUntil: 'networkidle0' });
}

// Clicks the "Open" button of the table row that contains `text`.
async function openRow(page, text) {
  return page.evaluate((t) => {
    const row = [...document.querySelectorAll('table.data tbody tr')].find((r) => r.textContent.includes(t));
    if (!row) return false;
    row.querySelector('button').click();
    return true;
  }, text);
}

// Fills a typed-confirmation form inside `scope` and submits it.
async function confirmIn(page, scope, reason, word) {
  const form = await page.$(`${scope} form:has(input[name=confirm])`);
  await (await form.$('input[name=reason]')).type(reason);
  await (await form.$('input[name=confirm]')).type(word);
  await (await form.$('button[type=submit]')).click();
}

async function run() {
  // An admin opens the console: who am I, the inbox, the first approval.
  const a1 = await open('admin1');
  await go(a1.page, '#/whoami');
  check('admin1 sees its identity', await waitText(a1.page, '#page-whoami', 'Technology Coalition (coalition)'));
  check('whoami shows the role', await waitText(a1.page, '#page-whoami dd', 'admin'));
  await shot(a1.page, '01-whoami-admin');
  await go(a1.page, '#/applications');
  check('the inbox lists the application', await waitText(a1.page, 'table.data', 'Acme Social'));
  await shot(a1.page, '02-applications');
  check('the application opens', await openRow(a1.page, 'Acme Social'));
  check('its details show', await waitText(a1.page, '#application-detail', 'US provider under 18 U.S.C. 2258A'));
  await a1.page.type('#approve-form input[name=approve-reason]', 'documents checked');
  await a1.page.click('#approve-form button[type=submit]');
  check('the first approval waits for a second admin', await waitText(a1.page, '#application-detail .notice', 'waiting for a second admin'));
  check('the details show the first approver', await waitText(a1.page, '#application-detail dd', 'admin1'));
  check('the inbox reloads with the approval counted', await waitText(a1.page, '#page-applications tbody tr', 'waiting for a second admin'));
  await shot(a1.page, '03-application-first-approval');
  await go(a1.page, '#/applications');
  check('the inbox says "waiting for a second admin"', await waitText(a1.page, 'table.data', 'waiting for a second admin'));
  await openRow(a1.page, 'Acme Social');
  check('the same admin cannot approve twice', await waitText(a1.page, '#application-detail', 'You approved this application'));

  // The other application is rejected, with a reason and its slug typed.
  await go(a1.page, '#/applications');
  await openRow(a1.page, 'Shady Social');
  await waitText(a1.page, '#application-detail', 'none given');
  const rejectButton = await a1.page.$('#application-detail form:has(input[name=confirm]) button[type=submit]');
  await (await a1.page.$('#application-detail form:has(input[name=confirm]) input[name=reason]')).type('no legal basis');
  await (await a1.page.$('#application-detail form:has(input[name=confirm]) input[name=confirm]')).type('shad');
  check('reject stays disabled until the slug is typed in full', await rejectButton.evaluate((b) => b.disabled));
  await (await a1.page.$('#application-detail form:has(input[name=confirm]) input[name=confirm]')).type('y');
  await rejectButton.click();
  check('the application is rejected', await waitText(a1.page, '#application-detail .notice', 'Rejected application'));
  check('the rejection names its admin', await waitText(a1.page, '#application-detail dd', 'admin1'));
  await shot(a1.page, '03b-application-rejected');

  // The second admin completes the first.
  const a2 = await open('admin2');
  await go(a2.page, '#/applications');
  check('admin2 sees the half-approved application', await waitText(a2.page, 'table.data', 'waiting for a second admin'));
  await openRow(a2.page, 'Acme Social');
  await waitText(a2.page, '#application-detail', 'Approved by');
  await a2.page.type('#approve-form input[name=approve-reason]', 'second admin agrees');
  await a2.page.click('#approve-form button[type=submit]');
  check('the second approval issues the certificate', await waitText(a2.page, '#application-detail .notice', 'the certificate is issued'));
  await shot(a2.page, '04-application-second-approval');
  // ... and grants the new organisation read access, the onboarding's last step.
  await go(a2.page, '#/collections');
  check('the collections are listed', await waitText(a2.page, 'table.data', 'grooming-signals'));
  await openRow(a2.page, 'csam-known');
  await a2.page.waitForSelector('#grant-form select[name=org] option[value=acme]');
  await a2.page.select('#grant-form select[name=org]', 'acme');
  await a2.page.select('#grant-form select[name=access]', 'read');
  await a2.page.type('#grant-form input[name=grant-reason]', 'vetted; read only to start');
  await a2.page.click('#grant-form button[type=submit]');
  check('acme is granted read', await waitText(a2.page, '#collection-detail .notice', 'acme now has read access to csam-known'));
  check('the grants table shows the new grant', await waitText(a2.page, '#collection-detail table[aria-label=grants]', 'acme'));
  await shot(a2.page, '04b-collection-grant');
  await a2.browser.close();

  // An admin suspends beta; beta's console shows the refusal.
  await go(a1.page, '#/organisations');
  check('the organisations are listed', await waitText(a1.page, 'table.data', 'Beta Video'));
  await shot(a1.page, '05-organisations');
  await openRow(a1.page, 'Beta Video');
  await waitText(a1.page, '#org-detail', 'Suspend');
  const suspendButton = await a1.page.$('#org-detail form:has(input[name=confirm]) button[type=submit]');
  check('suspend stays disabled before the confirmation is typed', await suspendButton.evaluate((b) => b.disabled));
  await confirmIn(a1.page, '#org-detail', 'investigation of a report', 'beta');
  check('beta is suspended', await waitText(a1.page, '#org-detail .notice', 'beta is now suspended'));
  check('the page reloads: beta may now be reinstated', await waitText(a1.page, '#org-detail h2', 'Reinstate'));
  check('the table shows the new status', await waitText(a1.page, '#page-organisations tbody tr', 'investigation of a report'));
  await shot(a1.page, '06-organisation-suspended');
  const beta = await open('beta');
  await go(beta.page, '');
  check("beta's console shows the refusal", await waitText(beta.page, '#refused', 'organisation beta is suspended'));
  await shot(beta.page, '07-refused-member');
  await beta.browser.close();

  await go(a1.page, '#/audit');
  check('the audit log shows the suspension', await waitText(a1.page, 'table.data', 'org.suspend'));
  check('the audit checkpoint verifies in the page', await waitText(a1.page, '#checkpoint .notice.success', 'The checkpoint verifies'));
  const firstAction = await a1.page.$eval('table.data tbody tr td:nth-child(3)', (td) => td.textContent);
  check(`the audit log is newest first (first row ${firstAction})`, firstAction === 'org.suspend');
  await a1.page.select('select[name=action]', 'application.approve');
  const approvals = await a1.page.$$eval('table.data tbody tr', (rows) => rows.length);
  check(`the audit filter keeps the two approvals (${approvals})`, approvals === 2);
  await shot(a1.page, '08-audit-log');

  // A page from another origin tries to make the admin's browser suspend alpha.
  const evil = await a1.browser.newPage();
  await evil.goto(env.EVIL_URL, { waitUntil: 'networkidle0' });
  await evil.evaluate(() => window.tryFetch());
  await waitText(evil, '#fetch-result', 'fetch ');
  await Promise.all([evil.waitForNavigation({ waitUntil: 'networkidle0' }), evil.click('#submit')]);
  const answer = await evil.evaluate(() => document.body.innerText);
  check(`the cross-site form POST is refused (${answer.slice(0, 160)})`, answer.includes('permission_denied') && answer.includes('Origin'));
  await shot(evil, '09-cross-site-refused');
  await a1.browser.close();

  // The auditor reads the report and takes the signed files.
  const au = await open('auditor');
  await go(au.page, '#/report');
  check('the report shows figures', await waitText(au.page, '#page-report table.data', 'contributions'));
  const headerAlign = await au.page.$eval('#page-report table[aria-label=figures] th.num', (th) => getComputedStyle(th).textAlign);
  const cellAlign = await au.page.$eval('#page-report table[aria-label=figures] td.num', (td) => getComputedStyle(td).textAlign);
  check(`numbers and their headers are right-aligned (${headerAlign}, ${cellAlign})`, headerAlign === 'right' && cellAlign === 'right');
  for (const f of ['JSON', 'CSV', 'HTML']) {
    await au.page.evaluate((label) => [...document.querySelectorAll('#page-report button')].find((b) => b.textContent.startsWith('Get ' + label)).click(), f);
  }
  check('the signed files are offered', await waitText(au.page, '#downloads', 'annual-report-') &&
    (await au.page.waitForFunction(() => document.querySelectorAll('#downloads a.signature').length === 3, { timeout: 10000 }).then(() => true, () => false)));
  const signature = await au.page.$eval('#downloads code.signature-text', (c) => c.textContent);
  check(`a signature is 64 bytes of base64 (${signature})`, /^[A-Za-z0-9+/]{86}==$/.test(signature));
  await shot(au.page, '10-annual-report');
  const year = new Date().getUTCFullYear();
  await au.page.goto(`${new URL(consoleUrl).origin}/v1/reports/annual/${year}?format=html`, { waitUntil: 'networkidle0' });
  check('the HTML report shows the report key fingerprint', await waitText(au.page, 'body', 'SHA-256'));
  await shot(au.page, '11-annual-report-html');
  await go(au.page, '#/organisations');
  check('the auditor sees the organisations', await waitText(au.page, 'table.data', 'suspended'));
  const openButtons = await au.page.$$eval('#page-organisations tbody button', (b) => b.length);
  check('the auditor gets no suspend or revoke buttons', openButtons === 0);
  await au.browser.close();

  // A member looks up a value and an image.
  const al = await open('alpha');
  await go(al.page, '#/lookup');
  await al.page.waitForSelector('#value-form');
  await al.page.select('#value-form select[name=kind]', 'md5');
  await al.page.type('#value-form input[name=value]', env.MD5.toUpperCase());
  await al.page.click('#value-form button[type=submit]');
  check('the value is found in csam-known', await waitText(al.page, '#lookup-results table.data', env.MD5));
  await shot(al.page, '12-lookup-value');
  const input = await al.page.$('#image-form input[type=file]');
  await input.uploadFile(env.PICTURE);
  await al.page.click('#image-form button[type=submit]');
  check('the image is hashed by the exchange', await waitText(al.page, '#image-pdq', env.PDQ));
  check('the image matches exactly', await waitText(al.page, '#lookup-results table.data', 'exact'));
  await shot(al.page, '13-lookup-image');
  await openRow(al.page, env.PDQ);
  check('the signal shows its contributions', await waitText(al.page, '#signal-detail', 'Retract my contribution'));
  await confirmIn(al.page, '#signal-detail', 'false positive after review', 'retract');
  check('the own contribution is retracted', await waitText(al.page, '#signal-detail .notice', 'Retracted'));
  await shot(al.page, '14-retracted');
  await go(al.page, '#/contributions?collection=csam-known');
  check('my contributions list both signals', await waitText(al.page, '#page-contributions', '2 contributions of alpha to csam-known'));
  const retractedRow = await al.page.$$eval('#page-contributions tbody tr', (rows, pdq) =>
    rows.filter((r) => r.textContent.includes(pdq)).map((r) => r.textContent).join(''), env.PDQ);
  check(`the retracted contribution says so (${retractedRow})`, retractedRow.includes('retracted'));
  const md5Row = await al.page.$$eval('#page-contributions tbody tr', (rows, md5) =>
    rows.filter((r) => r.textContent.includes(md5)).map((r) => [...r.querySelectorAll('td.num')].map((td) => td.textContent)), env.MD5);
  check(`the md5's dispute by beta shows (${JSON.stringify(md5Row)})`, JSON.stringify(md5Row) === '[["0","1"]]');
  await shot(al.page, '15-my-contributions');
  await openRow(al.page, env.MD5);
  check('a contribution opens with its retract form', await waitText(al.page, '#contribution-detail', 'Retract my contribution'));
  await go(al.page, '#/whoami');
  check('alpha sees its identity', await waitText(al.page, '#page-whoami', 'Alpha Social (alpha)'));
  await shot(al.page, '16-whoami-member');
  const navText = await al.page.$eval('#nav', (n) => n.textContent);
  check(`a member's navigation has no admin pages (${navText})`, !navText.includes('Applications') && !navText.includes('Audit'));
  await al.browser.close();
}

try {
  await run();
} catch (e) {
  failures++;
  console.error('FAIL: ' + (e.stack || e));
}
for (const p of problems) {
  failures++;
  console.error('FAIL: ' + p);
}
console.log(`console flows: ${passed} passed, ${failures} failed`);
process.exit(failures ? 1 : 0);
