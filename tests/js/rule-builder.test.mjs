import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, pagePath, loadCatalog } from './harness.mjs';

let page, pageErrors;

const session = useBrowser();

beforeEach(() => session.server.reset());

afterEach(async () => {
    await page?.close();
    page = null;
    assert.deepEqual(pageErrors, [], 'the page raised script errors');
});

async function open(config = {}) {
    Object.assign(session.server.state.config, config);
    page = await session.browser.context.newPage();
    page.setDefaultTimeout(5000);
    pageErrors = [];
    page.on('pageerror', error => pageErrors.push(String(error)));
    await page.goto(session.server.baseUrl + pagePath);
    await page.waitForSelector('#segment-rule-builder .rb-group[data-path=""]');
    return page;
}

const node = path => `#segment-rule-builder .rb-node[data-path="${path}"]`;
const header = path => `${node(path)} > .rb-group-header`;
const row = path => `${node(path)} > .rb-condition-row`;

async function posted() {
    return JSON.parse(await page.inputValue('#RuleJson'));
}

async function click(path, action) {
    const scope = action.startsWith('add-') ? `${node(path)} > .rb-group-actions` : (await isGroup(path) ? header(path) : row(path));
    await page.click(`${scope} [data-action="${action}"]`);
}

async function isGroup(path) {
    return (await page.getAttribute(node(path), 'class')).includes('rb-group');
}

async function setCondition(path, field, operator) {
    await page.selectOption(`${row(path)} .rb-field`, field);
    if (operator)
        await page.selectOption(`${row(path)} .rb-operator`, operator);
}

async function operatorsOf(path) {
    return page.$$eval(`${row(path)} .rb-operator option`, options => options.map(option => option.value));
}

const group = (match, negate, children) => ({ kind: 'group', match, negate, children });
const condition = (field, operator, values, extra = {}) => ({ kind: 'condition', field, operator, values, ...extra });

describe('rule builder', () => {
    it('starts a new segment with an empty ALL group and says it matches everyone', async () => {
        await open();
        assert.deepEqual(await posted(), { version: 1, root: group('All', false, []) });
        assert.match(await page.textContent(node('')), /A rule without conditions matches every customer/);
    });

    it('adds conditions and nested groups, switches ALL/ANY and negates', async () => {
        await open();
        await click('', 'add-condition');
        await setCondition('0', 'orders.count', 'gte');
        await page.fill(`${row('0')} .rb-value`, '3');
        await click('', 'add-group');
        await page.selectOption(`${header('1')} .rb-match`, 'Any');
        await page.check(`${header('1')} .rb-negate`);
        await setCondition('1.0', 'billingAddress.city', 'eq');
        await page.fill(`${row('1.0')} .rb-value`, 'Berlin');
        await click('1', 'add-group');
        await setCondition('1.1.0', 'wishlist.notEmpty', 'eq');
        await page.selectOption(`${row('1.1.0')} .rb-boolean`, 'true');
        await page.selectOption(`${header('')} .rb-match`, 'Any');

        assert.deepEqual(await posted(), {
            version: 1,
            root: group('Any', false, [
                condition('orders.count', 'gte', [3]),
                group('Any', true, [
                    condition('billingAddress.city', 'eq', ['Berlin']),
                    group('All', false, [condition('wishlist.notEmpty', 'eq', [true])])
                ])
            ])
        });
        assert.equal(await page.isChecked(`${header('1')} .rb-negate`), true);
        // what the form posts: the RuleJson field only, no field of the builder's own controls
        const form = await page.evaluate(() => [...new FormData(document.getElementById('segment-form')).keys()]);
        assert.deepEqual(form.sort(), ['RuleJson', 'StoreId', '__RequestVerificationToken']);
        assert.deepEqual(JSON.parse(await page.evaluate(() => new FormData(document.getElementById('segment-form')).get('RuleJson'))), await posted());
    });

    it('moves nodes up and down and removes them', async () => {
        await open({
            rule: {
                version: 1, root: group('All', false, [
                    condition('billingAddress.city', 'eq', ['A']),
                    condition('billingAddress.city', 'eq', ['B']),
                    group('Any', false, [condition('billingAddress.city', 'eq', ['C'])])
                ])
            }
        });
        const cities = async () => JSON.stringify((await posted()).root.children.map(child => child.values?.[0] ?? child.children.map(c => c.values[0])));

        await click('2', 'move-up');
        assert.equal(await cities(), '["A",["C"],"B"]');
        await click('0', 'move-down');
        assert.equal(await cities(), '[["C"],"A","B"]');
        await click('0', 'move-up'); // already first: nothing moves
        await click('2', 'move-down'); // already last
        assert.equal(await cities(), '[["C"],"A","B"]');
        await click('0.0', 'remove');
        assert.deepEqual((await posted()).root.children[0], group('Any', false, []));
        await click('1', 'remove');
        assert.equal(await cities(), '[[],"B"]');
        assert.equal(await page.locator(`${row('1')} .rb-value`).inputValue(), 'B');
    });

    it('groups the field picker by category and fits the operator list to the field', async () => {
        await open();
        await click('', 'add-condition');
        const groups = await page.$$eval(`${row('0')} .rb-field optgroup`, list => list.map(g => [g.label, g.children.length]));
        assert.deepEqual(groups, loadCatalog().categories.map(category => [category.name, category.fields.length]));
        assert.deepEqual(groups.map(g => g[0]), ['Demographics', 'Location', 'Orders and shopping', 'RFM', 'Engagement', 'Other segments']);

        await setCondition('0', 'orders.totalSpent');
        assert.deepEqual(await operatorsOf('0'), ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between']);
        assert.equal(await page.textContent(`${row('0')} .rb-operator option[value="gte"]`), 'is at least');
        assert.equal((await posted()).root.children[0].operator, 'eq');

        await setCondition('0', 'customer.roles');
        assert.deepEqual(await operatorsOf('0'), ['anyOf', 'allOf', 'noneOf']);
        assert.deepEqual((await posted()).root.children[0], condition('customer.roles', 'anyOf', []));

        await setCondition('0', 'customer.lastActivityDate');
        assert.deepEqual(await operatorsOf('0'), ['eq', 'before', 'after', 'betweenDates', 'inLastDays', 'moreThanDaysAgo']);
    });

    it('types values by editor: numbers, money ranges, dates, days, booleans, fixed lists, text, period and key', async () => {
        await open();
        for (let i = 0; i < 9; i++)
            await click('', 'add-condition');

        await setCondition('0', 'orders.countInPeriod', 'between');
        await page.fill(`${row('0')} .rb-value[data-index="0"]`, '2');
        await page.fill(`${row('0')} .rb-value[data-index="1"]`, '10');
        await page.fill(`${row('0')} .rb-period`, '90');

        await setCondition('1', 'orders.totalSpent', 'gte');
        assert.equal(await page.getAttribute(`${row('1')} .rb-value`, 'type'), 'number');
        await page.fill(`${row('1')} .rb-value`, '99.95');

        await setCondition('2', 'customer.registeredDate', 'before');
        assert.equal(await page.getAttribute(`${row('2')} .rb-value`, 'type'), 'date');
        await page.fill(`${row('2')} .rb-value`, '1990-05-31');

        await setCondition('3', 'orders.lastDate', 'inLastDays');
        assert.equal(await page.getAttribute(`${row('3')} .rb-value`, 'type'), 'number');
        await page.fill(`${row('3')} .rb-value`, '30');

        await setCondition('4', 'customer.lastActivityDate', 'betweenDates');
        await page.fill(`${row('4')} .rb-value[data-index="0"]`, '2024-01-01');
        await page.fill(`${row('4')} .rb-value[data-index="1"]`, '2024-12-31');

        await setCondition('5', 'newsletter.subscribed', 'eq');
        await page.selectOption(`${row('5')} .rb-boolean`, 'false');

        await setCondition('6', 'customer.gender', 'eq');
        assert.deepEqual(await page.$$eval(`${row('6')} .rb-options option`, o => o.map(x => x.textContent)), ['', 'Male', 'Female', 'Neutral']);
        await page.selectOption(`${row('6')} .rb-options`, { label: 'Female' });

        await setCondition('7', 'customer.birthMonth', 'in');
        await page.selectOption(`${row('7')} .rb-options`, { label: 'March' });
        await page.selectOption(`${row('7')} .rb-options`, { label: 'December' });
        await page.selectOption(`${row('7')} .rb-options`, { label: 'March' }); // twice: kept once
        assert.deepEqual(await page.$$eval(`${row('7')} .rb-chip-name`, c => c.map(x => x.textContent)), ['March', 'December']);

        await setCondition('8', 'customer.genericAttribute', 'startsWith');
        await page.fill(`${row('8')} .rb-key-text`, 'VatNumber');
        await page.fill(`${row('8')} .rb-value`, 'DE');

        assert.deepEqual((await posted()).root.children, [
            condition('orders.countInPeriod', 'between', [2, 10], { periodDays: 90 }),
            condition('orders.totalSpent', 'gte', [99.95]),
            condition('customer.registeredDate', 'before', ['1990-05-31']),
            condition('orders.lastDate', 'inLastDays', [30]),
            condition('customer.lastActivityDate', 'betweenDates', ['2024-01-01', '2024-12-31']),
            condition('newsletter.subscribed', 'eq', [false]),
            condition('customer.gender', 'eq', ['F']),
            condition('customer.birthMonth', 'in', [3, 12]),
            condition('customer.genericAttribute', 'startsWith', ['DE'], { key: 'VatNumber' })
        ]);

        // a chip removed; a cleared number leaves no value; a half-filled range keeps its position
        await page.click(`${row('7')} .rb-chip[data-index="0"] [data-action="remove-value"]`);
        await page.fill(`${row('1')} .rb-value`, '');
        await page.fill(`${row('0')} .rb-value[data-index="0"]`, '');
        await page.fill(`${row('0')} .rb-period`, '');
        await page.selectOption(`${row('3')} .rb-operator`, 'isEmpty');
        const children = (await posted()).root.children;
        assert.deepEqual(children[7].values, [12]);
        assert.deepEqual(children[1].values, []);
        assert.deepEqual(children[0], condition('orders.countInPeriod', 'between', [null, 10]));
        assert.deepEqual(children[3], condition('orders.lastDate', 'isEmpty', []));
        assert.equal(await page.locator(`${row('3')} .rb-value`).count(), 0);
    });

    it('keeps values that still fit when the operator changes and drops them when the field changes', async () => {
        await open();
        await click('', 'add-condition');
        await setCondition('0', 'customer.birthMonth', 'eq');
        await page.selectOption(`${row('0')} .rb-options`, { label: 'May' });
        await page.selectOption(`${row('0')} .rb-operator`, 'in');
        assert.deepEqual((await posted()).root.children[0].values, [5]);
        await page.selectOption(`${row('0')} .rb-operator`, 'neq');
        assert.deepEqual((await posted()).root.children[0].values, [5]);
        await setCondition('0', 'customer.age');
        assert.deepEqual((await posted()).root.children[0], condition('customer.age', 'neq', []), 'an operator the new field allows is kept');
    });

    it('edits a text list (is one of / is not one of) with typed chips', async () => {
        await open();
        await click('', 'add-condition');
        await setCondition('0', 'billingAddress.city');
        assert.ok((await operatorsOf('0')).includes('in') && (await operatorsOf('0')).includes('notIn'), 'text fields offer in and notIn');
        await page.fill(`${row('0')} .rb-value`, 'Berlin');
        await page.selectOption(`${row('0')} .rb-operator`, 'in');
        assert.deepEqual((await posted()).root.children[0].values, ['Berlin'], 'the typed value becomes the first chip');

        const free = `${row('0')} .rb-free-value`;
        await page.fill(free, '  Paris ');
        await page.press(free, 'Enter');
        await page.fill(free, 'BERLIN');
        await page.press(free, 'Enter'); // the same city in other capitals: kept once
        await page.fill(free, '   ');
        await page.press(free, 'Enter'); // nothing typed: no chip
        await page.fill(free, '<b>Köln</b>');
        await page.locator(free).blur(); // leaving the box adds it too
        assert.deepEqual(await page.$$eval(`${row('0')} .rb-chip-name`, c => c.map(x => x.textContent)), ['Berlin', 'Paris', '<b>Köln</b>']);
        assert.equal(await page.locator(`${row('0')} .rb-chip b`).count(), 0, 'typed text is shown as text');
        assert.equal(await page.inputValue(free), '');
        assert.deepEqual((await posted()).root.children[0], condition('billingAddress.city', 'in', ['Berlin', 'Paris', '<b>Köln</b>']));

        await page.click(`${row('0')} .rb-chip[data-index="0"] [data-action="remove-value"]`);
        await page.selectOption(`${row('0')} .rb-operator`, 'notIn');
        assert.deepEqual((await posted()).root.children[0], condition('billingAddress.city', 'notIn', ['Paris', '<b>Köln</b>']), 'the list stays when the operator flips');

        await page.selectOption(`${row('0')} .rb-operator`, 'eq');
        assert.deepEqual((await posted()).root.children[0], condition('billingAddress.city', 'eq', ['Paris']));
    });

    it('shows a saved text list as chips and posts it back unchanged', async () => {
        const rule = { version: 1, root: group('All', false, [condition('customer.company', 'notIn', ['Acme', 'Globex'])]) };
        await open({ rule });
        assert.deepEqual(await page.$$eval(`${row('0')} .rb-chip-name`, c => c.map(x => x.textContent)), ['Acme', 'Globex']);
        assert.equal(await page.locator(`${row('0')} .rb-free-value`).count(), 1);
        assert.deepEqual(await posted(), rule);
        assert.deepEqual(session.server.state.lookupRequests, [], 'typed values need no name lookup');
    });

    it('loads a saved rule and posts it back unchanged', async () => {
        const rule = {
            version: 1,
            root: group('All', false, [
                condition('orders.countInPeriod', 'gte', [3], { periodDays: 90 }),
                condition('orders.totalSpent', 'between', [10.5, 250]),
                group('Any', true, [
                    condition('billingAddress.country', 'in', [4, 9]),
                    condition('customer.gender', 'eq', ['M']),
                    condition('customer.birthMonth', 'in', [1, 7]),
                    group('All', false, [
                        condition('orders.products', 'allOf', [17], { periodDays: 30 }),
                        condition('customer.attributeValues', 'anyOf', [31], { key: '6' })
                    ])
                ]),
                condition('customer.registeredDate', 'betweenDates', ['1980-01-01', '1989-12-31']),
                condition('customer.lastActivityDate', 'moreThanDaysAgo', [180]),
                condition('newsletter.subscribed', 'eq', [true]),
                condition('billingAddress.city', 'isNotEmpty', []),
                condition('customer.genericAttribute', 'startsWith', ['DE'], { key: 'VatNumber' }),
                condition('segment.member', 'notIn', [2]),
                condition('retired.field', 'eq', ['kept'])
            ])
        };
        session.server.state.lookupItems = {
            countries: [{ id: 4, name: 'Germany' }, { id: 9, name: 'France' }],
            products: [{ id: 17, name: 'Blue shirt' }]
        };
        await open({ rule });
        assert.deepEqual(await posted(), rule);

        // saved ids are shown by name, asked for in one request a list
        await page.waitForFunction(() => document.querySelectorAll('.rb-chip-name')[1]?.textContent === 'France');
        const chips = await page.$$eval('.rb-chip-name', c => c.map(x => x.textContent));
        assert.deepEqual(chips.slice(0, 5), ['Germany', 'France', 'January', 'July', 'Blue shirt']);
        assert.deepEqual(session.server.state.lookupRequests.filter(r => r.source === 'countries').map(r => r.ids), ['4,9']);
        assert.equal(await page.inputValue(`${row('2.2')} .rb-options`, { timeout: 2000 }), '', 'a multiple choice keeps its list empty: the chosen months are chips');
        assert.equal(await page.inputValue(`${row('2.1')} .rb-options`), '0');
        assert.equal(await page.inputValue(`${row('0')} .rb-period`), '90');
        assert.equal(await page.inputValue(`${row('2.3.1')} .rb-key`), '6');
        assert.match(await page.textContent(`${row('9')} .rb-field option:checked`), /retired\.field/);
        assert.equal(session.server.state.previewRequests.length, 0, 'loading the page is no edit');
    });

    it('shows the server\'s validation errors next to the node at their path and clears old ones', async () => {
        const rule = {
            version: 1,
            root: group('All', false, [
                condition('orders.count', 'gte', []),
                group('Any', false, [condition('billingAddress.city', 'eq', ['x']), condition('customer.age', 'gt', [-1])])
            ])
        };
        await open({
            rule,
            errors: [
                { path: '0', message: 'Number of orders needs a value.' },
                { path: '1.1', message: 'Age must be positive.' },
                { path: '', message: 'The rule is too large.' }
            ]
        });
        const errorsAt = path => page.$$eval(`${node(path)} > .rb-errors .rb-error`, e => e.map(x => x.textContent));
        assert.deepEqual(await errorsAt('0'), ['Number of orders needs a value.']);
        assert.deepEqual(await errorsAt('1.1'), ['Age must be positive.']);
        assert.deepEqual(await errorsAt('1.0'), []);
        assert.deepEqual(await errorsAt(''), ['The rule is too large.']);
        assert.ok((await page.getAttribute(node('1.1'), 'class')).includes('rb-has-error'));

        await page.evaluate(() => window.CustomerSegmentsRuleBuilder.init('#segment-rule-builder')
            .showErrors([{ path: '1.0', message: 'City <b>bad</b>' }, { path: '7.3', message: 'Nowhere' }]));
        assert.deepEqual(await errorsAt('0'), []);
        assert.deepEqual(await errorsAt('1.1'), []);
        assert.deepEqual(await errorsAt('1.0'), ['City <b>bad</b>']);
        assert.deepEqual(await errorsAt(''), ['Nowhere']);
        assert.equal(await page.locator('#segment-rule-builder b').count(), 0);
    });

    it('searches values through the lookup URL and adds the picked ones as chips', async () => {
        session.server.state.lookupItems = {
            countries: [{ id: 4, name: 'Germany' }, { id: 9, name: 'France' }, { id: 12, name: 'Georgia' }, { id: 13, name: 'Gabon' }],
            stateProvinces: [{ id: 3, name: 'Berlin' }],
            customerAttributeValues: [{ id: 31, name: 'Gold' }]
        };
        await open();
        await click('', 'add-condition');
        await setCondition('0', 'billingAddress.country', 'in');
        await page.fill(`${row('0')} .rb-picker-search`, 'g');
        await page.waitForSelector(`${row('0')} .rb-picker-item`);
        assert.deepEqual(await page.$$eval(`${row('0')} .rb-picker-item`, i => i.map(x => x.textContent)), ['Germany', 'Georgia']);
        const request = session.server.state.lookupRequests.at(-1);
        assert.deepEqual({ source: request.source, search: request.search, parentId: request.parentId, page: request.page },
            { source: 'countries', search: 'g', parentId: '0', page: '0' });

        await page.click(`${row('0')} .rb-picker-more`);
        await page.waitForFunction(() => document.querySelectorAll('.rb-picker-item').length === 3);
        await page.click(`${row('0')} .rb-picker-item:has-text("Gabon")`);
        await page.fill(`${row('0')} .rb-picker-search`, 'germ');
        await page.waitForSelector(`${row('0')} .rb-picker-item:has-text("Germany")`);
        await page.click(`${row('0')} .rb-picker-item:has-text("Germany")`);
        assert.deepEqual(await page.$$eval(`${row('0')} .rb-chip-name`, c => c.map(x => x.textContent)), ['Gabon', 'Germany']);
        assert.deepEqual((await posted()).root.children[0].values, [13, 4]);

        // one country chosen: states are searched within it
        await page.selectOption(`${row('0')} .rb-operator`, 'eq');
        assert.deepEqual((await posted()).root.children[0].values, [13]);
        await click('', 'add-condition');
        await setCondition('1', 'billingAddress.stateProvince', 'eq');
        await page.fill(`${row('1')} .rb-picker-search`, 'ber');
        await page.click(`${row('1')} .rb-picker-item:has-text("Berlin")`);
        assert.equal(session.server.state.lookupRequests.at(-1).parentId, '13');
        assert.deepEqual((await posted()).root.children[1], condition('billingAddress.stateProvince', 'eq', [3]));

        // customer attribute values are searched within the attribute named by the key
        await click('', 'add-condition');
        await setCondition('2', 'customer.attributeValues', 'anyOf');
        await page.selectOption(`${row('2')} .rb-key`, { label: 'Favourite colour' });
        await page.fill(`${row('2')} .rb-picker-search`, 'go');
        await page.click(`${row('2')} .rb-picker-item:has-text("Gold")`);
        assert.equal(session.server.state.lookupRequests.at(-1).parentId, '12');
        assert.deepEqual((await posted()).root.children[2], condition('customer.attributeValues', 'anyOf', [31], { key: '12' }));

        await page.fill(`${row('2')} .rb-picker-search`, 'zzz');
        await page.waitForSelector(`${row('2')} .rb-picker-none`);
    });

    it('chooses the customer attribute of a condition by name and posts its id as the key', async () => {
        session.server.state.lookupItems = { customerAttributeValues: [{ id: 31, name: 'Gold' }, { id: 32, name: 'Email' }] };
        await open();
        for (let i = 0; i < 3; i++)
            await click('', 'add-condition');

        await setCondition('0', 'customer.attributeValues', 'anyOf');
        assert.equal(await page.locator(`${row('0')} .rb-key-text`).count(), 0, 'no box to type an id into');
        assert.equal(await page.textContent(`${row('0')} .rb-key-label`), 'Customer attribute');
        assert.deepEqual(await page.$$eval(`${row('0')} .rb-key-select option`, o => o.map(x => [x.value, x.textContent])),
            [['', 'Choose a customer attribute'], ['7', 'Preferred contact'], ['12', 'Favourite colour']]);
        // no attribute yet: its options are not searched (not those of every attribute together)
        assert.equal(await page.isDisabled(`${row('0')} .rb-picker-search`), true);
        assert.equal(await page.getAttribute(`${row('0')} .rb-picker-search`, 'placeholder'), 'Choose a customer attribute');

        await page.selectOption(`${row('0')} .rb-key-select`, { label: 'Preferred contact' });
        assert.deepEqual((await posted()).root.children[0], condition('customer.attributeValues', 'anyOf', [], { key: '7' }));
        await page.fill(`${row('0')} .rb-picker-search`, 'mail');
        await page.click(`${row('0')} .rb-picker-item:has-text("Email")`);
        assert.equal(session.server.state.lookupRequests.at(-1).parentId, '7');
        assert.deepEqual((await posted()).root.children[0], condition('customer.attributeValues', 'anyOf', [32], { key: '7' }));

        // another attribute: the options picked belong to the old one
        await page.selectOption(`${row('0')} .rb-key-select`, { label: 'Favourite colour' });
        assert.deepEqual((await posted()).root.children[0], condition('customer.attributeValues', 'anyOf', [], { key: '12' }));
        assert.ok(session.server.state.lookupRequests.every(request => request.parentId !== '0'), 'never searched without an attribute');

        await setCondition('1', 'customer.attributeText', 'eq');
        assert.equal(await page.locator(`${row('1')} .rb-key-select`).count(), 1);
        await page.selectOption(`${row('1')} .rb-key-select`, { label: 'Favourite colour' });
        await page.fill(`${row('1')} .rb-value`, 'Blue');

        // the generic attribute's key is typed in, under its own label
        await setCondition('2', 'customer.genericAttribute', 'eq');
        assert.equal(await page.locator(`${row('2')} .rb-key-select`).count(), 0);
        assert.equal(await page.textContent(`${row('2')} .rb-key-label`), 'Attribute key');
        assert.equal(await page.getAttribute(`${row('2')} .rb-key-text`, 'aria-label'), 'Attribute key');
        await page.fill(`${row('2')} .rb-key-text`, 'VatNumber');
        await page.fill(`${row('2')} .rb-value`, 'DE1');

        assert.deepEqual((await posted()).root.children.slice(1), [
            condition('customer.attributeText', 'eq', ['Blue'], { key: '12' }),
            condition('customer.genericAttribute', 'eq', ['DE1'], { key: 'VatNumber' })
        ]);
    });

    it('shows a saved customer attribute condition with its attribute chosen, and a deleted attribute by its id', async () => {
        const rule = {
            version: 1,
            root: group('All', false, [
                condition('customer.attributeValues', 'anyOf', [31], { key: '12' }),
                condition('customer.attributeText', 'eq', ['x'], { key: '7' }),
                condition('customer.attributeText', 'isEmpty', [], { key: '99' })
            ])
        };
        session.server.state.lookupItems = { customerAttributeValues: [{ id: 31, name: 'Gold' }, { id: 33, name: 'Green' }] };
        await open({ rule });
        assert.deepEqual(await posted(), rule);
        assert.equal(await page.inputValue(`${row('0')} .rb-key-select`), '12');
        assert.equal(await page.textContent(`${row('0')} .rb-key-select option:checked`), 'Favourite colour');
        assert.equal(await page.textContent(`${row('1')} .rb-key-select option:checked`), 'Preferred contact');
        assert.equal(await page.inputValue(`${row('2')} .rb-key-select`), '99');
        assert.equal(await page.textContent(`${row('2')} .rb-key-select option:checked`), '#99');

        await page.fill(`${row('0')} .rb-picker-search`, 'gr');
        await page.waitForSelector(`${row('0')} .rb-picker-item:has-text("Green")`);
        const request = session.server.state.lookupRequests.at(-1);
        assert.deepEqual({ source: request.source, search: request.search, parentId: request.parentId },
            { source: 'customerAttributeValues', search: 'gr', parentId: '12' });
    });

    it('debounces the live preview: many quick edits make one request, with the rule, store and anti-forgery token', async () => {
        session.server.state.previewResponse = {
            success: true, count: 1234,
            members: [{ id: 9, email: 'a@b.c', url: '/Admin/Customer/Edit/9' }, { id: 10, email: 'evil@x.y', url: 'javascript:alert(1)' }]
        };
        await open();
        await click('', 'add-condition');
        await setCondition('0', 'orders.count', 'gte');
        for (const digit of '1234567')
            await page.type(`${row('0')} .rb-value`, digit);
        await page.selectOption('#StoreId', '2');
        await page.waitForSelector('.rb-preview-members li');
        await page.waitForTimeout(1000);

        assert.equal(session.server.state.previewRequests.length, 1);
        const { form, contentType } = session.server.state.previewRequests[0];
        assert.match(contentType, /application\/x-www-form-urlencoded/);
        assert.equal(form.__RequestVerificationToken, 'test-antiforgery-token');
        assert.equal(form.segmentId, '5');
        assert.equal(form.storeId, '2');
        assert.deepEqual(JSON.parse(form.ruleJson), await posted());
        assert.deepEqual(JSON.parse(form.ruleJson).root.children[0].values, [1234567]);

        assert.match(await page.textContent('#segment-rule-preview-result'), /1,234 customers match the rule now\./);
        assert.equal(await page.getAttribute('#segment-rule-preview-result a', 'href'), '/Admin/Customer/Edit/9');
        assert.equal(await page.locator('#segment-rule-preview-result a').count(), 1, 'a javascript: URL is no link');

        // the button previews at once
        await page.click('#segment-rule-preview');
        await page.waitForFunction(() => true);
        await new Promise(resolve => setTimeout(resolve, 300));
        assert.equal(session.server.state.previewRequests.length, 2);
    });

    it('shows the preview\'s validation errors at their conditions', async () => {
        session.server.state.previewResponse = { success: false, timedOut: false, errors: [{ path: '0', message: 'Needs a value.' }] };
        await open();
        await click('', 'add-condition');
        await setCondition('0', 'orders.count', 'gte');
        await page.waitForSelector(`${node('0')} > .rb-errors .rb-error`);
        assert.equal(await page.textContent(`${node('0')} > .rb-errors`), 'Needs a value.');
        assert.match(await page.textContent('#segment-rule-preview-result'), /The rule has errors:\s*Needs a value\./);

        session.server.state.previewResponse = { success: false, timedOut: true, message: 'Too slow.' };
        await page.click('#segment-rule-preview');
        await page.waitForSelector('#segment-rule-preview-result :text("Too slow.")');

        session.server.state.previewResponse = { success: true, count: 0, members: [] };
        await page.click('#segment-rule-preview');
        await page.waitForSelector('#segment-rule-preview-result :text("No customer matches the rule now.")');
        assert.equal(await page.locator('.rb-error').count(), 0);
    });

    it('renders hostile field names, lookup results and errors as text', async () => {
        const hostile = '<img src=x onerror="window.__xss=1">';
        const catalog = structuredClone(session.server.state.config.catalog);
        catalog.categories[1].name = hostile;
        catalog.categories[1].fields[0].label = hostile;
        catalog.categories[1].fields[0].hint = hostile;
        catalog.operators.in = hostile;
        catalog.texts.AddCondition = hostile;
        session.server.state.lookupItems = { countries: [{ id: 1, name: hostile + ' land' }] };
        session.server.state.previewResponse = { success: false, errors: [{ path: '0', message: hostile }] };

        await open({ catalog, errors: [{ path: '', message: hostile }] });
        await page.click(`${node('')} > .rb-group-actions [data-action="add-condition"]`);
        await setCondition('0', 'billingAddress.country', 'in');
        await page.fill(`${row('0')} .rb-picker-search`, 'land');
        await page.click(`${row('0')} .rb-picker-item`);
        await page.waitForSelector(`${node('0')} > .rb-errors .rb-error`);

        assert.equal(await page.locator('img').count(), 0);
        assert.equal(await page.evaluate(() => window.__xss), undefined);
        assert.equal(await page.textContent(`${row('0')} .rb-chip-name`), hostile + ' land');
        assert.equal(await page.textContent(`${row('0')} .rb-field option:checked`), hostile);
        assert.equal(await page.getAttribute(`${row('0')} .rb-field optgroup:nth-of-type(2)`, 'label'), hostile);
        assert.equal(await page.textContent(`${row('0')} .rb-operator option:checked`), hostile);
        assert.equal(await page.textContent(`${node('0')} > .rb-errors`), hostile);
        assert.deepEqual((await posted()).root.children[0].values, [1]);
    });
});
