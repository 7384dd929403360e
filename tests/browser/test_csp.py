"""
The Content Security Policy (``script-src 'self'; style-src 'self'``: no inline script or
style, archive/settings.py) breaks nothing, in Chromium: every public page type, the admin
(sign-in, index, change list, change and add forms with inlines, the autocomplete boxes,
the action, merge and import confirmation pages) and the API's Swagger UI run without a single
violation and still work.

Violations are caught as the browser reports them: ``securitypolicyviolation`` events, watched
from an init script that runs before any page script, and the console's "Refused to…" lines.
"""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from catalog.models import Collection, Document, Person, Repository
from tests.browser.test_journeys import log_in
from tests.factories import CollectionFactory
from tests.site_pages import load_demo_site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.effectiveDirective} refused ${event.blockedURI || "inline"} ` +
    `(${event.sourceFile || location.pathname}:${event.lineNumber})`
  );
});
"""


class Watched:
    """A page whose CSP violations, reported by events or on the console, are collected."""

    def __init__(self, page):
        self.page = page
        self.console = []
        page.on("console", self._console)

    def _console(self, message):
        if "Content Security Policy" in message.text:
            self.console.append(message.text)

    def goto(self, url):
        """Open ``url``; the response must carry the policy (else "no violation" means little)."""
        response = self.page.goto(url)
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy and "style-src 'self'" in policy, (url, policy)
        return response

    def violations(self):
        """The violations since the last call (the page's own list goes with each load)."""
        self.page.wait_for_load_state("load")
        found = self.page.evaluate("window.__cspViolations.splice(0)") + self.console
        self.console = []
        return found


@pytest.fixture
def watched(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(WATCH_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield Watched(page)
    context.close()


def test_an_inline_script_is_refused_and_reported(watched, live_server):
    """The policy is enforced and the watch sees it: an inline script does not run, an inline
    style is refused, and both are reported."""
    watched.goto(f"{live_server.url}/archives/")
    watched.page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.inlineRan = true";
          document.head.appendChild(script);
        }"""
    )
    watched.page.evaluate(
        """() => {
          const style = document.createElement("style");
          style.textContent = "body { color: red; }";
          document.head.appendChild(style);
        }"""
    )
    found = []
    for _ in range(50):  # the events come a moment later (no wait_for_function: it evals)
        found += watched.violations()
        if {v[:9] for v in found} >= {"script-sr", "style-src"}:
            break
        watched.page.wait_for_timeout(100)
    assert watched.page.evaluate("window.inlineRan") is None
    assert any(v.startswith("script-src") for v in found), found
    assert any(v.startswith("style-src") for v in found), found


def test_every_public_page_type_runs_without_a_violation(watched, live_server):
    """Home, lists, search, facets, records (with their JSON-LD), people, collections,
    archives, dates, the date histogram and the 404 page: no violation."""
    failures = {}
    for name, path in load_demo_site().items():
        watched.goto(live_server.url + path)
        if found := watched.violations():
            failures[f"{name} ({path})"] = found
        if name == "record":
            # The JSON-LD block is data, not script: still there and still readable.
            data = watched.page.evaluate(
                "JSON.parse(document.querySelector('script[type=\"application/ld+json\"]')"
                ".textContent)"
            )
            assert data["@context"]
        if name == "document list":
            # The histogram's bars take their height from classes, not style attributes.
            heights = watched.page.eval_on_selector_all(
                ".histogram-fill", "bars => bars.map(bar => bar.getBoundingClientRect().height)"
            )
            assert heights and max(heights) > 20, heights
    assert failures == {}, failures


def test_the_admin_and_the_api_docs_work_without_a_violation(watched, live_server, editor):
    """Sign-in, index, change lists, forms with inlines and autocomplete, the action, merge
    and import confirmation pages, the history page and Swagger UI: no violation, and the
    scripts on them still do their work."""
    call_command("loaddata", "fixtures/seed.json", verbosity=0)
    base = live_server.url
    page = watched.page
    failures = {}

    def check(name):
        if found := watched.violations():
            failures[name] = found

    watched.goto(f"{base}/admin/login/")
    check("login")
    log_in(page, base, "editor")
    check("index")

    document = Document.objects.get(record_id=1)
    for name, path in {
        "document list": "/admin/catalog/document/",
        "document": f"/admin/catalog/document/{document.pk}/change/",
        "document history": f"/admin/catalog/document/{document.pk}/history/",
        "people": "/admin/catalog/person/",
        "import batches": "/admin/catalog/importbatch/",
    }.items():
        watched.goto(base + path)
        check(name)

    # The collection list indents a series under its fonds, by class, not style attribute.
    fonds = Collection.objects.order_by("pk").first()
    CollectionFactory(title="Moscow Files", parent=fonds)
    watched.goto(f"{base}/admin/catalog/collection/")
    series = page.locator(".field-indented_title span", has_text="Moscow Files")
    assert float(series.evaluate("s => parseFloat(getComputedStyle(s).paddingLeft)")) > 10
    check("collections (a tree)")

    # The add form: inlines gain a row, the autocomplete box opens and offers the archive.
    watched.goto(f"{base}/admin/catalog/document/add/")
    rows = page.locator("#person_links-group tr.form-row:not(.empty-form)")
    before = rows.count()
    page.locator("#person_links-group .add-row a").click()
    expect(rows).to_have_count(before + 1)
    archive = Repository.objects.get(pk=document.repository_id)
    page.locator("#id_repository + .select2 .select2-selection").click()
    page.keyboard.type(archive.name.split()[0])
    expect(page.locator(".select2-results__option", has_text=archive.name).first).to_be_visible()
    check("document, new (inline row added, autocomplete open)")

    # An action's confirmation page.
    watched.goto(f"{base}/admin/catalog/document/")
    page.locator(f"input[name=_selected_action][value='{document.pk}']").check()
    page.select_option("select[name=action]", "add_to_collection")
    page.get_by_role("button", name="Go").click()
    expect(page.locator("#content")).to_contain_text(document.title)
    check("add to a collection: confirmation")

    # The merge page for two people.
    people = list(Person.objects.order_by("pk")[:2])
    watched.goto(f"{base}/admin/catalog/person/")
    for person in people:
        page.locator(f"input[name=_selected_action][value='{person.pk}']").check()
    page.select_option("select[name=action]", "merge_people")
    page.get_by_role("button", name="Go").click()
    expect(page.locator("#content")).to_contain_text(people[1].display_name)
    check("merge people: confirmation")

    # An import: upload, then the preview.
    watched.goto(f"{base}/admin/catalog/importbatch/add/")
    page.set_input_files("input[type=file]", "tests/import_samples/documents.csv")
    page.locator("#content-main form [type=submit]").first.click()
    expect(page.locator("#content")).to_contain_text("documents.csv")
    check("import: preview")

    # Swagger UI draws the API's operations.
    watched.goto(f"{base}/api/docs/")
    expect(page.locator(".opblock").first).to_be_visible(timeout=60_000)
    check("API docs")

    assert failures == {}, failures
