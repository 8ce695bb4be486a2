/*
 * Customer segments: the visual rule builder of the segment edit page.
 * Contract with the page (container, config JSON, lookups, preview): docs/rule-builder.md.
 * Plain jQuery; every text from the server or the admin goes into the page through .text() or .attr().
 */
(function ($, window) {
    'use strict';

    var DEFAULT_TEXTS = {
        AddCondition: 'Add condition',
        AddGroup: 'Add group',
        Remove: 'Remove',
        MoveUp: 'Move up',
        MoveDown: 'Move down',
        MatchAll: 'All of these are true',
        MatchAny: 'Any of these is true',
        Negate: 'Not',
        SelectField: 'Choose a field',
        SelectOperator: 'Choose a comparison',
        Value: 'Value',
        From: 'From',
        To: 'To',
        PeriodDays: 'in the last ... days',
        Days: 'days',
        AttributeKey: 'Attribute key',
        CustomerAttribute: 'Customer attribute',
        SelectCustomerAttribute: 'Choose a customer attribute',
        Yes: 'Yes',
        No: 'No',
        Search: 'Search...',
        NoResults: 'Nothing found',
        LoadMore: 'More...',
        Preview: 'Preview',
        Previewing: 'Counting matching customers...',
        'Preview.Count': '{0} customers match the rule now.',
        'Preview.Empty': 'No customer matches the rule now.',
        'Preview.Failed': 'The preview failed.',
        'Preview.TimedOut': 'Counting took too long.',
        EmptyRule: 'A rule without conditions matches every customer.',
        ErrorsSummary: 'The rule has errors:',
        UnknownField: 'Unknown field'
    };

    var NO_VALUE_OPERATORS = ['isEmpty', 'isNotEmpty'];
    var DAYS_OPERATORS = ['inLastDays', 'moreThanDaysAgo'];
    var RANGE_OPERATORS = ['between', 'betweenDates'];
    var MULTI_OPERATORS = ['in', 'notIn', 'anyOf', 'allOf', 'noneOf'];

    function contains(list, item) {
        return $.inArray(item, list) >= 0;
    }

    /* What the value editor of an operator looks like: none, days, range, multi or single */
    function shapeOf(operator) {
        if (!operator || contains(NO_VALUE_OPERATORS, operator))
            return 'none';
        if (contains(DAYS_OPERATORS, operator))
            return 'days';
        if (contains(RANGE_OPERATORS, operator))
            return 'range';
        if (contains(MULTI_OPERATORS, operator))
            return 'multi';
        return 'single';
    }

    function toNumber(text) {
        if (text === null || text === undefined || String(text).trim() === '')
            return null;
        var number = Number(text);
        return isFinite(number) ? number : null;
    }

    function toInteger(text) {
        var number = toNumber(text);
        return number === null ? null : Math.trunc(number);
    }

    function newCondition() {
        return { kind: 'condition', field: '', operator: '', values: [] };
    }

    function newGroup() {
        return { kind: 'group', match: 'All', negate: false, children: [] };
    }

    /* Copies a node of the posted/saved rule into the builder's model (unknown properties are dropped) */
    function importNode(node) {
        if (!node || typeof node !== 'object')
            return newCondition();
        if (node.kind === 'group') {
            return {
                kind: 'group',
                match: node.match === 'Any' ? 'Any' : 'All',
                negate: node.negate === true,
                children: $.map(node.children || [], function (child) { return [importNode(child)]; })
            };
        }
        var condition = {
            kind: 'condition',
            field: node.field || '',
            operator: node.operator || '',
            values: Array.isArray(node.values) ? node.values.slice() : []
        };
        if (node.periodDays !== null && node.periodDays !== undefined)
            condition.periodDays = node.periodDays;
        if (node.key !== null && node.key !== undefined && node.key !== '')
            condition.key = node.key;
        return condition;
    }

    /* The node as the server's model reads it: the "kind" discriminator comes first */
    function exportNode(node) {
        if (node.kind === 'group') {
            return {
                kind: 'group',
                match: node.match,
                negate: node.negate,
                children: $.map(node.children, function (child) { return [exportNode(child)]; })
            };
        }
        var condition = {
            kind: 'condition',
            field: node.field,
            operator: node.operator,
            values: node.values.slice()
        };
        if (node.periodDays !== null && node.periodDays !== undefined)
            condition.periodDays = node.periodDays;
        if (node.key !== null && node.key !== undefined && node.key !== '')
            condition.key = node.key;
        return condition;
    }

    function RuleBuilder(container, options) {
        var $container = $(container);
        options = options || {};

        var config = options.config;
        if (!config) {
            var configText = $($container.data('config')).text();
            config = configText ? JSON.parse(configText) : {};
        }

        this.$container = $container;
        this.catalog = config.catalog || {};
        this.texts = $.extend({}, DEFAULT_TEXTS, this.catalog.texts || {});
        this.operatorNames = this.catalog.operators || {};
        this.fixedOptions = this.catalog.options || {};
        this.fields = {};
        this.categories = this.catalog.categories || [];
        var self = this;
        $.each(this.categories, function (_, category) {
            $.each(category.fields || [], function (_, field) {
                self.fields[field.name] = field;
            });
        });

        this.$ruleInput = $(options.ruleInput || $container.data('rule-input') || '#RuleJson');
        this.$storeInput = $(options.storeInput || $container.data('store-input') || '#StoreId');
        this.segmentId = options.segmentId !== undefined ? options.segmentId : ($container.data('segment-id') || 0);
        this.lookupUrl = options.lookupUrl || $container.data('lookup-url') || config.lookupUrl;
        this.previewUrl = options.previewUrl || $container.data('preview-url') || config.previewUrl;
        this.$previewButton = $(options.previewButton || $container.data('preview-button') || '#segment-rule-preview');
        this.$previewResult = $(options.previewResult || $container.data('preview-result') || '#segment-rule-preview-result');
        this.previewDelay = options.previewDelay !== undefined ? options.previewDelay : 600;
        this.lookupDelay = options.lookupDelay !== undefined ? options.lookupDelay : 250;

        this.names = {};
        this.previewTimer = null;
        this.previewSequence = 0;
        this.lastJson = null;

        this.setRule(config.rule);
        this.bindEvents();
        this.loadNamesOfSavedValues();
        if (config.errors && config.errors.length)
            this.showErrors(config.errors);
    }

    RuleBuilder.prototype = {
        text: function (key) {
            var value = this.texts[key];
            return value === undefined || value === null || value === '' ? (DEFAULT_TEXTS[key] || key) : value;
        },

        /* ---------- model ---------- */

        setRule: function (rule) {
            this.version = rule && rule.version ? rule.version : 1;
            this.root = rule && rule.root && rule.root.kind === 'group' ? importNode(rule.root) : newGroup();
            this.render();
            this.sync(true);
        },

        getRule: function () {
            return { version: this.version, root: exportNode(this.root) };
        },

        getJson: function () {
            return JSON.stringify(this.getRule());
        },

        /* Writes the rule into the hidden input; schedules a preview when it changed */
        sync: function (initial) {
            var json = this.getJson();
            this.$ruleInput.val(json);
            if (!initial && json !== this.lastJson)
                this.schedulePreview();
            this.lastJson = json;
        },

        nodeAt: function (path) {
            var node = this.root;
            if (path === '' || path === undefined || path === null)
                return node;
            var parts = String(path).split('.');
            for (var i = 0; i < parts.length; i++) {
                if (!node || node.kind !== 'group')
                    return null;
                node = node.children[parseInt(parts[i], 10)];
            }
            return node || null;
        },

        parentPath: function (path) {
            var index = path.lastIndexOf('.');
            return index < 0 ? '' : path.substring(0, index);
        },

        childIndex: function (path) {
            return parseInt(path.substring(path.lastIndexOf('.') + 1), 10);
        },

        /* ---------- rendering ---------- */

        render: function () {
            this.$container.empty().addClass('rule-builder').append(this.renderGroup(this.root, ''));
        },

        button: function (action, textKey, css, icon) {
            var $button = $('<button type="button"/>')
                .addClass('btn btn-sm ' + css)
                .attr('data-action', action)
                .attr('title', this.text(textKey))
                .attr('aria-label', this.text(textKey));
            if (icon)
                $button.append($('<i/>').addClass(icon).attr('aria-hidden', 'true'));
            else
                $button.text(this.text(textKey));
            return $button;
        },

        nodeTools: function (path) {
            var $tools = $('<span class="rb-node-tools ml-auto"/>');
            if (path === '')
                return $tools;
            $tools.append(this.button('move-up', 'MoveUp', 'btn-light rb-move-up', 'fas fa-arrow-up'));
            $tools.append(this.button('move-down', 'MoveDown', 'btn-light rb-move-down', 'fas fa-arrow-down'));
            $tools.append(this.button('remove', 'Remove', 'btn-light text-danger rb-remove', 'fas fa-trash-alt'));
            return $tools;
        },

        renderNode: function (node, path) {
            return node.kind === 'group' ? this.renderGroup(node, path) : this.renderCondition(node, path);
        },

        renderGroup: function (group, path) {
            var self = this;
            var $group = $('<div class="rb-node rb-group card card-body p-2 mb-2"/>').attr('data-path', path);

            var $match = $('<select class="form-control form-control-sm rb-match mr-2"/>')
                .append($('<option value="All"/>').text(this.text('MatchAll')))
                .append($('<option value="Any"/>').text(this.text('MatchAny')))
                .val(group.match);
            var $negate = $('<label class="rb-negate-label mb-0 mr-2"/>')
                .append($('<input type="checkbox" class="rb-negate mr-1"/>').prop('checked', group.negate))
                .append($('<span/>').text(this.text('Negate')));
            $group.append($('<div class="rb-group-header d-flex align-items-center mb-2"/>')
                .append($match, $negate, this.nodeTools(path)));
            $group.append('<div class="rb-errors"/>');

            var $children = $('<div class="rb-children"/>');
            $.each(group.children, function (index, child) {
                $children.append(self.renderNode(child, path === '' ? String(index) : path + '.' + index));
            });
            $group.append($children);
            if (path === '' && group.children.length === 0)
                $group.append($('<p class="rb-empty text-muted mb-2"/>').text(this.text('EmptyRule')));

            $group.append($('<div class="rb-group-actions"/>')
                .append(this.button('add-condition', 'AddCondition', 'btn-primary rb-add-condition mr-1').text(this.text('AddCondition')))
                .append(this.button('add-group', 'AddGroup', 'btn-secondary rb-add-group').text(this.text('AddGroup'))));
            return $group;
        },

        renderFieldSelect: function (condition) {
            var self = this;
            var $select = $('<select class="form-control form-control-sm rb-field mr-2"/>')
                .append($('<option value=""/>').text(this.text('SelectField')));
            $.each(this.categories, function (_, category) {
                var $optgroup = $('<optgroup/>').attr('label', category.name || category.key);
                $.each(category.fields || [], function (_, field) {
                    $optgroup.append($('<option/>').attr('value', field.name).attr('title', field.hint || '')
                        .text(field.label || field.name));
                });
                $select.append($optgroup);
            });
            if (condition.field && !this.fields[condition.field]) {
                //a field the catalog no longer has: kept so the rule posts unchanged and the server names the error
                $select.append($('<option/>').attr('value', condition.field)
                    .text(self.text('UnknownField') + ': ' + condition.field));
            }
            $select.val(condition.field);
            return $select;
        },

        renderOperatorSelect: function (condition, field) {
            var self = this;
            var $select = $('<select class="form-control form-control-sm rb-operator mr-2"/>');
            var operators = field ? (field.operators || []).slice() : [];
            if (condition.operator && !contains(operators, condition.operator))
                operators.push(condition.operator);
            if (!operators.length)
                $select.append($('<option value=""/>').text(this.text('SelectOperator')));
            $.each(operators, function (_, operator) {
                $select.append($('<option/>').attr('value', operator).text(self.operatorNames[operator] || operator));
            });
            $select.val(condition.operator);
            return $select;
        },

        renderCondition: function (condition, path) {
            var field = this.fields[condition.field];
            var $condition = $('<div class="rb-node rb-condition card card-body p-2 mb-2"/>').attr('data-path', path);
            var $row = $('<div class="rb-condition-row d-flex flex-wrap align-items-center"/>');

            $row.append(this.renderFieldSelect(condition));
            if (field && field.hasKey)
                $row.append(this.renderKey(condition, field));
            if (condition.field)
                $row.append(this.renderOperatorSelect(condition, field));
            if (condition.field && condition.operator)
                $row.append(this.renderValues(condition, field));

            if (field && field.hasPeriod) {
                $row.append($('<label class="rb-period-label mb-0 mr-1"/>').text(this.text('PeriodDays')));
                $row.append($('<input type="number" min="1" step="1" class="form-control form-control-sm rb-period mr-2"/>')
                    .attr('aria-label', this.text('PeriodDays'))
                    .val(condition.periodDays === undefined || condition.periodDays === null ? '' : condition.periodDays));
            }
            $row.append(this.nodeTools(path));

            $condition.append($row);
            if (field && field.hint)
                $condition.append($('<small class="rb-hint form-text text-muted"/>').text(field.hint));
            $condition.append('<div class="rb-errors"/>');
            return $condition;
        },

        /* Whether the field's key is picked from a list (the shop's customer attributes), not typed in */
        keyItems: function (field) {
            var source = field && field.hasKey && field.keySource && field.keySource !== 'none' ? field.keySource : null;
            return source ? this.fixedOptions[source] || [] : null;
        },

        /* The key of a field that takes one: a customer attribute chosen by name (its id is the key), else a typed key */
        renderKey: function (condition, field) {
            var key = condition.key === undefined || condition.key === null ? '' : String(condition.key);
            var items = this.keyItems(field);
            var label = this.text(items ? 'CustomerAttribute' : 'AttributeKey');
            var $key = $('<span class="rb-key-editor d-inline-flex align-items-center mr-2"/>')
                .append($('<label class="rb-key-label mb-0 mr-1"/>').text(label));
            if (!items) {
                return $key.append($('<input type="text" class="form-control form-control-sm rb-key rb-key-text"/>')
                    .attr('aria-label', label)
                    .val(key));
            }

            var $select = $('<select class="form-control form-control-sm rb-key rb-key-select"/>')
                .attr('aria-label', label)
                .append($('<option value=""/>').text(this.text('SelectCustomerAttribute')));
            var known = false;
            $.each(items, function (_, item) {
                $select.append($('<option/>').attr('value', String(item.id)).text(item.name));
                known = known || String(item.id) === key;
            });
            if (key !== '' && !known) {
                //an attribute deleted since the rule was saved (or a key no attribute has): kept, so the rule posts unchanged
                $select.append($('<option/>').attr('value', key).text('#' + key));
            }
            $select.val(key);
            return $key.append($select);
        },

        /* What kind of value the field takes: number, money, date, boolean, text, options or lookup */
        valueKind: function (field, operator) {
            if (!field)
                return 'text';
            if (shapeOf(operator) === 'days')
                return 'days';
            var source = field.valueSource && field.valueSource !== 'none' ? field.valueSource : null;
            if (source && this.fixedOptions[source])
                return 'options';
            if (source)
                return 'lookup';
            switch (field.dataType) {
                case 'number': return 'number';
                case 'money': return 'money';
                case 'date': return 'date';
                case 'boolean': return 'boolean';
                default: return 'text';
            }
        },

        scalarInput: function (kind, value, label) {
            var $input;
            switch (kind) {
                case 'number':
                    $input = $('<input type="number" step="any"/>');
                    break;
                case 'money':
                    $input = $('<input type="number" step="0.01"/>');
                    break;
                case 'days':
                    $input = $('<input type="number" min="0" step="1"/>');
                    break;
                case 'date':
                    $input = $('<input type="date"/>');
                    break;
                default:
                    $input = $('<input type="text"/>');
            }
            return $input.addClass('form-control form-control-sm rb-value mr-1')
                .attr('aria-label', label)
                .val(value === null || value === undefined ? '' : value);
        },

        renderValues: function (condition, field) {
            var self = this;
            var shape = shapeOf(condition.operator);
            var kind = this.valueKind(field, condition.operator);
            var $values = $('<span class="rb-values d-inline-flex flex-wrap align-items-center mr-2"/>')
                .attr('data-shape', shape).attr('data-kind', kind);

            if (shape === 'none')
                return $values;

            if (shape === 'days') {
                $values.append(this.scalarInput('days', condition.values[0], this.text('Value')));
                $values.append($('<span class="rb-days-label mr-1"/>').text(this.text('Days')));
                return $values;
            }

            if (shape === 'range') {
                $values.append($('<span class="mr-1"/>').text(this.text('From')));
                $values.append(this.scalarInput(kind, condition.values[0], this.text('From')).attr('data-index', 0));
                $values.append($('<span class="mr-1"/>').text(this.text('To')));
                $values.append(this.scalarInput(kind, condition.values[1], this.text('To')).attr('data-index', 1));
                return $values;
            }

            if (kind === 'boolean') {
                var $bool = $('<select class="form-control form-control-sm rb-value rb-boolean mr-1"/>')
                    .attr('aria-label', this.text('Value'))
                    .append($('<option value=""/>').text(''))
                    .append($('<option value="true"/>').text(this.text('Yes')))
                    .append($('<option value="false"/>').text(this.text('No')));
                $bool.val(condition.values.length ? String(condition.values[0] === true) : '');
                return $values.append($bool);
            }

            if (kind === 'options') {
                var items = this.fixedOptions[field.valueSource] || [];
                var $select = $('<select class="form-control form-control-sm rb-value rb-options mr-1"/>')
                    .attr('aria-label', this.text('Value'))
                    .append($('<option value=""/>').text(shape === 'multi' ? this.text('Value') + '...' : ''));
                $.each(items, function (index, item) {
                    $select.append($('<option/>').attr('value', index).text(item.name));
                    self.rememberName(field.valueSource, item.id, item.name);
                });
                if (shape === 'multi') {
                    $values.append(this.renderChips(condition, field.valueSource));
                } else {
                    var selected = -1;
                    $.each(items, function (index, item) {
                        if (condition.values.length && item.id === condition.values[0])
                            selected = index;
                    });
                    $select.val(selected >= 0 ? String(selected) : '');
                }
                return $values.append($select);
            }

            if (kind === 'lookup')
                return $values.append(this.renderPicker(condition, field, shape === 'multi'));

            if (shape === 'multi') {
                $values.append(this.renderChips(condition, null));
                return $values.append(this.scalarInput(kind, '', this.text('Value')).addClass('rb-free-value')
                    .attr('placeholder', this.text('Value')));
            }

            return $values.append(this.scalarInput(kind, condition.values[0], this.text('Value')));
        },

        rememberName: function (source, id, name) {
            (this.names[source] = this.names[source] || {})[String(id)] = name;
        },

        nameOf: function (source, id) {
            var names = source ? this.names[source] : null;
            var name = names ? names[String(id)] : undefined;
            return name === undefined ? (source ? '#' + id : String(id)) : name;
        },

        renderChips: function (condition, source) {
            var self = this;
            var $chips = $('<span class="rb-chips d-inline-flex flex-wrap"/>');
            $.each(condition.values, function (index, value) {
                var $chip = $('<span class="rb-chip badge badge-info mr-1 mb-1"/>')
                    .attr('data-index', index)
                    .attr('data-value', JSON.stringify(value));
                $chip.append($('<span class="rb-chip-name"/>').text(self.nameOf(source, value)));
                $chip.append($('<button type="button" class="btn btn-link btn-sm p-0 ml-1 text-white rb-chip-remove"/>')
                    .attr('data-action', 'remove-value').attr('aria-label', self.text('Remove')).text('\u00d7'));
                $chips.append($chip);
            });
            return $chips;
        },

        renderPicker: function (condition, field, multiple) {
            var $picker = $('<span class="rb-picker position-relative d-inline-flex flex-wrap align-items-center"/>')
                .attr('data-source', field.valueSource)
                .attr('data-multiple', multiple ? 'true' : 'false');
            $picker.append(this.renderChips(condition, field.valueSource));
            var $search = $('<input type="text" autocomplete="off" class="form-control form-control-sm rb-picker-search mr-1"/>')
                .attr('placeholder', this.text('Search')).attr('aria-label', this.text('Search'));
            if (this.needsKeyFirst(condition, field)) {
                //an attribute's options are searched within the attribute: none to search until it is chosen
                $search.prop('disabled', true).attr('placeholder', this.text('SelectCustomerAttribute'));
            }
            $picker.append($search);
            $picker.append('<div class="rb-picker-results dropdown-menu"/>');
            return $picker;
        },

        /* Whether the values are searched within the key (a customer attribute's options) and no key is chosen yet */
        needsKeyFirst: function (condition, field) {
            return !!field && field.valueSource === 'customerAttributeValues' && field.hasKey && !(toInteger(condition.key) > 0);
        },

        /* Re-draws one condition in place (after its field or operator changed) */
        redrawCondition: function (path) {
            var $old = this.elementAt(path);
            var $new = this.renderCondition(this.nodeAt(path), path);
            $old.replaceWith($new);
            return $new;
        },

        elementAt: function (path) {
            return this.$container.find('.rb-node').filter(function () {
                return $(this).attr('data-path') === path;
            }).first();
        },

        /* ---------- errors ---------- */

        showErrors: function (errors) {
            var self = this;
            this.$container.find('.rb-errors').empty();
            this.$container.find('.rb-node').removeClass('rb-has-error');
            $.each(errors || [], function (_, error) {
                var path = error.path !== undefined ? error.path : error.Path;
                var message = error.message !== undefined ? error.message : error.Message;
                var $node = self.elementAt(path === null || path === undefined ? '' : String(path));
                if (!$node.length)
                    $node = self.elementAt('');
                $node.addClass('rb-has-error');
                $node.children('.rb-errors').append(
                    $('<div class="rb-error text-danger small"/>').text(message === undefined ? '' : message));
            });
        },

        /* ---------- events ---------- */

        bindEvents: function () {
            var self = this;
            var $c = this.$container;

            $c.on('click', '[data-action]', function (event) {
                event.preventDefault();
                self.onAction($(this));
            });

            $c.on('change', '.rb-match', function () {
                self.nodeAt(self.pathOf(this)).match = $(this).val() === 'Any' ? 'Any' : 'All';
                self.sync();
            });
            $c.on('change', '.rb-negate', function () {
                self.nodeAt(self.pathOf(this)).negate = $(this).is(':checked');
                self.sync();
            });
            $c.on('change', '.rb-field', function () {
                self.onFieldChanged(self.pathOf(this), $(this).val());
            });
            $c.on('change', '.rb-operator', function () {
                self.onOperatorChanged(self.pathOf(this), $(this).val());
            });
            $c.on('input change', '.rb-values input.rb-value:not(.rb-free-value), .rb-values select.rb-boolean', function () {
                self.onScalarChanged(self.pathOf(this), $(this).closest('.rb-values'));
            });
            $c.on('change', '.rb-values select.rb-options', function () {
                self.onOptionChosen(self.pathOf(this), $(this));
            });
            $c.on('keydown', '.rb-free-value', function (event) {
                if (event.key === 'Enter') {
                    event.preventDefault();
                    self.onFreeValueAdded(self.pathOf(this), $(this));
                }
            });
            $c.on('change', '.rb-free-value', function () {
                self.onFreeValueAdded(self.pathOf(this), $(this));
            });
            $c.on('input change', '.rb-period', function () {
                var condition = self.nodeAt(self.pathOf(this));
                var days = toInteger($(this).val());
                if (days === null)
                    delete condition.periodDays;
                else
                    condition.periodDays = days;
                self.sync();
            });
            $c.on('input change', '.rb-key-text', function () {
                var condition = self.nodeAt(self.pathOf(this));
                var key = $(this).val();
                if (key === '')
                    delete condition.key;
                else
                    condition.key = key;
                self.sync();
            });
            $c.on('change', '.rb-key-select', function () {
                self.onKeyChosen(self.pathOf(this), $(this).val());
            });

            $c.on('input', '.rb-picker-search', function () {
                self.scheduleLookup($(this).closest('.rb-picker'), 0);
            });
            $c.on('focus', '.rb-picker-search', function () {
                self.scheduleLookup($(this).closest('.rb-picker'), 0);
            });
            $c.on('keydown', '.rb-picker-search', function (event) {
                if (event.key === 'Escape')
                    $(this).closest('.rb-picker').find('.rb-picker-results').removeClass('show').empty();
                if (event.key === 'Enter')
                    event.preventDefault();
            });
            $(window.document).on('mousedown', function (event) {
                $c.find('.rb-picker').each(function () {
                    if (!$.contains(this, event.target))
                        $(this).find('.rb-picker-results').removeClass('show').empty();
                });
            });

            this.$previewButton.on('click', function (event) {
                event.preventDefault();
                self.preview();
            });
            this.$storeInput.on('change', function () {
                self.schedulePreview();
            });
            this.$ruleInput.closest('form').on('submit', function () {
                self.$ruleInput.val(self.getJson());
            });
        },

        pathOf: function (element) {
            return $(element).closest('.rb-node').attr('data-path');
        },

        onAction: function ($button) {
            var action = $button.attr('data-action');
            var path = this.pathOf($button);
            var node = this.nodeAt(path);

            switch (action) {
                case 'add-condition':
                    node.children.push(newCondition());
                    break;
                case 'add-group':
                    var group = newGroup();
                    group.children.push(newCondition());
                    node.children.push(group);
                    break;
                case 'remove':
                case 'move-up':
                case 'move-down':
                    var siblings = this.nodeAt(this.parentPath(path)).children;
                    var index = this.childIndex(path);
                    if (action === 'remove')
                        siblings.splice(index, 1);
                    else {
                        var target = action === 'move-up' ? index - 1 : index + 1;
                        if (target < 0 || target >= siblings.length)
                            return;
                        siblings.splice(target, 0, siblings.splice(index, 1)[0]);
                    }
                    break;
                case 'remove-value':
                    node.values.splice(parseInt($button.closest('.rb-chip').attr('data-index'), 10), 1);
                    this.redrawCondition(path);
                    this.sync();
                    return;
                case 'lookup-more':
                    this.lookup($button.closest('.rb-picker'), parseInt($button.attr('data-page'), 10));
                    return;
                case 'lookup-pick':
                    this.onLookupPicked(path, $button);
                    return;
                default:
                    return;
            }
            //the tree changed shape: paths moved, so old error marks no longer point at the right nodes
            this.render();
            this.sync();
        },

        onFieldChanged: function (path, fieldName) {
            var condition = this.nodeAt(path);
            var field = this.fields[fieldName];
            condition.field = fieldName || '';
            condition.values = [];
            delete condition.periodDays;
            delete condition.key;
            var operators = field ? field.operators || [] : [];
            if (!contains(operators, condition.operator))
                condition.operator = operators.length ? operators[0] : '';
            this.redrawCondition(path).find('.rb-field').trigger('focus');
            this.sync();
        },

        /* A customer attribute chosen: its id is the key; options picked from another attribute are not this one's */
        onKeyChosen: function (path, key) {
            var condition = this.nodeAt(path);
            var field = this.fields[condition.field];
            var before = condition.key === undefined || condition.key === null ? '' : String(condition.key);
            if (key === before)
                return;
            if (key === '' || key === null || key === undefined)
                delete condition.key;
            else
                condition.key = key;
            if (field && field.valueSource === 'customerAttributeValues')
                condition.values = [];
            this.redrawCondition(path).find('.rb-key').trigger('focus');
            this.sync();
        },

        onOperatorChanged: function (path, operator) {
            var condition = this.nodeAt(path);
            var field = this.fields[condition.field];
            var before = shapeOf(condition.operator), after = shapeOf(operator);
            var kindBefore = this.valueKind(field, condition.operator), kindAfter = this.valueKind(field, operator);
            condition.operator = operator;
            if (kindBefore !== kindAfter || after === 'none')
                condition.values = [];
            else if (after === 'single' || after === 'days')
                condition.values = condition.values.length && before !== 'range' ? [condition.values[0]] : [];
            else if (after === 'range' && before !== 'range')
                condition.values = [];
            this.redrawCondition(path).find('.rb-operator').trigger('focus');
            this.sync();
        },

        parseScalar: function (kind, text) {
            switch (kind) {
                case 'number':
                case 'money':
                    return toNumber(text);
                case 'days':
                    return toInteger(text);
                case 'boolean':
                    return text === 'true' ? true : text === 'false' ? false : null;
                default:
                    return text === '' ? null : text;
            }
        },

        onScalarChanged: function (path, $values) {
            var self = this;
            var condition = this.nodeAt(path);
            var kind = $values.attr('data-kind');
            var parsed = $values.find('.rb-value').map(function () {
                return { value: self.parseScalar(kind, $(this).val()) };
            }).get();

            if ($values.attr('data-shape') === 'range') {
                var from = parsed[0].value, to = parsed[1].value;
                //positions matter in a range: a missing end stays a null the server reports
                condition.values = from === null && to === null ? [] : [from, to];
            } else {
                condition.values = parsed.length && parsed[0].value !== null ? [parsed[0].value] : [];
            }
            this.sync();
        },

        onOptionChosen: function (path, $select) {
            var condition = this.nodeAt(path);
            var field = this.fields[condition.field];
            var items = this.fixedOptions[field.valueSource] || [];
            var index = $select.val();
            var item = index === '' ? null : items[parseInt(index, 10)];
            if (shapeOf(condition.operator) === 'multi') {
                if (item && !this.hasValue(condition, item.id))
                    condition.values.push(item.id);
                this.redrawCondition(path).find('.rb-options').trigger('focus');
            } else {
                condition.values = item ? [item.id] : [];
            }
            this.sync();
        },

        onFreeValueAdded: function (path, $input) {
            var condition = this.nodeAt(path);
            var kind = $input.closest('.rb-values').attr('data-kind');
            var value = this.parseScalar(kind, String($input.val()).trim());
            //texts compare without regard to capitals on the server: "Berlin" and "berlin" are one value
            var duplicate = kind === 'text' && value !== null
                ? condition.values.some(function (existing) { return String(existing).toLowerCase() === value.toLowerCase(); })
                : this.hasValue(condition, value);
            if (value === null || duplicate) {
                $input.val('');
                return;
            }
            condition.values.push(value);
            this.redrawCondition(path).find('.rb-free-value').trigger('focus');
            this.sync();
        },

        hasValue: function (condition, value) {
            for (var i = 0; i < condition.values.length; i++) {
                if (condition.values[i] === value)
                    return true;
            }
            return false;
        },

        /* ---------- value lookups ---------- */

        lookupQuery: function (params) {
            var url = this.lookupUrl || '';
            return url + (url.indexOf('?') >= 0 ? '&' : '?') + $.param(params);
        },

        /* The list the search narrows: a state's country, a customer attribute's values */
        parentIdFor: function (path, source) {
            var condition = this.nodeAt(path);
            var field = this.fields[condition.field];
            if (source === 'customerAttributeValues' && field && field.hasKey)
                return toInteger(condition.key) || 0;
            if (source === 'stateProvinces') {
                var self = this, parentId = 0;
                var group = this.nodeAt(this.parentPath(path));
                $.each(group ? group.children : [], function (_, sibling) {
                    var siblingField = sibling.kind === 'condition' ? self.fields[sibling.field] : null;
                    if (siblingField && siblingField.valueSource === 'countries' && sibling.values.length === 1
                        && contains(['eq', 'in', 'anyOf'], sibling.operator))
                        parentId = sibling.values[0];
                });
                return parentId;
            }
            return 0;
        },

        scheduleLookup: function ($picker, page) {
            var self = this;
            window.clearTimeout($picker.data('lookupTimer'));
            $picker.data('lookupTimer', window.setTimeout(function () {
                self.lookup($picker, page);
            }, this.lookupDelay));
        },

        lookup: function ($picker, page) {
            var self = this;
            var path = this.pathOf($picker);
            var source = $picker.attr('data-source');
            var term = $picker.find('.rb-picker-search').val();
            var sequence = ($picker.data('lookupSequence') || 0) + 1;
            $picker.data('lookupSequence', sequence);
            var condition = this.nodeAt(path);
            if (this.needsKeyFirst(condition, this.fields[condition.field]))
                return;

            $.ajax({
                url: this.lookupQuery({ source: source, search: term, parentId: this.parentIdFor(path, source), page: page }),
                type: 'GET',
                dataType: 'json',
                cache: false
            }).done(function (response) {
                if ($picker.data('lookupSequence') !== sequence || !$.contains(window.document, $picker[0]))
                    return;
                self.showLookupResults($picker, response || {}, page);
            });
        },

        showLookupResults: function ($picker, response, page) {
            var self = this;
            var source = $picker.attr('data-source');
            var $results = $picker.find('.rb-picker-results');
            if (page === 0)
                $results.empty();
            $results.find('.rb-picker-more').remove();

            var items = response.items || [];
            $.each(items, function (_, item) {
                self.rememberName(source, item.id, item.name);
                $results.append($('<button type="button" class="dropdown-item rb-picker-item"/>')
                    .attr('data-action', 'lookup-pick')
                    .attr('data-id', JSON.stringify(item.id))
                    .text(item.name));
            });
            if (page === 0 && !items.length)
                $results.append($('<span class="dropdown-item-text text-muted rb-picker-none"/>').text(this.text('NoResults')));
            if (response.more) {
                $results.append($('<button type="button" class="dropdown-item rb-picker-more"/>')
                    .attr('data-action', 'lookup-more').attr('data-page', page + 1).text(this.text('LoadMore')));
            }
            $results.addClass('show');
        },

        onLookupPicked: function (path, $item) {
            var condition = this.nodeAt(path);
            var id = JSON.parse($item.attr('data-id'));
            var multiple = $item.closest('.rb-picker').attr('data-multiple') === 'true';
            if (multiple) {
                if (!this.hasValue(condition, id))
                    condition.values.push(id);
            } else {
                condition.values = [id];
            }
            var $condition = this.redrawCondition(path);
            if (multiple)
                $condition.find('.rb-picker-search').trigger('focus');
            this.sync();
        },

        /* Chips of a saved rule show ids until the names arrive, one request a list */
        loadNamesOfSavedValues: function () {
            var self = this;
            var wanted = {};
            (function collect(node) {
                if (node.kind === 'group') {
                    $.each(node.children, function (_, child) { collect(child); });
                    return;
                }
                var field = self.fields[node.field];
                if (!field || self.valueKind(field, node.operator) !== 'lookup')
                    return;
                wanted[field.valueSource] = (wanted[field.valueSource] || []).concat(node.values);
            })(this.root);

            $.each(wanted, function (source, ids) {
                if (!ids.length || !self.lookupUrl)
                    return;
                $.ajax({
                    url: self.lookupQuery({ source: source, ids: ids.join(',') }),
                    type: 'GET',
                    dataType: 'json',
                    cache: false
                }).done(function (response) {
                    $.each((response && response.items) || [], function (_, item) {
                        self.rememberName(source, item.id, item.name);
                    });
                    self.$container.find('.rb-picker').filter(function () {
                        return $(this).attr('data-source') === source;
                    }).find('.rb-chip').each(function () {
                        var value = JSON.parse($(this).attr('data-value'));
                        $(this).find('.rb-chip-name').text(self.nameOf(source, value));
                    });
                });
            });
        },

        /* ---------- preview ---------- */

        schedulePreview: function () {
            var self = this;
            if (!this.previewUrl)
                return;
            window.clearTimeout(this.previewTimer);
            this.previewTimer = window.setTimeout(function () {
                self.previewTimer = null;
                self.preview();
            }, this.previewDelay);
        },

        antiForgeryToken: function () {
            var $token = this.$ruleInput.closest('form').find('input[name="__RequestVerificationToken"]');
            if (!$token.length)
                $token = $('input[name="__RequestVerificationToken"]');
            return $token.first().val();
        },

        preview: function () {
            var self = this;
            if (!this.previewUrl)
                return null;
            window.clearTimeout(this.previewTimer);
            this.previewTimer = null;

            var sequence = ++this.previewSequence;
            var data = {
                ruleJson: this.getJson(),
                segmentId: this.segmentId,
                storeId: this.$storeInput.val() || 0
            };
            var token = this.antiForgeryToken();
            if (token)
                data.__RequestVerificationToken = token;

            this.$previewResult.empty().append($('<span class="text-muted rb-previewing"/>').text(this.text('Previewing')));
            return $.ajax({
                url: this.previewUrl,
                type: 'POST',
                data: data,
                dataType: 'json'
            }).done(function (response) {
                if (sequence === self.previewSequence)
                    self.showPreview(response || {});
            }).fail(function () {
                if (sequence === self.previewSequence)
                    self.showPreviewMessage(self.text('Preview.Failed'), 'text-danger');
            });
        },

        showPreviewMessage: function (message, css) {
            this.$previewResult.empty().append($('<p class="rb-preview-message mb-1"/>').addClass(css).text(message));
        },

        showPreview: function (response) {
            var self = this;
            if (response.success) {
                this.showErrors([]);
                var count = Number(response.count) || 0;
                this.showPreviewMessage(count === 0
                    ? this.text('Preview.Empty')
                    : this.text('Preview.Count').replace('{0}', count.toLocaleString()), 'text-success');
                var $members = $('<ul class="rb-preview-members list-unstyled mb-0"/>');
                $.each(response.members || [], function (_, member) {
                    var $item = $('<li/>');
                    var url = String(member.url || '');
                    if (/^(\/(?!\/)|https?:\/\/)/i.test(url))
                        $item.append($('<a target="_blank" rel="noopener"/>').attr('href', url).text(member.email || ('#' + member.id)));
                    else
                        $item.text(member.email || ('#' + member.id));
                    $members.append($item);
                });
                this.$previewResult.append($members);
                return;
            }
            if (response.timedOut) {
                this.showPreviewMessage(response.message || this.text('Preview.TimedOut'), 'text-warning');
                return;
            }
            var errors = response.errors || [];
            this.showErrors(errors);
            this.showPreviewMessage(this.text('ErrorsSummary'), 'text-danger');
            var $list = $('<ul class="rb-preview-errors text-danger mb-0"/>');
            $.each(errors, function (_, error) {
                $list.append($('<li/>').text(error.message !== undefined ? error.message : error.Message));
            });
            this.$previewResult.append($list);
        }
    };

    var api = {
        init: function (container, options) {
            var $container = $(container).first();
            var builder = $container.data('ruleBuilder');
            if (!builder) {
                builder = new RuleBuilder($container, options);
                $container.data('ruleBuilder', builder);
            }
            return builder;
        },
        RuleBuilder: RuleBuilder
    };
    window.CustomerSegmentsRuleBuilder = api;

    $(function () {
        $('#segment-rule-builder').each(function () {
            api.init(this);
        });
    });
})(jQuery, window);
