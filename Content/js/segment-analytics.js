// The analytics card of the segment page: asks the plugin for the segment's figures and draws them. Its body
// (#segment-analytics-body; nopCommerce gives the card itself the id segment-analytics) carries the URL and the texts.
// A reply to a request the admin has replaced since (another period, measure or number of bars) is not drawn.
(function ($) {
    'use strict';

    // measures counted in whole numbers: a bucket [from, to) ends at to - 1
    var wholeNumberMeasures = { OrderCount: true, Age: true };

    function percent(value) { return (value * 100).toFixed(1) + '%'; }
    function number(value) { return Number(value).toLocaleString(undefined, { maximumFractionDigits: 2 }); }

    function bucketLabel(bucket, measure, texts) {
        if (bucket.from === null && bucket.to === null)
            return texts.unknown;
        if (bucket.to === null)
            return (bucket.fromText || number(bucket.from)) + '+';
        if (!wholeNumberMeasures[measure])
            return texts.range.replace('{0}', bucket.fromText || number(bucket.from)).replace('{1}', bucket.toText || number(bucket.to));

        var last = bucket.to - 1;
        return last <= bucket.from ? number(bucket.from) : number(bucket.from) + ' - ' + number(last);
    }

    function start(body) {
        var charts = {};
        var texts = {
            failed: body.data('text-failed'),
            unknown: body.data('text-unknown'),
            none: body.data('text-none'),
            members: body.data('text-members'),
            range: body.data('text-range')
        };
        // requests sent per part of the card: a reply drawn only into the parts no later request asked for
        var sent = { histogram: 0, revenue: 0, rest: 0 };

        function draw(id, type, labels, data) {
            if (charts[id])
                charts[id].destroy();
            charts[id] = new Chart(document.getElementById(id), {
                type: type,
                data: { labels: labels, datasets: [{ label: texts.members, data: data, backgroundColor: 'rgba(60,141,188,0.5)', borderColor: 'rgba(60,141,188,1)', fill: type === 'line' }] },
                options: { responsive: true, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
            });
        }

        function drawHistogram(histogram) {
            draw('segment-histogram-chart', 'bar',
                histogram.buckets.map(function (bucket) { return bucketLabel(bucket, histogram.field, texts); }),
                histogram.buckets.map(function (bucket) { return bucket.members; }));
        }

        function fillRevenue(revenue) {
            $('#segment-revenue-table [data-field]').each(function () {
                var field = $(this).data('field');
                //amounts come formatted as the admin shows order totals
                var text = revenue[field + 'Text'];
                $(this).text(field.indexOf('Share') > 0 ? percent(revenue[field]) : text || number(revenue[field]));
            });
        }

        function drawRest(data) {
            draw('segment-size-chart', 'line', data.size.map(function (point) { return point.date; }), data.size.map(function (point) { return point.members; }));

            var grid = $('#segment-rfm-grid tbody').empty();
            for (var r = data.rfm.counts.length - 1; r >= 0; r--) {
                var row = $('<tr>').append($('<th>').text(r + 1));
                data.rfm.counts[r].forEach(function (count) { row.append($('<td>').text(count)); });
                grid.append(row);
            }
            var note = $('#segment-rfm-note');
            note.text(String(note.data('format')).replace('{0}', data.rfm.windowDays).replace('{1}', data.rfm.withoutPurchases));

            var overlap = $('#segment-overlap-table tbody').empty();
            if (data.overlap.length === 0)
                overlap.append($('<tr>').append($('<td colspan="2">').text(texts.none)));
            data.overlap.forEach(function (item) {
                overlap.append($('<tr>')
                    .append($('<td>').append($('<a>').attr('href', item.url).text(item.name)))
                    .append($('<td>').text(item.shared)));
            });
        }

        // only: 'histogram' when its measure or bars changed, 'revenue' when its period changed; nothing: every part
        function load(only) {
            var parts = only ? [only] : ['histogram', 'revenue', 'rest'];
            var asked = {};
            parts.forEach(function (part) { asked[part] = ++sent[part]; });
            function current(part) { return asked[part] === sent[part]; }

            var query = {
                histogram: $('#segment-histogram-field').val(),
                histogramOnly: only === 'histogram',
                revenueDays: $('#segment-revenue-period').val(),
                revenueOnly: only === 'revenue'
            };
            var buckets = $.trim($('#segment-histogram-buckets').val());
            if (buckets !== '' && only !== 'revenue')
                query.buckets = buckets;

            $.ajax({
                cache: false,
                type: 'GET',
                url: body.data('url'),
                data: query,
                success: function (data) {
                    if (!parts.some(current))
                        return;

                    $('#segment-analytics-status').hide();
                    if (data.histogram && current('histogram'))
                        drawHistogram(data.histogram);
                    if (data.revenue && current('revenue'))
                        fillRevenue(data.revenue);
                    if (data.size && current('rest'))
                        drawRest(data);
                },
                error: function (xhr) {
                    if (!parts.some(current))
                        return;

                    //a number of bars out of range comes back as a localized message
                    var message = xhr.responseJSON && xhr.responseJSON.error ? xhr.responseJSON.error : texts.failed;
                    $('#segment-analytics-status').show().text(message);
                }
            });
        }

        $('#segment-histogram-field, #segment-histogram-buckets').on('change', function () { load('histogram'); });
        $('#segment-revenue-period').on('change', function () { load('revenue'); });
        //after a rebuild the page asks for every figure again
        body.on('segment-analytics:reload', function () { load(); });
        load();
    }

    $(function () {
        var body = $('#segment-analytics-body');
        if (body.length)
            start(body);
    });
})(jQuery);
