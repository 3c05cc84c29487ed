// The official Direct Line client (botframework-directlinejs) against the real dev server,
// in WebSocket mode and in polling mode: proves the emulator speaks Direct Line 3.0 the way
// Microsoft's own client expects, not only the way our widget does.
//
// Run from the repository root after `cargo build -p devserver`:
//   node --test tests/node/
// DEVSERVER_BIN overrides the binary (default target/debug/devserver).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
// DirectLineJS uses the browser globals: rxjs' ajax reads XMLHttpRequest, the stream opens a
// global WebSocket. Node 20 has neither, so install them before loading the client.
globalThis.XMLHttpRequest = require('xhr2');
globalThis.WebSocket = require('ws');
const { DirectLine } = require('botframework-directlinejs');

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.resolve(ROOT, process.env.DEVSERVER_BIN ?? 'target/debug/devserver');
const START_TIMEOUT_MS = 10_000;
const REPLY_TIMEOUT_MS = 10_000;

let server;
let baseUrl;

/** Starts the dev server on a free port and resolves with the URL it prints. */
function startServer() {
  return new Promise((resolve, reject) => {
    if (!existsSync(BIN)) {
      reject(new Error(`${BIN} not found: run \`cargo build -p devserver\` first (or set DEVSERVER_BIN)`));
      return;
    }
    const child = spawn(BIN, ['--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`dev server printed no URL within ${START_TIMEOUT_MS} ms; stderr: ${stderr}`));
    }, START_TIMEOUT_MS);
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const match = stdout.match(/^handoff-chat dev server: (http:\/\/127\.0\.0\.1:\d+\/)$/m);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1] });
      }
    });
    child.on('error', (error) => { clearTimeout(timer); reject(error); });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`dev server exited early (code ${code}); stderr: ${stderr}`));
    });
  });
}

/** Stops the server: SIGTERM, then SIGKILL if it is still there after 3 s. */
function stopServer(child) {
  return new Promise((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    child.once('exit', () => { clearTimeout(timer); resolve(); });
    child.kill('SIGTERM');
  });
}

before(async () => {
  ({ child: server, url: baseUrl } = await startServer());
});

after(async () => {
  await stopServer(server);
});

/** Collects every activity the client delivers and lets a test wait for one. */
function watch(directLine) {
  const seen = [];
  const waiters = [];
  const subscription = directLine.activity$.subscribe(
    (activity) => {
      seen.push(activity);
      for (const waiter of [...waiters]) {
        if (waiter.predicate(activity)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(activity);
        }
      }
    },
    (error) => {
      for (const waiter of waiters.splice(0)) waiter.reject(error);
    },
  );
  return {
    seen,
    subscription,
    waitFor(predicate, what) {
      const earlier = seen.find(predicate);
      if (earlier) return Promise.resolve(earlier);
      return new Promise((resolve, reject) => {
        const waiter = { predicate, resolve, reject };
        waiters.push(waiter);
        setTimeout(() => {
          const index = waiters.indexOf(waiter);
          if (index >= 0) {
            waiters.splice(index, 1);
            const texts = seen.map((a) => `${a.type}:${a.text ?? a.name ?? ''}`).join(' | ');
            reject(new Error(`no ${what} within ${REPLY_TIMEOUT_MS} ms; seen: ${texts}`));
          }
        }, REPLY_TIMEOUT_MS).unref();
      });
    },
  };
}

/** postActivity as a promise of the id the server assigned. */
function post(directLine, activity) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('postActivity timed out')), REPLY_TIMEOUT_MS);
    directLine.postActivity(activity).subscribe(
      (id) => { clearTimeout(timer); resolve(id); },
      (error) => { clearTimeout(timer); reject(error); },
    );
  });
}

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const fromBot = (activity) => activity.from?.id === 'demo-bot' && activity.type === 'message';

for (const webSocket of [true, false]) {
  const mode = webSocket ? 'WebSocket' : 'polling';

  test(`DirectLineJS in ${mode} mode: greeting, FAQ answer, activity ids`, { timeout: 30_000 }, async (t) => {
    const response = await fetch(`${baseUrl}api/directline/token`, { signal: AbortSignal.timeout(5_000) });
    assert.equal(response.status, 200);
    const { token, conversationId } = await response.json();
    assert.ok(token && conversationId);

    const directLine = new DirectLine({
      token,
      domain: `${baseUrl}v3/directline`,
      webSocket,
      pollingInterval: 300,
    });
    const activities = watch(directLine);
    t.after(() => {
      activities.subscription.unsubscribe();
      directLine.end();
    });

    const user = { id: 'dl_ada', name: 'Ada' };
    const startId = await post(directLine, {
      type: 'event',
      name: 'startConversation',
      from: user,
      value: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', caseNumber: 'CAS-01234' },
    });
    assert.match(startId, new RegExp(`^${escapeRegExp(conversationId)}\\|0000001$`));
    const hello = await activities.waitFor((a) => fromBot(a) && a.text.startsWith('Hello Ada'), 'greeting');
    assert.equal(hello.text, 'Hello Ada, how can I help? I can see your case CAS-01234.');
    assert.equal(hello.conversation.id, conversationId);

    const questionId = await post(directLine, {
      type: 'message',
      text: 'opening hours',
      from: user,
      channelData: { clientActivityID: `node-${mode}` },
    });
    // The greeting took 0000002 (typing) and 0000003.
    assert.equal(questionId, `${conversationId}|0000004`);
    const echo = await activities.waitFor((a) => a.id === questionId, 'echo of the question');
    assert.equal(echo.channelData.clientActivityID, `node-${mode}`);
    const answer = await activities.waitFor(
      (a) => fromBot(a) && a.replyToId === questionId,
      'opening hours answer',
    );
    assert.match(answer.text, /Monday to Friday/);
  });
}
