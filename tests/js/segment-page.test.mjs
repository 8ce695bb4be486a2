import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser } from './harness.mjs';

let server, browser, page;

before(async () => {
    server = await startServer();
    browser = await launchBrowser();
});

after(async () => {
    await browser?.close();
    await server?.close();
});

afterEach(async () => {
    await page?.close();
    page = null;
});

async function pressEnterIn(selector, text) {
    page = await browser.context.newPage();
    page.setDefaultTimeout(5000);
    await page.goto(server.baseUrl + '/tests/js/fixtures/segment-page.html');
    await page.fill(selector, text);
    await page.press(selector, 'Enter');
    return page.evaluate(() => window.seen);
}

describe('Enter in the segment page', () => {
    it('searches the members from the search box without posting the segment', async () => {
        assert.deepEqual(await pressEnterIn('#SearchEmail', 'anna@'), { submitted: 0, searched: 1, applied: 0 });
    });

    it('applies the number of histogram bars without posting the segment', async () => {
        assert.deepEqual(await pressEnterIn('#segment-histogram-buckets', '12'), { submitted: 0, searched: 0, applied: 1 });
    });

    it('still saves the segment from one of its own fields, as nopCommerce\'s forms do', async () => {
        assert.deepEqual(await pressEnterIn('#Name', 'Gold'), { submitted: 1, searched: 0, applied: 0 });
    });
});
