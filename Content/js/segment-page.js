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
})(jQuery);
