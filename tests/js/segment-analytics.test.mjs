import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser } from './harness.mjs';

let page;

const session = useBrowser();

afterEach(async () => {
    await page?.close();
    page = null;
});

const orderCountBuckets = [[0, 1], [1, 2], [2, 3], [3, 5], [5, 10], [10, 20], [20, 50], [50, null]];

// the plugin's Analytics action as the page reads it: the revenue share tells the period asked ((days + 1) / 1000)
function figures(query) {
    const days = Number(query.revenueDays || 0);
    const revenue = {
        revenueShare: (days + 1) / 1000, orderShare: 0.5, ordersPerMember: 2, ordersPerShopCustomer: 1,
        memberAverageOrderValue: 12.5, memberAverageOrderValueText: '€12.50', shopAverageOrderValue: 10, shopAverageOrderValueText: '€10.00'
    };
    const buckets = query.histogram === 'OrderCount'
        ? orderCountBuckets.map(([from, to]) => ({ from, to, members: from }))
        : [{ from: 0, to: 100, fromText: '€0.00', toText: '€100.00', members: 3 }, { from: 100, to: 200, fromText: '€100.00', toText: '€200.00', members: 2 },
            { from: 200, to: null, fromText: '€200.00', toText: null, members: 1 }];
    const histogram = { field: query.histogram, buckets };
    if (query.histogramOnly === 'true')
        return { histogram };
    if (query.revenueOnly === 'true')
        return { revenue };
    return {
        size: [{ date: '2026-12-01', members: 5 }, { date: '2026-12-02', members: 6 }],
        revenue,
        rfm: { counts: Array.from({ length: 5 }, () => [0, 0, 0, 0, 1]), withoutPurchases: 2, windowDays: 365 },
        histogram,
        overlap: [{ segmentId: 7, name: 'Gold', shared: 3, url: '/Edit/7' }]
    };
}

// opens the page; a request for which hold(query) is true is answered when the test releases it
async function openPage(hold = () => false) {
    const requests = [];
    page = await session.browser.context.newPage();
    page.setDefaultTimeout(5000);
    await page.route('**/fake/analytics/**', route => {
        const query = Object.fromEntries(new URL(route.request().url()).searchParams);
        const request = {
            query,
            release: () => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(figures(query)) })
        };
        requests.push(request);
        if (!hold(query))
            request.release();
    });
    await page.goto(session.server.baseUrl + '/tests/js/fixtures/segment-analytics.html');
    return requests;
}

const answered = count => page.waitForFunction(n => window.completed === n, count);
const revenueShare = () => page.textContent('#segment-revenue-table [data-field="revenueShare"]');
const histogramLabels = () => page.evaluate(() => window.drawn['segment-histogram-chart'].labels);

describe('The analytics card', () => {
    it('reads its figures from its own body, inside the card nopCommerce gives the id segment-analytics', async () => {
        const requests = await openPage();
        await answered(1);

        assert.equal(requests.length, 1);
        assert.equal(requests[0].query.histogramOnly, 'false');
        assert.equal(await revenueShare(), '0.1%');
        assert.equal(await page.textContent('#segment-rfm-note'), 'Without purchases in the last 365 days: 2');
        assert.equal(await page.textContent('#segment-overlap-table a'), 'Gold');
        assert.deepEqual(await page.evaluate(() => window.drawn['segment-size-chart'].data), [5, 6]);
        assert.equal(await page.isVisible('#segment-analytics-status'), false);
        assert.equal(await page.textContent('#segment-revenue-table [data-field="memberAverageOrderValue"]'), '€12.50', 'amounts as the server formats them');
        assert.equal(await page.textContent('#segment-revenue-table [data-field="ordersPerMember"]'), '2');
    });

    it('shows the revenue of the period chosen last when an earlier period answers after it', async () => {
        const requests = await openPage(query => query.revenueDays === '30');
        await answered(1);

        await page.selectOption('#segment-revenue-period', '30');
        await page.selectOption('#segment-revenue-period', '90');
        await answered(2);
        assert.equal(await revenueShare(), '9.1%');

        await requests.find(request => request.query.revenueDays === '30').release();
        await answered(3);
        assert.equal(await revenueShare(), '9.1%');
    });

    it('keeps the measure chosen while every figure was loading, and draws the rest of them', async () => {
        const requests = await openPage(query => query.histogramOnly === 'false');
        await page.selectOption('#segment-histogram-field', 'OrderCount');
        await answered(1);
        const orderCountLabels = await histogramLabels();

        await requests[0].release();
        await answered(2);

        assert.deepEqual(await histogramLabels(), orderCountLabels);
        assert.equal(await revenueShare(), '0.1%');
        assert.deepEqual(await page.evaluate(() => window.drawn['segment-size-chart'].data), [5, 6]);
    });

    it('labels the bars of whole numbers with their last value, and amounts, formatted, up to the next bar', async () => {
        await openPage();
        await answered(1);
        assert.deepEqual(await histogramLabels(), ['€0.00 to under €100.00', '€100.00 to under €200.00', '€200.00+']);

        await page.selectOption('#segment-histogram-field', 'OrderCount');
        await answered(2);
        assert.deepEqual(await histogramLabels(), ['0', '1', '2', '3 - 4', '5 - 9', '10 - 19', '20 - 49', '50+']);
    });

    it('sends the number of bars with the histogram only, not with a new revenue period', async () => {
        const requests = await openPage();
        await answered(1);
        await page.evaluate(() => { document.getElementById('segment-histogram-buckets').value = '12'; });

        await page.selectOption('#segment-revenue-period', '30');
        await answered(2);
        await page.dispatchEvent('#segment-histogram-buckets', 'change');
        await answered(3);

        assert.equal(requests[1].query.revenueOnly, 'true');
        assert.equal(requests[1].query.buckets, undefined);
        assert.equal(requests[2].query.histogramOnly, 'true');
        assert.equal(requests[2].query.buckets, '12');
    });
});
