import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser } from './harness.mjs';

let page;

const session = useBrowser();

afterEach(async () => {
    await page?.close();
    page = null;
});

async function pressEnterIn(selector, text) {
    page = await session.browser.context.newPage();
    page.setDefaultTimeout(5000);
    await page.goto(session.server.baseUrl + '/tests/js/fixtures/segment-page.html');
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

/**
 * Opens the page; every confirm dialog is recorded in the returned list and answered with answers[i] (dismissed when
 * none is left)
 */
async function openPage({ query = '', answers = [] } = {}) {
    page = await session.browser.context.newPage();
    page.setDefaultTimeout(5000);
    const dialogs = [];
    page.on('dialog', async dialog => {
        dialogs.push(dialog.message());
        if (answers[dialogs.length - 1])
            await dialog.accept();
        else
            await dialog.dismiss();
    });
    await page.goto(session.server.baseUrl + '/tests/js/fixtures/segment-page.html' + query);
    await page.waitForFunction(() => document.readyState === 'complete');
    return dialogs;
}

const posted = () => page.evaluate(() => window.posted);
const unsavedText = 'Unsaved changes: continue?';
const guarded = [['Rebuild now', '#segment-rebuild', '/rebuild'], ['Add customers', '#segment-add-members', '/add'],
    ['Import CSV', '#segment-import-members', '/import']];

describe('The buttons that post the segment form to an action of their own', () => {
    for (const [name, button, action] of guarded) {
        it(`${name} posts without asking when nothing of the segment changed`, async () => {
            const dialogs = await openPage();
            await page.click(button);
            assert.deepEqual(dialogs, []);
            assert.deepEqual(await posted(), [action]);
        });

        it(`${name} asks before dropping a changed name, and posts nothing when the admin says no`, async () => {
            const dialogs = await openPage({ answers: [false] });
            await page.fill('#Name', 'Gold');
            await page.click(button);
            assert.deepEqual(dialogs, [unsavedText]);
            assert.deepEqual(await posted(), []);
        });

        it(`${name} posts when the admin accepts to drop the changes`, async () => {
            const dialogs = await openPage({ answers: [true] });
            await page.fill('#Name', 'Gold');
            await page.click(button);
            assert.deepEqual(dialogs, [unsavedText]);
            assert.deepEqual(await posted(), [action]);
        });
    }

    const changes = [
        ['the description', () => page.fill('#Description', 'Our best customers')],
        ['the active box', () => page.uncheck('#Active')],
        ['the rule (the rule builder writes it into RuleJson)', () => page.evaluate(() =>
            $('#RuleJson').val('{"version":1,"root":{"kind":"group","match":"Any","negate":false,"children":[]}}'))]
    ];
    for (const [what, change] of changes) {
        it(`asks when ${what} changed`, async () => {
            const dialogs = await openPage({ answers: [false] });
            await change();
            await page.click('#segment-rebuild');
            assert.deepEqual(dialogs, [unsavedText]);
            assert.deepEqual(await posted(), []);
        });
    }

    it('does not ask for what is not the segment\'s: the language tab, the grid\'s page size, the search box', async () => {
        const dialogs = await openPage();
        await page.evaluate(() => $('#selected-tab-name-segment-shopper-message-localized').val('language-2'));
        await page.selectOption('select[name="segment-members-grid_length"]', '50');
        await page.fill('#SearchEmail', 'anna@');
        await page.fill('#segment-add-emails', 'anna@example.com');
        await page.click('#segment-add-members');
        assert.deepEqual(dialogs, []);
        assert.deepEqual(await posted(), ['/add']);
    });

    it('does not ask when a field was changed back to what the page showed', async () => {
        const dialogs = await openPage();
        await page.fill('#Name', 'Gold');
        await page.fill('#Name', 'VIP');
        await page.click('#segment-rebuild');
        assert.deepEqual(dialogs, []);
        assert.deepEqual(await posted(), ['/rebuild']);
    });

    it('asks on a failed save shown again, whose fields hold what was posted and not saved', async () => {
        const dialogs = await openPage({ query: '?unsaved=true', answers: [false] });
        await page.click('#segment-rebuild');
        assert.deepEqual(dialogs, [unsavedText]);
        assert.deepEqual(await posted(), []);
    });

    it('lets Save, Save and continue, and Export (a download: the page stays) post the changes without asking', async () => {
        const dialogs = await openPage();
        await page.fill('#Name', 'Gold');
        await page.click('button[name="save"]');
        await page.click('button[name="save-continue"]');
        await page.click('#segment-export');
        assert.deepEqual(dialogs, []);
        assert.deepEqual(await posted(), ['save', 'save-continue', '/export']);
    });

    it('keeps Enter in a field of the segment saving it', async () => {
        const dialogs = await openPage();
        await page.fill('#Name', 'Gold');
        await page.press('#Name', 'Enter');
        assert.deepEqual(dialogs, []);
        assert.deepEqual(await posted(), ['save']);
    });
});

describe('The customers entered to add, which only their own button posts', () => {
    const pendingText = 'Customers not added: continue?';
    const csv = { name: 'members.csv', mimeType: 'text/csv', buffer: Buffer.from('email\nanna@example.com\n') };

    it('make Save ask, and nothing is posted when the admin says no', async () => {
        const dialogs = await openPage({ answers: [false] });
        await page.fill('#segment-add-emails', 'anna@example.com');
        await page.click('button[name="save"]');
        assert.deepEqual(dialogs, [pendingText]);
        assert.deepEqual(await posted(), []);
    });

    it('are left out by Save when the admin accepts', async () => {
        const dialogs = await openPage({ answers: [true] });
        await page.fill('#segment-add-emails', 'anna@example.com');
        await page.click('button[name="save"]');
        assert.deepEqual(dialogs, [pendingText]);
        assert.deepEqual(await posted(), ['save']);
    });

    it('make Save and continue ask for a chosen file too', async () => {
        const dialogs = await openPage({ answers: [false] });
        await page.setInputFiles('#segment-import-file', csv);
        await page.click('button[name="save-continue"]');
        assert.deepEqual(dialogs, [pendingText]);
        assert.deepEqual(await posted(), []);
    });

    it('make Enter in a field of the segment ask, as it presses Save', async () => {
        const dialogs = await openPage({ answers: [false] });
        await page.fill('#segment-add-emails', 'anna@example.com');
        await page.press('#Name', 'Enter');
        assert.deepEqual(dialogs, [pendingText]);
        assert.deepEqual(await posted(), []);
    });

    it('go with their own button without asking; the other one asks', async () => {
        const dialogs = await openPage({ answers: [false] });
        await page.fill('#segment-add-emails', 'anna@example.com');
        await page.click('#segment-add-members');
        await page.click('#segment-import-members');
        assert.deepEqual(dialogs, [pendingText]);
        assert.deepEqual(await posted(), ['/add']);
    });

    it('stay on the page through an export, and blank lines are nothing to add', async () => {
        const dialogs = await openPage();
        await page.fill('#segment-add-emails', 'anna@example.com');
        await page.click('#segment-export');
        await page.fill('#segment-add-emails', ' \n ');
        await page.click('button[name="save"]');
        assert.deepEqual(dialogs, []);
        assert.deepEqual(await posted(), ['/export', 'save']);
    });

    it('are asked about after the changes to the segment, each question answered', async () => {
        const dialogs = await openPage({ answers: [true, false] });
        await page.fill('#Name', 'Gold');
        await page.fill('#segment-add-emails', 'anna@example.com');
        await page.click('#segment-import-members');
        assert.deepEqual(dialogs, [unsavedText, pendingText]);
        assert.deepEqual(await posted(), []);
    });
});
