/*
 * Names the admin's autocomplete boxes for assistive technology.  Django's autocomplete
 * widget replaces a <select> with select2, whose combobox is labelled only by the value it
 * shows (nothing when empty) and whose search box has no label at all.  This gives both the
 * name of the field: its <label>, or the aria-label a tabular inline puts on the <select>.
 * It also moves select2's "clear" control out of the list of chosen values, which may hold
 * only list items.  select2 redraws these parts on every change, so a MutationObserver keeps
 * the repairs in place, for rows added to an inline too.
 */
'use strict';
{
    let counter = 0;

    function fieldName(select) {
        if (select.getAttribute('aria-label')) {
            return select.getAttribute('aria-label');
        }
        const label = select.id && document.querySelector(`label[for="${select.id}"]`);
        return label ? label.textContent.replace(/:\s*$/, '').trim() : '';
    }

    function repair(container, select) {
        const name = fieldName(select);
        const combobox = container.querySelector('.select2-selection');
        if (combobox && name && combobox.getAttribute('aria-label') !== name) {
            combobox.id = combobox.id || `select2-combobox-${++counter}`;
            combobox.setAttribute('aria-label', name);
            const shown = container.querySelector('.select2-selection__rendered[id]');
            combobox.setAttribute(
                'aria-labelledby', shown ? `${combobox.id} ${shown.id}` : combobox.id
            );
        }
        const parts = '.select2-search__field, .select2-selection__rendered[role="textbox"]';
        container.querySelectorAll(parts).forEach((field) => {
            if (field.getAttribute('aria-label') !== name) {
                field.setAttribute('aria-label', name);
            }
        });
        container.querySelectorAll('ul.select2-selection__rendered > :not(li)').forEach((stray) => {
            stray.parentElement.before(stray);
        });
    }

    function watch(root) {
        root.querySelectorAll('select.admin-autocomplete').forEach((select) => {
            const container = select.nextElementSibling;
            if (!container || !container.classList.contains('select2') || container.dataset.named) {
                return;
            }
            container.dataset.named = 'true';
            repair(container, select);
            new MutationObserver(() => repair(container, select)).observe(
                container, {childList: true, subtree: true}
            );
        });
    }

    // After every ready handler, Django's autocomplete set-up included (it is loaded later).
    document.addEventListener('DOMContentLoaded', () => setTimeout(() => watch(document)));
    window.addEventListener('load', () => watch(document));
    document.addEventListener('formset:added', (event) => watch(event.target));
}
