"""
The admin pages the project customises pass axe-core's WCAG 2.1 A and AA rules in Chromium:
the login, the catalogue's change lists (columns, filters, date hierarchy, actions), its
change forms (fieldsets, inlines placed after their sections, autocomplete widgets), the
history pages and the import pages.
"""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from catalog.models import Collection, Document, Person, Repository
from tests.browser.test_journeys import log_in
from tests.checkers import axe_violations, require_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def admin_pages():
    """``{page: path}``: every customised admin page, on the seed telegram's records."""
    document = Document.objects.get(record_id=1)
    person = Person.objects.filter(document_links__document=document).first()
    collection = Collection.objects.filter(documents=document).first()
    repository = Repository.objects.get(pk=document.repository_id)
    return {
        "index": "/admin/",
        "document list": "/admin/catalog/document/",
        "document list, filtered": "/admin/catalog/document/?status__exact=published&q=Stalin",
        "document, new": "/admin/catalog/document/add/",
        "document": f"/admin/catalog/document/{document.pk}/change/",
        "document history": f"/admin/catalog/document/{document.pk}/history/",
        "people": "/admin/catalog/person/",
        "person": f"/admin/catalog/person/{person.pk}/change/",
        "collections": "/admin/catalog/collection/",
        "collection": f"/admin/catalog/collection/{collection.pk}/change/",
        "archive": f"/admin/catalog/repository/{repository.pk}/change/",
        "rights statements": "/admin/catalog/rightsstatement/",
        "import batches": "/admin/catalog/importbatch/",
        "import documents": "/admin/catalog/importbatch/add/",
        "person history": f"/admin/catalog/person/{person.pk}/history/",
    }


def test_customised_admin_pages_pass_axe(page, live_server, editor):
    require_axe()
    call_command("loaddata", "fixtures/seed.json", verbosity=0)
    page.goto(f"{live_server.url}/admin/login/")
    failures = {}
    violations = axe_violations(page)
    if violations:
        failures["login"] = violations
    log_in(page, live_server.url, "editor")
    for name, path in admin_pages().items():
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        # static/js/admin-a11y.js names each autocomplete box once select2 has drawn it.
        # (Polled by locators: wait_for_function evaluates a string, which the site's
        # Content Security Policy refuses.)
        boxes = "select.admin-autocomplete:not([name*=__prefix__])"
        expect(page.locator(f"{boxes} + [data-named]")).to_have_count(page.locator(boxes).count())
        violations = axe_violations(page)
        if violations:
            failures[f"{name} ({path})"] = violations
    assert failures == {}, "\n".join(f"{k}:\n  " + "\n  ".join(v) for k, v in failures.items())
