"""
Every public page type, on the demo data, in Chromium: accessible (axe-core, WCAG 2.1 A and
AA), usable at 360 px and 1440 px without sideways scrolling (screenshots of both are written
for review), printable, light (CSS and JavaScript under 60 KB, nothing fetched from another
origin) and quick to reach DOMContentLoaded (measured and reported, not a gate).  The site
without JavaScript is walked in test_research_journeys.py.

The screenshots, the record page's print PDF and the page-speed report go to build/browser/.
"""

import statistics
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.checkers import ARTIFACTS, axe_violations, require_axe
from tests.site_pages import load_demo_site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"phone": 360, "desktop": 1440}
ASSET_BUDGET = 60 * 1024  # CSS and JavaScript together, uncompressed
SPEED_RUNS = 5


@pytest.fixture
def site(live_server):
    """The demo data behind the live server; ``{page type: absolute URL}``."""
    return {name: live_server.url + path for name, path in load_demo_site().items()}


def expected_status(name):
    return 404 if name == "not found" else 200


def file_name(name):
    return name.replace(" ", "-").replace(",", "")


def test_every_public_page_type_passes_axe_at_both_widths(browser, site):
    require_axe()
    failures = {}
    for width in WIDTHS.values():
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        for name, url in site.items():
            response = page.goto(url)
            assert response.status == expected_status(name), url
            violations = axe_violations(page)
            if violations:
                failures[f"{name} at {width}px ({url})"] = violations
        context.close()
    assert failures == {}, "\n".join(f"{k}:\n  " + "\n  ".join(v) for k, v in failures.items())


def test_every_page_type_fits_both_widths_and_is_screenshotted(browser, site):
    """No sideways scrolling at 360 or 1440 px; a full-page screenshot of each for review."""
    overflowing = {}
    for width in WIDTHS.values():
        folder = ARTIFACTS / "screenshots" / f"{width}px"
        folder.mkdir(parents=True, exist_ok=True)
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        for name, url in site.items():
            page.goto(url)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if overflow > 0:
                overflowing[f"{name} at {width}px"] = f"{overflow}px too wide"
            page.screenshot(path=folder / f"{file_name(name)}.png", full_page=True)
        context.close()
    assert overflowing == {}


def test_facets_collapse_on_a_phone_and_stay_open_on_a_wide_screen(browser, site):
    url = site["search"]
    phone = browser.new_context(viewport={"width": 360, "height": 800}).new_page()
    phone.goto(url)
    toggle = phone.locator(".refine-panel > summary")
    expect(toggle).to_be_visible()
    expect(toggle).to_contain_text("Narrow down")
    people = phone.get_by_role("heading", name="People", exact=True)
    expect(people).to_be_hidden()
    # Folded, the panel is one line above the results, which start on the first screen.
    assert phone.locator(".results").bounding_box()["y"] < 800
    toggle.click()
    expect(people).to_be_visible()
    expect(phone.get_by_label("Type", exact=True)).to_be_visible()
    phone.context.close()

    wide = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    wide.goto(url)
    expect(wide.locator(".refine-panel > summary")).to_be_hidden()
    expect(wide.get_by_role("heading", name="People", exact=True)).to_be_visible()
    expect(wide.get_by_label("Type", exact=True)).to_be_visible()
    wide.context.close()


def test_pages_fetch_nothing_from_another_origin_and_stay_under_the_asset_budget(browser, site):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    origin = urlsplit(site["home"]).netloc
    foreign, assets = [], {}

    def seen(response):
        url = response.url
        if urlsplit(url).netloc != origin:
            foreign.append(url)
        elif response.request.resource_type in {"stylesheet", "script"}:
            assets[urlsplit(url).path] = len(response.body())

    page.on("response", seen)
    for url in site.values():
        page.goto(url)
        page.wait_for_load_state("load")
    context.close()
    assert foreign == []
    assert assets, "no stylesheet was loaded"
    total = sum(assets.values())
    assert total < ASSET_BUDGET, f"CSS and JavaScript weigh {total} bytes: {assets}"


def test_transcripts_keep_a_readable_measure_and_their_language(browser, site):
    """About 65–75 characters a line in a long transcript; German marked as German."""
    page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    page.goto(site["record"])
    per_line = page.evaluate(
        """() => {
          const paragraphs = [...document.querySelectorAll('.transcript-text p')]
            .filter(p => p.textContent.length > 400);
          const p = paragraphs[0];
          const range = document.createRange();
          range.selectNodeContents(p);
          const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
          return p.textContent.length / tops.size;
        }"""
    )
    assert 60 <= per_line <= 78, f"{per_line:.0f} characters a line"
    page.goto(site["record in German"])
    expect(page.locator(".transcript-text")).to_have_attribute("lang", "de")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.context.close()


def test_the_record_page_prints_as_a_clean_sheet(browser, site):
    page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    page.goto(site["record"])
    permalink = page.locator("link[rel=canonical]").get_attribute("href")
    page.emulate_media(media="print")
    for hidden in ("header.site-header", "footer.site-footer", "nav.breadcrumbs", ".skip-link"):
        expect(page.locator(hidden)).to_be_hidden()
    for kept in ("Transcript", "Document information", "Cite this document"):
        expect(page.get_by_role("heading", name=kept)).to_be_visible()
    expect(page.locator(".record-info").get_by_text("Rights", exact=True)).to_be_visible()
    expect(page.locator(".record-info").get_by_text("Custody chain")).to_be_visible()
    printed = page.locator(".print-permalink")
    expect(printed).to_be_visible()
    expect(printed).to_contain_text(permalink)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.pdf(path=ARTIFACTS / "record-print.pdf", format="A4")
    page.context.close()


def test_page_speed_on_the_demo_data_is_reported(browser, site):
    """DOMContentLoaded per page type on loopback: written to build/browser/page-speed.txt."""
    page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    rows = []
    for name, url in site.items():
        times = []
        for _ in range(SPEED_RUNS):
            page.goto(url)
            times.append(
                page.evaluate(
                    "performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd"
                )
            )
        rows.append((name, statistics.median(times), max(times)))
    page.context.close()
    width = max(len(name) for name, _, _ in rows)
    lines = [f"{'page type':<{width}}  median ms  max ms (DOMContentLoaded, {SPEED_RUNS} loads)"]
    lines += [f"{name:<{width}}  {median:9.0f}  {top:6.0f}" for name, median, top in rows]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "page-speed.txt").write_text("\n".join(lines) + "\n")
    assert all(median > 0 for _, median, _ in rows)
