// Third-party Direct Line test server: the widget against software we did not write.
//
// One node process, three loopback listeners on free ports, as a real deployment has them:
// - Direct Line: the `offline-directline` npm package (the emulator Web Chat works with),
//   mounted unchanged. Its client routes have no /v3 prefix, it hands out no tokens and no
//   stream, so a client must poll. Every request to it is recorded (see /_test/requests).
// - the bot: a botbuilder v4 CloudAdapter bot without app id or password. It greets on the
//   widget's `startConversation` event, echoes messages, and on "agent"/"person" sends a
//   message then the SDK's own `EventFactory.createHandoffInitiation` event.
// - the site: a host page with the widget's real script tag, the built widget files from
//   `--dist`, and the token endpoint a site serves (`GET /api/token`).
//
// Usage: node tests/third-party/server.mjs --dist dist [--port 8090]
// Prints exactly one stdout line, `third-party server: http://127.0.0.1:PORT/` (the site);
// everything else (offline-directline's own logging included) goes to stderr.
// Owned by e2e/tests/third_party.rs; it imports nothing from this repository.

import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

// offline-directline logs with console.log; keep stdout for the one URL line.
console.log = console.error;

const require = createRequire(import.meta.url);
const { getRouter } = require('offline-directline');
// The express offline-directline is built for (4.16.3), not one of our own.
const express = createRequire(require.resolve('offline-directline'))('express');
const {
  ActivityHandler,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  EventFactory,
} = require('botbuilder');

const { values: args } = parseArgs({
  options: { dist: { type: 'string' }, port: { type: 'string', default: '0' } },
});
if (!args.dist) {
  console.error('usage: node tests/third-party/server.mjs --dist <built widget folder> [--port N]');
  process.exit(2);
}
const DIST = path.resolve(args.dist);
const HOST = '127.0.0.1';

/** Listens on a free loopback port (or `port`); resolves with `http://127.0.0.1:PORT`. */
function listen(handler, port = 0) {
  return new Promise((resolve, reject) => {
    const server = http.createServer(handler);
    server.on('error', reject);
    server.listen(port, HOST, () => resolve(`http://${HOST}:${server.address().port}`));
  });
}

// ---- The bot ------------------------------------------------------------------------------

/** Greets, echoes, and hands off with the SDK's own handoff.initiate event. */
class SupportBot extends ActivityHandler {
  constructor() {
    super();
    /** What each conversation's visitor said, for the handoff transcript. */
    const said = new Map();
    this.onEvent(async (context, next) => {
      const { name, value } = context.activity;
      if (name === 'startConversation') {
        await context.sendActivity(`Hello ${value?.firstName || 'there'}!`);
      }
      // pvaSetContext and anything else: nothing to say.
      await next();
    });
    this.onMessage(async (context, next) => {
      const text = context.activity.text ?? '';
      const conversation = context.activity.conversation.id;
      said.set(conversation, [...(said.get(conversation) ?? []), context.activity]);
      if (/\b(agent|person)\b/i.test(text)) {
        await context.sendActivity('Let me connect you with a person.');
        const handoffContext = { skill: 'support', reason: 'explicit', va_LastPhrases: text };
        const transcript = { activities: said.get(conversation) };
        await context.sendActivity(
          EventFactory.createHandoffInitiation(context, handoffContext, transcript),
        );
      } else {
        await context.sendActivity(`Echo: ${text}`);
      }
      await next();
    });
  }
}

// No MicrosoftAppId: no authentication either way, as with the Bot Framework Emulator.
const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
adapter.onTurnError = async (context, error) => {
  console.error('bot: turn error', error);
  await context.sendActivity('The bot had a problem.');
};
const bot = new SupportBot();
const botApp = express();
botApp.use(express.json());
botApp.post('/api/messages', (req, res) => adapter.process(req, res, (ctx) => bot.run(ctx)));
const botUrl = `${await listen(botApp)}/api/messages`;

// ---- Direct Line: offline-directline, unchanged ----------------------------------------------

/** Every request made to Direct Line: `{method, path, status}` (status null: never answered). */
const requests = [];
const directLine = express();
directLine.use((req, res, next) => {
  const entry = { method: req.method, path: req.originalUrl, status: null };
  requests.push(entry);
  res.on('finish', () => {
    entry.status = res.statusCode;
    // Polls that found nothing would drown the rest.
    if (!(req.method === 'GET' && res.statusCode === 200 && req.path.endsWith('/activities'))) {
      console.error(`directline: ${req.method} ${req.originalUrl} -> ${res.statusCode}`);
    }
  });
  next();
});
const directLineServer = http.createServer(directLine);
await new Promise((resolve) => directLineServer.listen(0, HOST, resolve));
const directLineUrl = `http://${HOST}:${directLineServer.address().port}`;
// The service URL the bot replies to is the emulator itself (its /v3/conversations routes).
directLine.use(getRouter(directLineUrl, botUrl));

// ---- The site ------------------------------------------------------------------------------

const hostPage = `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Contoso Outdoor: third-party Direct Line</title>
  </head>
  <body>
    <h1>Contoso Outdoor</h1>
    <p>The widget against offline-directline and a botbuilder bot.</p>
    <!-- The tag a site owner pastes; default survey fields. -->
    <script src="/handoff-chat.js"
            data-token-url="/api/token"
            data-directline-url="${directLineUrl}/directline"
            data-title="Contoso Support"></script>
  </body>
</html>
`;

const TYPES = {
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

async function site(req, res) {
  const url = new URL(req.url, 'http://site');
  const send = (status, type, body) => {
    res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
    res.end(body);
  };
  if (url.pathname === '/') return send(200, TYPES['.html'], hostPage);
  if (url.pathname === '/api/token') {
    // offline-directline checks no token; the widget still needs one to send.
    return send(200, TYPES['.json'], JSON.stringify({ token: 'offline-directline-test' }));
  }
  if (url.pathname === '/_test/requests') return send(200, TYPES['.json'], JSON.stringify(requests));
  const file = path.resolve(DIST, `.${decodeURIComponent(url.pathname)}`);
  if (!file.startsWith(DIST + path.sep)) return send(403, 'text/plain', 'forbidden');
  try {
    const body = await readFile(file);
    return send(200, TYPES[path.extname(file)] ?? 'application/octet-stream', body);
  } catch {
    return send(404, 'text/plain', 'not found');
  }
}

const siteUrl = await listen(site, Number(args.port));
console.error(`third-party server: Direct Line ${directLineUrl}/directline, bot ${botUrl}`);
process.stdout.write(`third-party server: ${siteUrl}/\n`);
