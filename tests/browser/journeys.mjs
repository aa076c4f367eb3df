// The browser half of tests/it/browser.rs: real journeys through a running `ombuds serve` in
// headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core; nothing downloaded).
//
// Usage: node journeys.mjs PHASE   with the environment
//   OMBUDS_URL    the server's base address (ending in /)
//   OMBUDS_SHOTS  the directory for screenshots
//   OMBUDS_INPUT  the phase's input, as JSON
// The last line printed is `RESULT {json}`; anything wrong exits non-zero with the reason.
//
// Every page visited is checked the same way (`inspect`): axe-core (WCAG 2.1 A/AA and best
// practice) must find no serious or critical violation, the page must not be wider than a 320 px
// screen, every request must go to the service itself, and the page is photographed at 320 px
// and at 1280 px.

import { chromium } from 'playwright-core';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const BASE = process.env.OMBUDS_URL;
const SHOTS = process.env.OMBUDS_SHOTS;
const INPUT = JSON.parse(process.env.OMBUDS_INPUT || '{}');
const PHASE = process.argv[2];
const PHONE = { width: 320, height: 640 };
const DESKTOP = { width: 1280, height: 900 };
const BROWSER = process.env.OMBUDS_CHROMIUM || '/usr/bin/chromium';

if (!BASE || !SHOTS || !PHASE) {
  fail('set OMBUDS_URL, OMBUDS_SHOTS and OMBUDS_INPUT and name a phase');
}
mkdirSync(SHOTS, { recursive: true });

const audits = [];
let shotNumber = 0;

function fail(message) {
  throw new Error(message);
}

function check(condition, message) {
  if (!condition) fail(message);
}

function url(path) {
  return new URL(path, BASE).toString();
}

async function launch() {
  return chromium.launch({
    executablePath: BROWSER,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/// A fresh context (a fresh profile: no cookies, no cache) with requests watched.
/// `locale` is the browser's own language (its date controls, its Accept-Language), which the
/// pages never follow: a Spanish reader may well have an English browser, and the reverse.
async function context(browser, { javaScript, viewport, acceptDownloads = false, locale = 'en-US' }) {
  const ctx = await browser.newContext({
    javaScriptEnabled: javaScript,
    viewport,
    acceptDownloads,
    locale,
  });
  const page = await ctx.newPage();
  page.on('request', (request) => {
    const target = request.url();
    if (!target.startsWith(BASE) && !target.startsWith('data:')) {
      fail(`the page asked another site for ${target}`);
    }
  });
  page.on('response', (response) => {
    if (response.request().isNavigationRequest()) {
      const csp = response.headers()['content-security-policy'] || '';
      if (!csp.includes("default-src 'none'")) {
        fail(`${response.url()} came without the strict Content-Security-Policy`);
      }
    }
  });
  return { ctx, page };
}

/// Runs axe-core in the page (injected from node_modules through the DevTools protocol, which
/// the page's CSP does not govern), then checks the width and takes the two screenshots.
async function inspect(page, name) {
  const viewport = page.viewportSize();
  await page.setViewportSize(PHONE);
  const widths = await page.evaluate(() => ({
    document: document.documentElement.scrollWidth,
    viewport: window.innerWidth,
    widest: [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth)
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className} (${Math.round(el.getBoundingClientRect().right)} px)`),
  }));
  if (widths.document > widths.viewport) {
    writeFileSync(join(SHOTS, `${name}-too-wide.html`), await page.content());
  }
  check(
    widths.document <= widths.viewport,
    `${name}: the page is ${widths.document} px wide on a ${widths.viewport} px screen: ${widths.widest.join(', ')}`,
  );
  shotNumber += 1;
  const stem = `${String(shotNumber).padStart(2, '0')}-${name}`;
  await page.screenshot({ path: join(SHOTS, `${stem}-320.png`), fullPage: true });
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: join(SHOTS, `${stem}-1280.png`), fullPage: true });
  await page.setViewportSize(viewport ?? PHONE);

  const result = await axe(page);
  audits.push({ page: name, url: page.url(), violations: result });
  const grave = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  check(
    grave.length === 0,
    `${name}: axe found ${grave.length} serious or critical violation(s): ${JSON.stringify(grave, null, 1)}`,
  );
}

let auditPage = null;

/// axe-core's findings for the page as it is now. axe needs scripts and timers, which the
/// journeys may have turned off, so it runs on an exact copy of the page's document served at
/// the same address in a separate, script-enabled page of the same browser (with the real
/// stylesheet, so colour contrast is judged as shown).
async function axe(page) {
  if (!auditPage) {
    const ctx = await page.context().browser().newContext({
      javaScriptEnabled: true,
      bypassCSP: true,
      viewport: page.viewportSize() ?? PHONE,
    });
    auditPage = await ctx.newPage();
  }
  await auditPage.setViewportSize(page.viewportSize() ?? PHONE);
  const target = page.url().split('#')[0];
  const html = await page.content();
  const matches = (u) => u.toString().split('#')[0] === target;
  await auditPage.route(matches, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }),
  );
  await auditPage.goto(target);
  await auditPage.unroute(matches);
  await auditPage.evaluate(AXE_SOURCE);
  const timeout = new Promise((_, reject) => {
    setTimeout(() => reject(new Error('axe took over 60 s')), 60000).unref();
  });
  return Promise.race([
    timeout,
    auditPage.evaluate(async () => {
      const found = await window.axe.run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
        resultTypes: ['violations'],
      });
      return found.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5),
      }));
    }),
  ]);
}

async function activeId(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    return el ? el.id || el.getAttribute('name') || el.tagName.toLowerCase() : '';
  });
}

/// Presses Tab until the element with `id` has the focus (at most `limit` times), and checks
/// that the focus can be seen (WCAG 2.4.7): an outline or a box shadow on the focused element.
async function tabTo(page, id, limit = 60) {
  for (let i = 0; i < limit; i += 1) {
    await page.keyboard.press('Tab');
    if ((await activeId(page)) === id) {
      const shown = await page.evaluate(() => {
        const style = getComputedStyle(document.activeElement);
        return (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
      });
      check(shown, `#${id} has the focus but shows no focus indicator`);
      return;
    }
  }
  fail(`Tab never reached #${id}`);
}

/// Chooses a radio button as a keyboard user does: Tab into its group (the focus lands on the
/// group's first button while none is chosen), then the arrow keys down to the one wanted, which
/// both moves the focus and chooses it. Space chooses the first button.
async function chooseRadio(page, name, value) {
  const ids = await page.$$eval(`input[type="radio"][name="${name}"]`, (all) => all.map((e) => e.id));
  const wanted = `${name}-${value}`;
  const steps = ids.indexOf(wanted);
  check(steps >= 0, `no radio button #${wanted}`);
  await tabTo(page, ids[0]);
  if (steps === 0) {
    await page.keyboard.press('Space');
  }
  for (let i = 0; i < steps; i += 1) {
    await page.keyboard.press('ArrowDown');
  }
  check((await activeId(page)) === wanted, `the arrow keys did not reach #${wanted}`);
  check(await page.locator(`#${wanted}`).isChecked(), `the keyboard did not choose #${wanted}`);
}

/// Does `action` and waits for the page it leads to.
async function navigates(page, action) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), action()]);
}

async function text(page, selector) {
  return (await page.locator(selector).first().innerText()).trim();
}

/// The error summary is announced (role=alert) and each field at fault says so.
async function checkAnnouncedErrors(page, fields) {
  const summary = page.locator('.error-summary[role="alert"]');
  check((await summary.count()) === 1, 'no error summary with role="alert"');
  for (const field of fields) {
    const link = summary.locator(`a[href="#${field}"]`);
    check((await link.count()) === 1, `the error summary does not link to #${field}`);
  }
  const description = page.locator('#description');
  check((await description.getAttribute('aria-invalid')) === 'true', '#description is not aria-invalid');
  const described = (await description.getAttribute('aria-describedby')) || '';
  check(described.includes('description-error'), '#description is not described by its error');
  check(
    (await page.locator('#description-error').count()) === 1,
    'the error #description points to does not exist',
  );
  check((await page.title()).includes(':'), 'the title of a page with errors does not say so');
}

// ---------------------------------------------------------------------------------------------
// Phases

/// Types `value` into the field `id` as a person does, key by key (never `fill`, which sets the
/// value behind the control's back), from the keyboard alone or after clicking the field.
async function typeInto(page, id, value, keyboard) {
  if (keyboard) {
    await tabTo(page, id);
  } else {
    await page.locator(`#${id}`).click();
  }
  await page.keyboard.type(value, { delay: 20 });
}

/// Empties the field `id` from the keyboard.
async function clearField(page, id) {
  await page.locator(`#${id}`).focus();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Backspace');
}

/// The receipt on the receipt page.
async function shownReceipt(page) {
  const receipt = await text(page, '.receipt code');
  check(receipt.split('-').length === 8, `no eight-word receipt on ${page.url()}: ${receipt}`);
  return receipt;
}

/// Issue 21, item 9: on a 390 px phone the form starts screens below the explanations, so the
/// first thing under the heading is a link to it, seen on the first screen without scrolling.
/// Following it (no script) scrolls the form's heading to the top and puts the focus there, so
/// the next Tab reaches the form's first control.
async function jumpToTheForm(page, lang) {
  const before = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.evaluate(() => window.scrollTo(0, 0));
  const seen = await page.evaluate(() => {
    const heading = document.querySelector('main h1');
    const next = heading && heading.nextElementSibling;
    const link = next && next.querySelector('a');
    const box = link ? link.getBoundingClientRect() : null;
    const form = document.querySelector('#form-heading').getBoundingClientRect();
    return {
      href: link ? link.getAttribute('href') : null,
      text: link ? link.innerText.trim() : '',
      bottom: box ? box.bottom : Infinity,
      screens: (form.top + window.scrollY) / window.innerHeight,
      height: window.innerHeight,
    };
  });
  check(seen.href === '#form-heading', `the heading is not followed by the link to the form: ${JSON.stringify(seen)}`);
  check(seen.bottom <= seen.height, `the link to the form is below the first screen: ${JSON.stringify(seen)}`);
  check(seen.screens > 1, `the form is on the first screen already: the link would not be needed (${seen.screens})`);
  await page.locator('main h1 + p a').click();
  const landed = await page.evaluate(() => ({
    focus: document.activeElement ? document.activeElement.id : '',
    top: document.querySelector('#form-heading').getBoundingClientRect().top,
    scrolled: window.scrollY,
  }));
  check(landed.focus === 'form-heading', `the link left the focus on ${landed.focus || 'nothing'}`);
  check(landed.scrolled > 0 && Math.abs(landed.top) < 10, `the form's heading is not at the top: ${JSON.stringify(landed)}`);
  await page.keyboard.press('Tab');
  const first = await page.$eval('input[type="radio"][name="category"]', (e) => e.id);
  check((await activeId(page)) === first, `Tab after the link went to ${await activeId(page)}, not the form`);
  console.error(`intake ${lang}: the form starts ${seen.screens.toFixed(1)} screens down at 390 px; "${seen.text}" jumps there`);
  await page.setViewportSize(before ?? PHONE);
}

/// A submitter with JavaScript off files a concern at phone width and keeps the receipt. The
/// browser speaks the submitter's language (`INPUT.locale`), so its own controls would too.
///
/// Issue 21: the date is typed the way the page's hint says (year-month-day), key by key, and
/// arrives as typed; the form's answer is a redirect to the receipt page, which survives a
/// reload, the language link and Back without posting the form again.
async function submit(browser) {
  const lang = INPUT.lang;
  const other = lang === 'en' ? 'es' : 'en';
  const q = lang === 'en' ? '' : `?lang=${lang}`;
  const { page } = await context(browser, { javaScript: false, viewport: PHONE, locale: INPUT.locale });
  const posts = [];
  page.on('request', (request) => {
    if (request.method() === 'POST') posts.push(new URL(request.url()).pathname);
  });
  await page.goto(url('/'));
  check(await page.evaluate(() => document.title !== ''), 'the intake page has no title');
  if (lang !== 'en') {
    // The person chooses the language with the link in the header.
    await navigates(page, () => page.locator(`nav.lang a[hreflang="${lang}"]`).click());
    check(page.url() === url(`/${q}`), `the language link went to ${page.url()}`);
  }
  check(
    (await page.getAttribute('html', 'lang')) === lang,
    `the intake page is not marked lang=${lang}`,
  );
  await inspect(page, `intake-${lang}`);
  await jumpToTheForm(page, lang);

  // The date fields are plain text boxes, and the hint says how to write a date in the page's
  // language, with the same example the box then receives.
  const hint = await text(page, '#dates-hint');
  check(hint.includes(INPUT.date_words), `the date hint does not say ${INPUT.date_words}: ${hint}`);
  check(hint.includes('2026-03-31'), `the date hint gives no example: ${hint}`);
  for (const id of ['concluded_on', 'discovered_on']) {
    const type = await page.getAttribute(`#${id}`, 'type');
    check(type === 'text', `#${id} is a ${type} control, not a text box the hint describes`);
    const described = (await page.getAttribute(`#${id}`, 'aria-describedby')) || '';
    check(described.includes('dates-hint'), `#${id} is not described by the date hint`);
  }
  await typeInto(page, 'concluded_on', INPUT.typed_date, INPUT.keyboard);

  if (INPUT.keyboard) {
    // Keyboard only: Tab to the button and send the form, still empty but for the date, with
    // Enter.
    await tabTo(page, 'submit');
  } else {
    await page.locator('button[type="submit"]').focus();
  }
  await navigates(page, () => page.keyboard.press('Enter'));
  check(page.url() === url(`/concerns${q}`), `the form went to ${page.url()}`);
  await checkAnnouncedErrors(page, ['category', 'raised_by', 'description', 'accept_conditions']);
  // The date came back exactly as typed, and was accepted.
  const dateEcho = await page.inputValue('#concluded_on');
  check(dateEcho === INPUT.typed_date, `the date typed as ${INPUT.typed_date} came back as ${dateEcho}`);
  check((await page.locator('#concluded_on-error').count()) === 0, 'the typed date was refused');
  await inspect(page, `intake-errors-${lang}`);
  if (!INPUT.concluded_on) {
    await clearField(page, 'concluded_on');
  }

  if (INPUT.keyboard) {
    // Keyboard only: Tab, the arrow keys, Space and Enter, and typing.
    await chooseRadio(page, 'category', INPUT.category);
    await chooseRadio(page, 'raised_by', INPUT.raised_by);
    await tabTo(page, 'description');
    await page.keyboard.type(INPUT.description);
    await tabTo(page, 'accept_conditions');
    await page.keyboard.press('Space');
    await tabTo(page, 'submit');
    check(
      await page.locator(`#category-${INPUT.category}`).isChecked(),
      'Space did not choose the category',
    );
    check(await page.locator('#accept_conditions').isChecked(), 'Space did not tick the box');
    await navigates(page, () => page.keyboard.press('Enter'));
  } else {
    await page.locator(`label[for="category-${INPUT.category}"]`).click();
    await page.locator(`label[for="raised_by-${INPUT.raised_by}"]`).click();
    await page.locator('#description').fill(INPUT.description);
    await page.locator('#accept_conditions').check();
    await navigates(page, () => page.locator('button[type="submit"]').click());
  }
  // The form's answer led to the receipt page; no address carries the receipt.
  check(page.url() === url(`/receipt${q}`), `the form's answer went to ${page.url()}`);
  const receipt = await shownReceipt(page);
  const sent = posts.length;
  check(!page.url().includes(receipt.split('-')[0]), 'the address carries the receipt');
  await inspect(page, `receipt-${lang}`);
  const heading = await text(page, 'h1');

  // Reloaded: the same receipt, and nothing posted again.
  await page.reload();
  check((await shownReceipt(page)) === receipt, 'the reloaded page shows another receipt');
  // The language link stays on the page and keeps the receipt; Back returns to it.
  await navigates(page, () => page.locator(`nav.lang a[hreflang="${other}"]`).click());
  check(page.url() === url(`/receipt${other === 'en' ? '' : `?lang=${other}`}`), `the language link went to ${page.url()}`);
  check((await page.getAttribute('html', 'lang')) === other, `the receipt page is not in ${other}`);
  check((await shownReceipt(page)) === receipt, 'the other language shows another receipt');
  await inspect(page, `receipt-${lang}-in-${other}`);
  await page.goBack();
  check(page.url() === url(`/receipt${q}`), `Back went to ${page.url()}`);
  check((await shownReceipt(page)) === receipt, 'Back shows another receipt');
  check(posts.length === sent, `the receipt page posted ${posts.slice(sent).join(', ')}`);

  // An address that does not exist answers in the same language.
  const missing = await page.goto(url(`/no-such-page${q}`));
  check(missing.status() === 404, `a missing page answered ${missing.status()}`);
  check((await page.getAttribute('html', 'lang')) === lang, 'the 404 page is in another language');
  await inspect(page, `not-found-${lang}`);
  const notFound = await text(page, 'h1');

  // "Hide the receipt": the page no longer shows it, and says why.
  await page.goto(url(`/receipt${q}`));
  await navigates(page, () => page.locator(`form[action="/receipt${q}"] button`).click());
  check(page.url() === url(`/${q}`), `hiding the receipt went to ${page.url()}`);
  const gone = await page.goto(url(`/receipt${q}`));
  check(gone.status() === 404, `the hidden receipt's page answered ${gone.status()}`);
  check((await page.locator('.receipt code').count()) === 0, 'the hidden receipt is still shown');
  await inspect(page, `receipt-gone-${lang}`);
  return { receipt, heading, not_found: notFound, date_echo: dateEcho };
}

/// A submitter with scripts on, while the service asks for proof of work: the page's own script
/// solves the puzzle as soon as the page opens and says so in its status line, and the form is
/// then sent with the proof. (The server in this test admits no unproven concern at all, so a
/// receipt shows the proof was made and accepted.)
async function proof(browser) {
  const lang = INPUT.lang;
  const q = lang === 'en' ? '' : `?lang=${lang}`;
  const { page } = await context(browser, { javaScript: true, viewport: PHONE });
  await page.goto(url(`/${q}`));
  await page.waitForFunction(() => document.getElementById('pow_nonce').value !== '', null, {
    timeout: 60000,
  });
  const status = page.locator('#pow_status');
  check(
    (await status.innerText()).trim() === (await status.getAttribute('data-done')),
    'the status line does not say that the puzzle is solved',
  );
  check((await status.getAttribute('role')) === 'status', 'the status line is not announced');
  await inspect(page, `intake-proof-${lang}`);
  await page.locator(`label[for="category-${INPUT.category}"]`).click();
  await page.locator(`label[for="raised_by-${INPUT.raised_by}"]`).click();
  await page.locator('#description').fill(INPUT.description);
  await page.locator('#accept_conditions').check();
  await navigates(page, () => page.locator('button[type="submit"]').click());
  const receipt = await text(page, '.receipt code');
  check(receipt.split('-').length === 8, `no eight-word receipt after a proven submission: ${receipt}`);
  await inspect(page, `receipt-proof-${lang}`);
  return { receipt };
}

/// Signs a staff member in with password and TOTP code.
async function signIn(page, role) {
  await page.goto(url('/signin'));
  await inspect(page, `signin-${role}`);
  await page.locator('#username').fill(INPUT.username);
  await page.locator('#password').fill(INPUT.password);
  await page.locator('#code').fill(INPUT.code);
  await navigates(page, () => page.locator('button[type="submit"]').click());
  check(!page.url().includes('/signin'), `sign-in failed: ${await text(page, 'main')}`);
}

/// An ombuds opens each new case, writes a note, replies, and records the termination, which
/// issues the written notice with its certificate.
async function ombuds(browser) {
  const { page } = await context(browser, { javaScript: true, viewport: DESKTOP });
  await signIn(page, 'ombuds');
  check(page.url() === url('/console'), `the ombuds landed on ${page.url()}`);
  await inspect(page, 'console-inbox');
  const links = await page
    .locator('section[aria-labelledby="inbox-heading"] a[href^="/console/cases/"]')
    .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  check(links.length === INPUT.cases.length, `the inbox shows ${links.length} cases`);
  const handled = [];
  for (const [index, link] of links.entries()) {
    await page.goto(url(link));
    const description = await text(page, 'section[aria-labelledby="concern-heading"] .text');
    const theCase = INPUT.cases.find((c) => c.description === description);
    check(theCase, `a case with an unexpected concern: ${description}`);
    await navigates(page, () => page.locator('form[action$="/open"] button').click());
    if (index === 0) await inspect(page, 'console-case');

    await page.locator('#text').fill(theCase.note);
    await navigates(page, () => page.locator('form[action$="/notes"] button[type="submit"]').click());
    check((await text(page, 'ul.notes')).includes(theCase.note), 'the note is not shown');

    await page.locator('#reply').fill(theCase.reply);
    await navigates(page, () => page.locator('form[action$="/replies"] button[type="submit"]').click());
    check((await text(page, 'ol.thread')).includes(theCase.reply), 'the reply is not shown');

    await page.locator('#termination-date').fill(INPUT.termination);
    await navigates(page, () => page.locator('form[action$="/dates/termination"] button[type="submit"]').click());
    const letters = page.locator('a[href^="/console/letters/"]');
    check((await letters.count()) >= 1, 'no notice was issued with the termination');
    if (index === 0) {
      await inspect(page, 'console-case-terminated');
      await navigates(page, () => letters.first().click());
      await inspect(page, 'console-notice');
    }
    handled.push({ link, description });
  }
  return { handled };
}

/// The ombuds closes each open case with an outcome. Each person has just written back, so the
/// case page warns that a message waits for an answer, and closing needs a second box ticked.
async function close(browser) {
  const { page } = await context(browser, { javaScript: true, viewport: DESKTOP });
  await signIn(page, 'ombuds-again');
  const links = await page
    .locator('section[aria-labelledby="open-heading"] a[href^="/console/cases/"]')
    .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  check(links.length === INPUT.cases, `${links.length} open cases, expected ${INPUT.cases}`);
  for (const [index, link] of links.entries()) {
    await page.goto(url(link));
    check(
      (await text(page, '#unanswered-warning')).includes('waits for an answer'),
      'no warning beside the close form that the person\'s message is unanswered',
    );
    if (index === 0) await inspect(page, 'console-case-unanswered');
    await page.locator(`#outcome-${INPUT.outcome}`).check();
    await page.locator('#confirm').check();
    await page.locator('#confirm_unanswered').check();
    await navigates(page, () => page.locator('form[action$="/close"] button[type="submit"]').click());
  }
  await inspect(page, 'console-closed');
  return { closed: links.length };
}

/// The submitter comes back with the receipt (JavaScript off, phone width): reads the reply and
/// the notice, opens the printable notice, and checks its certificate on /verify.
async function followup(browser) {
  const lang = INPUT.lang;
  const q = lang === 'en' ? '' : `?lang=${lang}`;
  const { page } = await context(browser, { javaScript: false, viewport: PHONE });
  await page.goto(url(`/${q}`));
  await navigates(page, () => page.locator(`a[href="/followup${q}"]`).first().click());
  await inspect(page, `followup-${lang}`);
  if (INPUT.keyboard) {
    await tabTo(page, 'receipt');
    await page.keyboard.type(INPUT.receipt);
    await navigates(page, () => page.keyboard.press('Enter'));
  } else {
    await page.locator('#receipt').fill(INPUT.receipt);
    await navigates(page, () => page.locator('button[type="submit"]').click());
  }
  const main = await text(page, 'main');
  // The notice is shown as its printable page shows it, certificate included.
  const certificate = await text(page, '.letter-embedded pre.certificate');
  const block = certificate.slice(
    certificate.indexOf('-----BEGIN'),
    certificate.indexOf('-----', certificate.indexOf('-----END') + 8) + 5,
  );
  check(block.startsWith('-----BEGIN') && block.includes('-----END'), 'no certificate in the notice');
  // The notice is written in the page's language, and marked so.
  const noticeLang = await page.getAttribute('.letter-embedded', 'lang');
  check(noticeLang === lang, `the notice on the follow-up page is marked lang=${noticeLang}`);
  let steps = [];
  if (INPUT.closed) {
    await inspect(page, `followup-closed-${lang}`);
  } else {
    check(main.includes(INPUT.reply), `the ombuds' reply is not on the page: ${main}`);
    await inspect(page, `followup-thread-${lang}`);
    // How the deadline was worked out, opened as a reader does (from the keyboard: Tab to the
    // summary and Enter), all of it in the page's language.
    if (INPUT.keyboard) {
      await tabTo(page, 'deadline-how');
      await page.keyboard.press('Enter');
    } else {
      await page.locator('#deadline-how').click();
    }
    check(
      await page.locator('#deadline-how').evaluate((summary) => summary.parentElement.open),
      'the explanation of the deadline did not open',
    );
    steps = await page.locator('#deadline-steps li').allInnerTexts();
    check(steps.length >= 1 && steps.every((s) => s.trim() !== ''), 'no step explains the deadline');
    check(
      (await page.locator('section[aria-labelledby="deadline-heading"] [lang]').count()) === 0,
      'part of the deadline is marked as written in another language',
    );
    await inspect(page, `followup-deadline-${lang}`);
    // A message back, with Enter in the text box's form.
    await page.locator('#message').fill(INPUT.message);
    await navigates(page, () => page.locator('form[action^="/followup/messages"] button').click());
    check((await text(page, '[role="status"]')).length > 0, 'no confirmation that the message was sent');
    check((await text(page, 'ol.thread')).includes(INPUT.message), 'the message is not in the thread');
  }
  const lettersLang = await page.getAttribute('html', 'lang');
  check(lettersLang === lang, `the follow-up page is marked lang=${lettersLang}`);

  // The printable notice.
  await navigates(page, () => page.locator('form[action^="/followup/letters/"] button').first().click());
  check((await text(page, 'pre.certificate')).includes('-----BEGIN'), 'the printable notice has no certificate');
  const printedLang = await page.getAttribute('html', 'lang');
  check(printedLang === lang, `the printable notice is marked lang=${printedLang}`);
  await inspect(page, `notice-${lang}${INPUT.closed ? '-closed' : ''}`);

  // The certificate on /verify.
  await page.goto(url(`/verify${q}`));
  await inspect(page, `verify-${lang}`);
  await page.locator('#certificate').fill(block);
  await navigates(page, () => page.locator('button[type="submit"]').click());
  const verified = await text(page, '.verified');
  await inspect(page, `verify-ok-${lang}`);
  // A changed date is refused beside the field.
  await page.goto(url(`/verify${q}`));
  await page.locator('#certificate').fill(block.replace(/Termination: (\d{4})/, (_, y) => `Termination: ${Number(y) + 1}`));
  await navigates(page, () => page.locator('button[type="submit"]').click());
  check(
    (await page.locator('#certificate[aria-invalid="true"]').count()) === 1,
    'a changed certificate is not marked invalid',
  );
  await inspect(page, `verify-refused-${lang}`);
  return { verified, certificate: block, main, steps };
}

/// A board member opens the quarter's report and downloads its CSV.
async function board(browser) {
  const { page } = await context(browser, { javaScript: true, viewport: DESKTOP, acceptDownloads: true });
  await signIn(page, 'board');
  check(page.url() === url('/board'), `the board member landed on ${page.url()}`);
  await inspect(page, 'board-home');
  await navigates(page, () => page.locator(`a[href="/board/reports/${INPUT.period}"]`).click());
  await inspect(page, 'board-report');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator(`a[href="/board/reports/${INPUT.period}/csv"]`).click(),
  ]);
  const path = join(SHOTS, download.suggestedFilename() || 'report.csv');
  await download.saveAs(path);
  return { csv: readFileSync(path, 'utf8'), filename: download.suggestedFilename() };
}

/// Issue 19: the ombuds adds the member concerned (Spanish, with a receipt) on the case page,
/// with no script, and gets the printable invitation; then writes the resolution plan.
async function parties(browser) {
  const { page } = await context(browser, { javaScript: false, viewport: DESKTOP });
  await signIn(page, 'ombuds-parties');
  await page.goto(url(INPUT.case));
  await page.locator('#party-role-member_concerned').check();
  await page.locator('#name').fill(INPUT.name);
  await page.locator('#party-lang-es').check();
  await page.locator('#party-channel-receipt').check();
  await navigates(page, () => page.locator('form[action$="/parties"] button[type="submit"]').click());
  const lang = await page.getAttribute('html', 'lang');
  check(lang === 'es', `the invitation is marked lang=${lang}`);
  const receipt = await text(page, '.receipt code');
  check(receipt.split('-').length === 8, `no receipt on the invitation: ${receipt}`);
  await inspect(page, 'console-invitation');
  await page.goto(url(INPUT.case));
  await page.locator('#terms').fill(INPUT.terms);
  await navigates(page, () => page.locator('form[action$="/plan"] button[type="submit"]').click());
  check((await text(page, 'main')).includes(INPUT.terms), 'the plan is not on the case page');
  await inspect(page, 'console-case-parties');
  return { receipt };
}

/// Issue 21, item 8: on the case page of a telephone contact, with no script, the ombuds records
/// a period in which the respondent held no membership (a wrong one first: the error names the
/// field), sees the deadline count it, then issues the caller a receipt with a printable page
/// in Spanish, its words listed one by one to read out.
async function caller(browser) {
  const { page } = await context(browser, { javaScript: false, viewport: DESKTOP });
  await signIn(page, 'ombuds-caller');
  await page.goto(url(INPUT.case));
  await page.locator('#from').fill(INPUT.to);
  await page.locator('#to').fill(INPUT.from);
  await navigates(page, () => page.locator('form[action$="/non-membership"] button[type="submit"]').click());
  const summary = page.locator('.error-summary[role="alert"] a[href="#to"]');
  check((await summary.count()) === 1, 'the error summary does not link to #to');
  check(
    (await page.getAttribute('#to', 'aria-describedby')) === 'to-error',
    '#to is not described by its error',
  );
  check((await text(page, '#to-error')).includes('before the first'), 'the error does not say why');
  await inspect(page, 'console-case-non-member-refused');
  await page.locator('#from').fill(INPUT.from);
  await page.locator('#to').fill(INPUT.to);
  await navigates(page, () => page.locator('form[action$="/non-membership"] button[type="submit"]').click());
  const periods = await text(page, 'ul.periods');
  check(periods.includes(INPUT.from) && periods.includes(INPUT.to), `the period is not listed: ${periods}`);
  const deadline = await text(page, 'section[aria-labelledby="deadline-heading"] strong');
  await inspect(page, 'console-case-non-member');

  await page.locator('#receipt-lang-es').check();
  await navigates(page, () => page.locator('form[action$="/receipt"] button[type="submit"]').click());
  const lang = await page.getAttribute('html', 'lang');
  check(lang === 'es', `the printable receipt is marked lang=${lang}`);
  const receipt = await text(page, '.receipt code');
  const words = await page.locator('ol.receipt-words li').allInnerTexts();
  check(words.join('-') === receipt, `the words to read out (${words}) are not the receipt ${receipt}`);
  await inspect(page, 'console-caller-receipt');
  return { receipt, deadline };
}

/// The member opens its own thread with the invitation's receipt (no script, phone width),
/// writes to the ombuds and accepts the plan.
async function member(browser) {
  const { page } = await context(browser, { javaScript: false, viewport: PHONE });
  await page.goto(url('/followup?lang=es'));
  await page.locator('#receipt').fill(INPUT.receipt);
  await navigates(page, () => page.locator('button[type="submit"]').click());
  const main = await text(page, 'main');
  check(main.includes(INPUT.terms), `the plan is not on the member's page: ${main}`);
  for (const secret of INPUT.hidden) {
    check(!main.includes(secret), `the member's page shows ${secret}`);
  }
  await inspect(page, 'party-thread-es');
  await page.locator('#message').fill(INPUT.message);
  await navigates(page, () => page.locator('form[action^="/followup/messages"] button').click());
  check((await text(page, 'ol.thread')).includes(INPUT.message), 'the message is not shown');
  await navigates(page, () => page.locator('button[name="answer"][value="accepted"]').click());
  const after = await text(page, 'main');
  check(after.includes('Usted aceptó esta versión.'), `the acceptance is not shown: ${after}`);
  await inspect(page, 'party-plan-accepted-es');
  return { main: after };
}

/// Issue 19: the ombuds records the termination on the case page (no script), which delivers a
/// notice to each party's thread; the member reads its own in Spanish at phone width, the
/// submitter theirs in English, and the case page then says the member opened it.
async function notices(browser) {
  const { page } = await context(browser, { javaScript: false, viewport: DESKTOP });
  await signIn(page, 'ombuds-notices');
  await page.goto(url(INPUT.case));
  await navigates(page, () => page.locator('form[action$="/dates/termination"] button[type="submit"]').click());
  const listed = await text(page, 'ul.notices');
  for (const party of ['to party 1, the person who raised the concern', `to party 2, Member the concern is about (${INPUT.name})`]) {
    check(listed.includes(party), `the notices do not name ${party}: ${listed}`);
  }
  check(!listed.includes('thread and opened'), `a notice is opened before anyone read it: ${listed}`);
  await inspect(page, 'console-case-notices');

  const reader = await context(browser, { javaScript: false, viewport: PHONE });
  for (const [receipt, lang, title, hidden] of [
    [INPUT.member, 'es', 'La resolución informal ha terminado', INPUT.hidden_from_member],
    [INPUT.submitter, 'en', 'Informal resolution has ended', INPUT.hidden_from_submitter],
  ]) {
    await reader.page.goto(url(`/followup?lang=${lang}`));
    await reader.page.locator('#receipt').fill(receipt);
    await navigates(reader.page, () => reader.page.locator('button[type="submit"]').click());
    const main = await text(reader.page, 'main');
    check(main.includes(title), `the ${lang} notice is not on the page: ${main}`);
    for (const secret of hidden) {
      check(!main.includes(secret), `the ${lang} reader's page shows ${secret}`);
    }
    await inspect(reader.page, `notice-in-thread-${lang}`);
  }

  await page.goto(url(INPUT.case));
  const after = await text(page, 'ul.notices');
  check(after.includes("Delivered to the party's thread and opened."), `no notice shows opened: ${after}`);
  return { listed: after };
}


/// Issue 20, items 1 and 7: the ombuds closes one case per outcome on the case page with no
/// script, after reading the closing form's table of what each party receives; then each reader
/// opens the follow-up page with a receipt at phone width (no script) and finds the letters
/// closing sent them: the submitter's follow-up letter with its outcome's title in the page's
/// language, and an added party only its termination notice.
async function outcomes(browser) {
  const { page } = await context(browser, { javaScript: false, viewport: DESKTOP });
  await signIn(page, 'ombuds-outcomes');
  let table = [];
  for (const [index, theCase] of INPUT.cases.entries()) {
    await page.goto(url(theCase.case));
    const caption = page.locator('table.closing-letters caption');
    check((await caption.count()) === 1, `no table of what each party receives on ${theCase.case}`);
    if (index === 0) {
      table = await page.$$eval('table.closing-letters tr', (rows) =>
        rows.map((row) => [...row.children].map((cell) => cell.innerText.trim())),
      );
      await inspect(page, 'console-case-closing-table');
    }
    await page.locator(`#outcome-${theCase.outcome}`).check();
    await page.locator('#confirm').check();
    await navigates(page, () => page.locator('form[action$="/close"] button[type="submit"]').click());
    check(!page.url().endsWith(theCase.case), `closing ${theCase.outcome} stayed on the case: ${await text(page, 'main')}`);
    if (index === 0) await inspect(page, 'console-closed-outcome');
  }

  const reader = await context(browser, { javaScript: false, viewport: PHONE });
  const read = [];
  for (const [index, who] of INPUT.readers.entries()) {
    await reader.page.goto(url(`/followup?lang=${who.lang}`));
    await reader.page.locator('#receipt').fill(who.receipt);
    await navigates(reader.page, () => reader.page.locator('button[type="submit"]').click());
    const main = await text(reader.page, 'main');
    for (const title of who.shown) {
      check(main.includes(title), `${who.name}: "${title}" is not on the page: ${main}`);
    }
    for (const title of who.hidden) {
      check(!main.includes(title), `${who.name}: the page shows "${title}"`);
    }
    const lang = await reader.page.getAttribute('html', 'lang');
    check(lang === who.lang, `${who.name}: the follow-up page is marked lang=${lang}`);
    if (who.inspect) await inspect(reader.page, `followup-closed-${who.name}`);
    read.push(who.name);
  }
  return { table, read };
}


/// Issue 21: the first administrator follows the printed link with no script, at phone width:
/// the password's rules are on the page before the first attempt; a password against them is
/// refused beside its field; then the account is set up and signed in at once, on its home page.
async function enrol(browser) {
  const { page } = await context(browser, { javaScript: false, viewport: PHONE });
  await page.goto(url(`/enrol/${INPUT.token}`));
  const rules = await text(page, '#password-hint');
  for (const rule of INPUT.rules) {
    check(rules.includes(rule), `the page does not say "${rule}" before the first attempt: ${rules}`);
  }
  await inspect(page, 'enrol');
  await page.locator('#username').fill(INPUT.username);
  await page.locator('#password').fill(`${INPUT.username}-is-in-this-password`);
  await page.locator('#confirmation').fill(`${INPUT.username}-is-in-this-password`);
  await page.locator('#code').fill(INPUT.code);
  await navigates(page, () => page.locator('button[type="submit"]').click());
  check((await page.locator('#password-error').count()) === 1, 'a password with the username was not refused');
  await inspect(page, 'enrol-refused');
  await page.locator('#password').fill(INPUT.password);
  await page.locator('#confirmation').fill(INPUT.password);
  await page.locator('#code').fill(INPUT.code);
  await navigates(page, () => page.locator('button[type="submit"]').click());
  check(page.url() === url(INPUT.home), `the enrolment ended on ${page.url()}, not ${INPUT.home}`);
  await inspect(page, 'enrolled-home');
  const main = await text(page, 'main');
  // Issue 21, item 5: the administrator invites an ombuds (no script); the link is shown once;
  // back on /admin the pending invitation is listed without its link, and revoking it removes it.
  await page.locator('#username').fill(INPUT.invitee);
  await page.locator('#role-ombuds').check();
  await navigates(page, () => page.locator('form[action="/admin/users"] button[type="submit"]').click());
  const link = await text(page, 'main');
  check(link.includes('/enrol/'), `no enrolment link after inviting: ${link}`);
  await page.goto(url('/admin'));
  const pending = await text(page, 'main');
  check(pending.includes(INPUT.invitee), `the pending invitation is not listed: ${pending}`);
  check(!pending.includes('/enrol/'), 'the pending invitation shows its link again');
  await inspect(page, 'admin-pending-invitation');
  await navigates(page, () => page.locator(`form[action="/admin/invitations/${INPUT.invitee}/revoke"] button`).click());
  const after = await text(page, 'main');
  check(!after.includes(`${INPUT.invitee}\t`), `the revoked invitation is still listed: ${after}`);
  check((await page.locator(`form[action="/admin/invitations/${INPUT.invitee}/revoke"]`).count()) === 0,
    'the revoked invitation still has its revoke button');
  await inspect(page, 'admin-invitation-revoked');
  return { main };
}

const PHASES = { submit, proof, ombuds, close, followup, board, parties, member, notices, outcomes, enrol, caller };

async function main() {
  const phase = PHASES[PHASE];
  if (!phase) fail(`unknown phase ${PHASE}`);
  const browser = await launch();
  try {
    const result = await phase(browser);
    writeFileSync(join(SHOTS, `axe-${PHASE}-${INPUT.lang || INPUT.username || ''}.json`), JSON.stringify(audits, null, 1));
    result.audits = audits.map((a) => ({ page: a.page, violations: a.violations.map((v) => `${v.impact} ${v.id}`) }));
    console.log(`RESULT ${JSON.stringify(result)}`);
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(`browser journey "${PHASE}" failed: ${error.stack || error}`);
  process.exit(1);
});
