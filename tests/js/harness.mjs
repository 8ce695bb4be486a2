// Test kit of the rule builder's browser tests: a small static + fake-endpoint server and headless Chromium
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { before, after } from 'node:test';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');
export const pagePath = '/tests/js/fixtures/rule-builder.html';

export function loadCatalog() {
    return JSON.parse(fs.readFileSync(path.join(here, 'fixtures', 'catalog.json'), 'utf8'));
}

// as the server writes JSON into a <script> block: nothing in it can close the block
function scriptSafeJson(value) {
    return JSON.stringify(value).replace(/</g, '\\u003C').replace(/>/g, '\\u003E').replace(/&/g, '\\u0026');
}

const contentTypes = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.json': 'application/json' };

/**
 * Serves the repository's files, the test page with the config of the current test, and fake lookup and preview
 * endpoints that record what they were asked.
 */
export async function startServer() {
    const state = {};
    const reset = () => {
        state.config = { rule: null, catalog: loadCatalog(), errors: [] };
        state.lookupRequests = [];
        state.lookupItems = {};
        state.previewRequests = [];
        state.previewResponse = { success: true, count: 0, members: [] };
    };
    reset();

    const server = http.createServer((request, response) => {
        const url = new URL(request.url, 'http://127.0.0.1');
        const send = (status, type, body) => {
            response.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
            response.end(body);
        };

        if (url.pathname === '/fake/lookup') {
            const query = Object.fromEntries(url.searchParams);
            state.lookupRequests.push(query);
            const items = state.lookupItems[query.source];
            if (!items)
                return send(400, 'application/json', JSON.stringify({ error: 'Unknown list of values.' }));
            let found;
            if (query.ids)
                found = items.filter(item => query.ids.split(',').includes(String(item.id)));
            else
                found = items.filter(item => item.name.toLowerCase().includes((query.search || '').toLowerCase()));
            const page = Number(query.page || 0);
            return send(200, 'application/json', JSON.stringify({ items: found.slice(page * 2, page * 2 + 2), more: found.length > page * 2 + 2 }));
        }

        if (url.pathname === '/fake/preview' && request.method === 'POST') {
            let body = '';
            request.on('data', chunk => { body += chunk; });
            request.on('end', () => {
                state.previewRequests.push({ contentType: request.headers['content-type'], form: Object.fromEntries(new URLSearchParams(body)) });
                send(200, 'application/json', JSON.stringify(state.previewResponse));
            });
            return;
        }

        const file = path.normalize(path.join(repoRoot, decodeURIComponent(url.pathname)));
        if (!file.startsWith(repoRoot + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile())
            return send(404, 'text/plain', 'not found');
        let body = fs.readFileSync(file);
        if (url.pathname === pagePath)
            body = body.toString('utf8').replace('__CONFIG__', () => scriptSafeJson(state.config));
        send(200, contentTypes[path.extname(file)] || 'application/octet-stream', body);
    });

    await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${server.address().port}`;
    return { state, reset, baseUrl, close: () => new Promise(resolve => server.close(resolve)) };
}

export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export async function launchBrowser() {
    const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rule-builder-chromium-'));
    const context = await chromium.launchPersistentContext(userDataDir, {
        executablePath: chromiumPath,
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
            '--disable-background-networking', '--disable-component-update', '--disable-sync']
    });
    return {
        context,
        close: async () => {
            await context.close();
            fs.rmSync(userDataDir, { recursive: true, force: true });
        }
    };
}

/**
 * The server and the browser of a test file: started before its first test, closed after its last
 */
export function useBrowser() {
    const session = { server: null, browser: null };
    before(async () => {
        session.server = await startServer();
        session.browser = await launchBrowser();
    });
    after(async () => {
        await session.browser?.close();
        await session.server?.close();
    });
    return session;
}
