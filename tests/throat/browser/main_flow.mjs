// throat's main flow in headless Chromium, the way a user walks it through the real pages:
// register, create a sub, submit a text post, comment and reply (with the page's script, which
// inserts them without reloading), then a second user votes on the post and the comment, the
// author's karma follows, and a third user without JavaScript votes and comments through the
// plain forms. Full-page screenshots of each main step, on a desktop and a phone viewport.
// Usage: node main_flow.mjs BASE_URL SCREENSHOT_DIR     (tests/throat/browser/run.sh starts throat)
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [base, shots = 'screenshots'] = process.argv.slice(2);
if (!base) {
  console.error('usage: node main_flow.mjs BASE_URL [SCREENSHOT_DIR]');
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
for (const file of readdirSync(shots)) {
  if (file.startsWith('FAILED-') && file.endsWith('.png')) rmSync(join(shots, file)); // an earlier run's
}

const suffix = Date.now().toString(36).slice(-5);
const alice = { name: `alice_${suffix}`, password: 'correct horse battery' };
const bob = { name: `bob_${suffix}`, password: 'another fine password' };
const carol = { name: `carol_${suffix}`, password: 'no scripts for me' };
const subName = `browsing_${suffix}`;
const postTitle = 'Markdown in a text post';
const postMarkdown = [
  'Some **bold** text, some *emphasis* and `inline code`.',
  '',
  '- first item',
  '- second item',
  '',
  '> a quoted line',
  '',
  '[a link](https://example.com/)',
].join('\n');
const commentText = 'Parent comment with **bold** words.';
const replyText = 'A nested reply.';
const noJsComment = 'Top-level comment without JavaScript.';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic', '--disable-default-apps', '--dns-prefetch-disable',
    // No DNS look-ups at all: only the local server is reachable.
    '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
    '--disable-features=AsyncDns,DnsOverHttps,MediaRouter,OptimizationHints,Translate'],
});

// Every page's script errors and failed requests fail the step that was running.
const problems = [];
async function newContext(options = {}) {
  const context = await browser.newContext({ baseURL: base, viewport: DESKTOP, ...options });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(15_000);
  context.on('page', watch);
  return context;
}
function watch(page) {
  page.on('pageerror', (error) => problems.push(`script error on ${page.url()}: ${error.message}`));
  // Failed loads are judged by the response handler below (a refused vote answers 400 on purpose).
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      problems.push(`console error on ${page.url()}: ${message.text()} (${message.location().url})`);
    }
  });
  page.on('response', (response) => {
    const request = response.request();
    const asset = ['stylesheet', 'script', 'image', 'font'].includes(request.resourceType());
    if (response.status() >= 500 || (response.status() >= 400 && asset)) {
      problems.push(`${response.status()} for ${request.method()} ${response.url()}`);
    }
  });
}

let passed = 0;
let failed = 0;
let current = null; // the page the running step acts on: screenshot and URL on failure
async function step(name, page, body) {
  current = page;
  const started = Date.now();
  problems.length = 0;
  try {
    await body();
    assert.deepEqual(problems, [], 'the page reported problems');
    passed++;
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (error) {
    failed++;
    const url = current && !current.isClosed() ? current.url() : '(no page)';
    console.log(`FAIL ${name}\n     at ${url}\n     ${String(error.stack || error).split('\n').join('\n     ')}`);
    if (problems.length) console.log(`     page problems: ${problems.join('; ')}`);
    if (current && !current.isClosed()) {
      const file = join(shots, `FAILED-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`);
      await current.screenshot({ path: file, fullPage: true }).catch(() => {});
      console.log(`     screenshot: ${file}`);
    }
    error.reported = true;
    throw error; // each step builds on the ones before: stop here
  }
}

async function shot(page, file) {
  await page.screenshot({ path: join(shots, file), fullPage: true });
}

// The page's width fits the viewport: nothing sticks out sideways (checked on the phone).
async function assertNoSidewaysScroll(page) {
  const { scroll, client, wide } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
    wide: [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
      .slice(0, 5).map((e) => `${e.tagName.toLowerCase()}.${e.className}`),
  }));
  assert.ok(scroll <= client, `the page is ${scroll}px wide in a ${client}px viewport (too wide: ${wide.join(', ')})`);
}

// A marker in the page's JavaScript world: gone if the page reloaded or navigated.
async function markPage(page) {
  await page.evaluate(() => { window.__throatNoReload = true; });
}
async function assertSamePage(page, url) {
  assert.equal(page.url(), url, 'the URL changed');
  assert.equal(await page.evaluate(() => window.__throatNoReload === true), true, 'the page reloaded');
}

async function register(page, user) {
  await page.goto('/');
  await page.getByRole('link', { name: 'Register', exact: true }).click();
  await page.waitForURL('**/register');
  await page.fill('input[name=username]', user.name);
  await page.fill('input[name=password]', user.password);
  await page.fill('input[name=confirm]', user.password);
  await page.check('input[name=accept_tos]');
  await Promise.all([
    page.waitForURL(`${base}/`),
    page.getByRole('button', { name: 'Register', exact: true }).click(),
  ]);
  await page.locator('header .account a.me').filter({ hasText: user.name }).waitFor();
}

function scoreOf(form) {
  return form.locator('output.score');
}

// Upvotes through the page's script: the score changes in place, the page stays.
async function upvoteWithScript(page, form, expected) {
  const before = await scoreOf(form).textContent();
  const url = page.url();
  await markPage(page);
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && /\/do\/vote(comment)?\//.test(r.url())),
    form.locator('button.vote.up').click(),
  ]);
  assert.equal(response.status(), 200, `vote answered ${response.status()}: ${await response.text()}`);
  assert.equal((await response.json()).status, 'ok');
  await expectText(scoreOf(form), String(expected));
  assert.notEqual(String(expected), before.trim(), 'the score did not change');
  assert.equal(await form.locator('button.vote.up').getAttribute('aria-pressed'), 'true');
  await assertSamePage(page, url);
}

// Auto-waiting exact text comparison (playwright-core has no expect()).
async function expectText(locator, text, timeout = 5_000) {
  const exact = new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
  try {
    await locator.filter({ hasText: exact }).first().waitFor({ timeout });
  } catch {
    const actual = await locator.first().textContent({ timeout: 1_000 }).catch(() => '(no such element)');
    assert.equal(actual?.trim(), text, `text of ${locator}`);
    throw new Error(`${locator} never showed "${text}"`);
  }
}

const postVotes = (page) => page.locator('article.post-page form.votes');
const commentByText = (page, text) =>
  page.locator('article.comment').filter({ has: page.locator(':scope > .comment-content', { hasText: text }) });
const commentVotes = (comment) => comment.locator(':scope > .comment-actions > form.votes');

let exitCode = 1;
try {
  // ---- Alice: registers, creates a sub, posts, comments and replies (with JavaScript).
  const aliceContext = await newContext();
  const page = await aliceContext.newPage();
  let subUrl;
  let postUrl;

  await step('front page, logged out', page, async () => {
    const response = await page.goto('/');
    assert.equal(response.status(), 200);
    await page.getByRole('link', { name: 'Register', exact: true }).waitFor();
    await page.getByRole('link', { name: 'Log in', exact: true }).waitFor();
  });

  await step('register the first user', page, () => register(page, alice));

  await step('create a sub', page, async () => {
    await page.getByRole('link', { name: 'Create a sub' }).click();
    await page.waitForURL('**/createsub');
    await page.fill('input[name=subname]', subName);
    await page.fill('input[name=title]', 'Browser test sub');
    await Promise.all([
      page.waitForURL(`**/s/${subName}/hot`),
      page.getByRole('button', { name: 'Create' }).click(),
    ]);
    subUrl = page.url();
    await page.locator('.sub-info h2', { hasText: subName }).waitFor();
    await page.locator('.sub-info .sub-title', { hasText: 'Browser test sub' }).waitFor();
    await page.locator('.empty', { hasText: 'no posts' }).waitFor();
  });

  await step('submit a text post with markdown', page, async () => {
    await page.locator('aside.sidebar').getByRole('link', { name: 'Submit a text post' }).click();
    await page.waitForURL(`**/submit/text/${subName}`);
    assert.equal(await page.inputValue('input[name=sub]'), subName, 'the sub field is filled in');
    await page.fill('input[name=title]', postTitle);
    await page.fill('textarea[name=content]', postMarkdown);
    await Promise.all([
      page.waitForURL(new RegExp(`/s/${subName}/\\d+/`)),
      page.getByRole('button', { name: 'Submit' }).click(),
    ]);
    postUrl = page.url();
    await page.locator('article.post-page h1.post-title', { hasText: postTitle }).waitFor();
    const content = page.locator('.post-content');
    await content.locator('strong', { hasText: 'bold' }).waitFor();
    await content.locator('em', { hasText: 'emphasis' }).waitFor();
    await content.locator('code', { hasText: 'inline code' }).waitFor();
    assert.equal(await content.locator('ul > li').count(), 2);
    await content.locator('blockquote', { hasText: 'a quoted line' }).waitFor();
    assert.equal(await content.locator('a', { hasText: 'a link' }).getAttribute('href'), 'https://example.com/');
    assert.equal(await content.locator('script').count(), 0);
    await expectText(scoreOf(postVotes(page)), '0');
  });

  await step('the post is listed on the front page and the sub page', page, async () => {
    await page.goto('/');
    await page.locator('ol.posts li.post .post-title a', { hasText: postTitle }).waitFor();
    await page.locator('ol.posts li.post .meta a', { hasText: subName }).waitFor();
    await shot(page, '01-front-page.png');
    await page.goto(subUrl);
    await page.locator('ol.posts li.post .post-title a', { hasText: postTitle }).click();
    await page.waitForURL(postUrl);
  });

  await step('comment on the post (script, no reload)', page, async () => {
    await markPage(page);
    const form = page.locator('section.comments-section > form.comment-form');
    await form.locator('textarea[name=comment]').fill(commentText);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/do/sendcomment/')),
      form.getByRole('button', { name: 'Comment' }).click(),
    ]);
    assert.equal(response.status(), 200, await response.text());
    const comment = commentByText(page, 'Parent comment');
    await comment.waitFor();
    assert.equal(await comment.locator(':scope > .comment-content strong').textContent(), 'bold');
    await comment.locator(':scope > .meta a.author', { hasText: alice.name }).waitFor();
    assert.equal(await form.locator('textarea[name=comment]').inputValue(), '', 'the form was reset');
    await assertSamePage(page, postUrl);
  });

  await step('reply to the comment (script, no reload)', page, async () => {
    const parent = commentByText(page, 'Parent comment');
    const details = parent.locator(':scope > .comment-actions > details.reply');
    await details.locator('summary', { hasText: 'Reply' }).click();
    const textarea = details.locator('textarea[name=comment]');
    await textarea.fill(replyText);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/do/sendcomment/')),
      details.getByRole('button', { name: 'Reply' }).click(),
    ]);
    assert.equal(response.status(), 200, await response.text());
    const reply = parent.locator(':scope > .children > article.comment', { hasText: replyText });
    await reply.waitFor();
    assert.equal(await details.evaluate((d) => d.open), false, 'the reply form closed');
    await assertSamePage(page, postUrl);
  });

  await step('the comments are nested after a reload', page, async () => {
    await page.reload();
    const parent = commentByText(page, 'Parent comment');
    await parent.locator(':scope > .children > article.comment', { hasText: replyText }).waitFor();
    await page.locator('#comments-heading', { hasText: '2 comments' }).waitFor();
    await shot(page, '03-post-page-nested-comments.png');
    await page.goto(subUrl);
    await page.locator('ol.posts li.post .comments-link', { hasText: '2 comments' }).waitFor();
    await shot(page, '02-sub-page.png');
  });

  // ---- Bob: registers in a second browser context and upvotes the post and the comment.
  const bobContext = await newContext();
  const bobPage = await bobContext.newPage();

  await step('register the second user', bobPage, () => register(bobPage, bob));

  await step('subscribe to the sub: its post shows on the front page', bobPage, async () => {
    await bobPage.goto('/');
    await bobPage.locator('.empty', { hasText: 'no posts' }).waitFor();
    await bobPage.goto(subUrl);
    await Promise.all([
      bobPage.waitForResponse((r) => r.url().includes('/do/subscribe/') && r.status() === 303),
      bobPage.locator('.sub-info').getByRole('button', { name: 'Subscribe', exact: true }).click(),
    ]);
    await bobPage.locator('.sub-info').getByRole('button', { name: 'Unsubscribe', exact: true }).waitFor();
    await bobPage.locator('.sub-info .subscribers', { hasText: '2' }).waitFor();
    await bobPage.goto('/');
    await bobPage.locator('ol.posts li.post .post-title a', { hasText: postTitle }).waitFor();
  });

  await step('upvote the post (script, no reload)', bobPage, async () => {
    await bobPage.goto(postUrl);
    await upvoteWithScript(bobPage, postVotes(bobPage), 1);
  });

  await step('upvote the comment (script, no reload)', bobPage, async () => {
    const comment = commentByText(bobPage, 'Parent comment');
    await upvoteWithScript(bobPage, commentVotes(comment), 1);
  });

  await step('the votes persist after a reload', bobPage, async () => {
    await bobPage.reload();
    await expectText(scoreOf(postVotes(bobPage)), '1');
    assert.equal(await postVotes(bobPage).locator('button.vote.up').getAttribute('aria-pressed'), 'true');
    const comment = commentByText(bobPage, 'Parent comment');
    await expectText(scoreOf(commentVotes(comment)), '1');
    assert.match(await commentVotes(comment).locator('button.vote.up').getAttribute('class'), /\bon\b/);
    const reply = commentByText(bobPage, replyText);
    await expectText(scoreOf(commentVotes(reply)), '0');
    await shot(bobPage, '04-after-voting.png');
  });

  await step("the first user's karma", page, async () => {
    await page.goto(`/u/${alice.name}`);
    await expectText(page.locator('dd.user-score'), '2');
    await page.locator('ol.posts li.post', { hasText: postTitle }).waitFor();
    await shot(page, '05-user-page.png');
  });

  await step('the author cannot vote on their own post', page, async () => {
    await page.goto(postUrl);
    const form = postVotes(page);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/do/vote/')),
      form.locator('button.vote.up').click(),
    ]);
    assert.equal(response.status(), 400);
    await page.locator('#status', { hasText: "can't vote on your own" }).waitFor();
    await expectText(scoreOf(form), '1');
  });

  // ---- The same pages on a phone, logged in as Bob (and one in the dark colour scheme).
  const phone = await newContext({
    viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2,
    storageState: await bobContext.storageState(),
  });
  const phonePage = await phone.newPage();
  for (const [name, path, file] of [
    ['phone: front page', '/', 'mobile-01-front-page.png'],
    ['phone: sub page', subUrl, 'mobile-02-sub-page.png'],
    ['phone: post page with nested comments and votes', postUrl, 'mobile-03-post-page-after-voting.png'],
  ]) {
    await step(name, phonePage, async () => {
      const response = await phonePage.goto(path);
      assert.equal(response.status(), 200);
      await phonePage.locator('header .account a.me', { hasText: bob.name }).waitFor();
      await shot(phonePage, file);
      await assertNoSidewaysScroll(phonePage);
    });
  }
  await step('dark colour scheme: post page', phonePage, async () => {
    await phonePage.emulateMedia({ colorScheme: 'dark' });
    await phonePage.goto(postUrl);
    await shot(phonePage, 'mobile-04-post-page-dark.png');
  });

  // ---- Carol: no JavaScript; the forms post and the server redirects back.
  const noJs = await newContext({ javaScriptEnabled: false });
  const noJsPage = await noJs.newPage();

  await step('register a third user without JavaScript', noJsPage, () => register(noJsPage, carol));

  await step('upvote the post and the comment without JavaScript', noJsPage, async () => {
    await noJsPage.goto(postUrl);
    await Promise.all([
      noJsPage.waitForURL(postUrl, { waitUntil: 'load' }),
      noJsPage.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/do/vote/')
        && r.status() === 303),
      postVotes(noJsPage).locator('button.vote.up').click(),
    ]);
    await expectText(scoreOf(postVotes(noJsPage)), '2');
    assert.equal(await postVotes(noJsPage).locator('button.vote.up').getAttribute('aria-pressed'), 'true');
    const comment = commentByText(noJsPage, 'Parent comment');
    await Promise.all([
      noJsPage.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/do/votecomment/')
        && r.status() === 303),
      commentVotes(comment).locator('button.vote.up').click(),
    ]);
    await noJsPage.waitForLoadState('load');
    assert.equal(noJsPage.url(), postUrl);
    await expectText(scoreOf(commentVotes(commentByText(noJsPage, 'Parent comment'))), '2');
  });

  await step('comment and reply without JavaScript', noJsPage, async () => {
    const form = noJsPage.locator('section.comments-section > form.comment-form');
    await form.locator('textarea[name=comment]').fill(noJsComment);
    await Promise.all([
      noJsPage.waitForURL((url) => url.href.startsWith(`${postUrl}#comment-`)),
      form.getByRole('button', { name: 'Comment' }).click(),
    ]);
    const cid = new URL(noJsPage.url()).hash.slice('#comment-'.length);
    const added = noJsPage.locator(`article.comment#comment-${cid}`);
    await added.locator(':scope > .comment-content', { hasText: noJsComment }).waitFor();
    await added.locator(':scope > .meta a.author', { hasText: carol.name }).waitFor();
    // The reply form is in a <details>, which opens without any script.
    const details = commentByText(noJsPage, 'Parent comment').locator(':scope > .comment-actions > details.reply');
    await details.locator('summary').click();
    await details.locator('textarea[name=comment]').fill('Nested reply without JavaScript.');
    await Promise.all([
      noJsPage.waitForURL((url) => url.href.startsWith(`${postUrl}#comment-`) && !url.href.endsWith(cid)),
      details.getByRole('button', { name: 'Reply' }).click(),
    ]);
    await commentByText(noJsPage, 'Parent comment')
      .locator(':scope > .children > article.comment', { hasText: 'Nested reply without JavaScript.' }).waitFor();
    await noJsPage.locator('#comments-heading', { hasText: '4 comments' }).waitFor();
    await shot(noJsPage, '06-post-page-without-javascript.png');
  });

  await step("the first user's karma after all the votes", page, async () => {
    await page.goto(`/u/${alice.name}`);
    await expectText(page.locator('dd.user-score'), '4');
    await expectText(page.locator('header .karma'), '4');
  });

  exitCode = failed === 0 ? 0 : 1;
} catch (error) {
  if (!error.reported) {
    failed++;
    console.log(`FAIL outside the steps: ${error.stack || error}`);
  }
  exitCode = 1;
} finally {
  await browser.close().catch(() => {});
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(exitCode);
