// The segment page's own boxes inside the segment form: Enter in a search box runs its search, Enter in a setting of
// the analytics applies it; neither posts the segment (the browser would press the form's first button, Save).
(function ($) {
    'use strict';

    $(document).on('keydown', 'input[data-enter-clicks], input[data-enter-applies]', function (event) {
        if (event.key !== 'Enter')
            return;

        event.preventDefault();
        var button = $(this).attr('data-enter-clicks');
        if (button)
            $(button).trigger('click');
        else
            $(this).trigger('change');
    });

    // The buttons marked data-unsaved-guard (rebuild now, add customers, import) post the segment form to an action that
    // reads none of the segment's fields and reloads the page: when those fields (inside data-segment-fields) changed
    // since the page was shown, or the page shows a failed save (data-unsaved="true"), they ask first. Save and the
    // others ask the same for the customers entered to add, which only the add and import buttons post.
    $(function () {
        var $form = $('form[data-unsaved-confirm]');
        if ($form.length === 0)
            return;

        function segmentFields() {
            //nopCommerce's localized editor keeps its open language tab in a field of the form: not the segment's
            return $form.find($form.attr('data-segment-fields')).find(':input[name]')
                .not('[name^="selected-tab-name-"]').serialize();
        }

        //after the rule builder wrote the rule it shows into its field (its script starts before this one)
        var shown = segmentFields();
        var postedUnsaved = $form.attr('data-unsaved') === 'true';

        $form.on('click', ':submit', function (event) {
            var $button = $(this);
            if ($button.is('[data-unsaved-guard]') && (postedUnsaved || segmentFields() !== shown)
                && !window.confirm($form.attr('data-unsaved-confirm'))) {
                event.preventDefault();
                return;
            }

            //the emails typed or the file chosen to add customers go only with their own button (data-posted-by): any
            //other that leaves the page (all but data-keeps-page, the export) asks first
            var pending = $form.find('[data-posted-by]').filter(function () {
                return !$button.is($(this).attr('data-posted-by')) && $.trim($(this).val()) !== '';
            });
            if (pending.length > 0 && !$button.is('[data-keeps-page]') && !window.confirm($form.attr('data-pending-confirm')))
                event.preventDefault();
        });
    });
})(jQuery);
