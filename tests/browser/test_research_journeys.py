"""
A researcher's journeys through the public site, in Debian's Chromium: searching and narrowing
the document list and coming back to it, reaching a record from a person, a collection and the
calendar, citing it, doing all of that by keyboard alone and without JavaScript; and an
archivist previewing a draft that the public cannot see.

The calendar journey runs on the demo data (fixtures/demo.json: 308 FRUS documents, which
take seconds to load); the others on a few factory-made records.
"""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.test_journeys import log_in
from tests.factories import (
    CollectionFactory,
    DocumentFactory,
    DocumentPersonFactory,
    PersonFactory,
    RepositoryFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEARCH_BOX = "Search the documents"  # the document list's search box, by its label


@pytest.fixture
def demo(db):
    """The seed telegram and the FRUS demo documents, people and volumes."""
    call_command("loaddata", "fixtures/seed.json", "fixtures/demo.json", verbosity=0)


@pytest.fixture
def embassy_papers(db):
    """
    39 published documents, enough for two pages: 30 telegrams and 4 letters from Bertha
    Kinsey and 3 telegrams from Otto Brandt, all about the embassy, and 2 letters that are not.
    """
    archive = RepositoryFactory(name="National Archives")
    kinsey = PersonFactory(display_name="Bertha Kinsey")
    brandt = PersonFactory(display_name="Otto Brandt")
    rows = [(kinsey, "telegram")] * 30 + [(kinsey, "letter")] * 4 + [(brandt, "telegram")] * 3
    for number, (author, doc_type) in enumerate(rows, start=1):
        document = DocumentFactory(
            title=f"{doc_type.title()} {number:02} on the embassy",
            doc_type=doc_type,
            date_edtf=f"1944-{number % 12 + 1:02}-{number % 28 + 1:02}",
            summary="Arrangements for the embassy in Moscow.",
            repository=archive,
        )
        DocumentPersonFactory(document=document, person=author)
    for number in (1, 2):
        DocumentFactory(title=f"Letter on shipping {number}", doc_type="letter", repository=archive)
    return {"kinsey": kinsey, "brandt": brandt}


def result_count(page):
    """The number of documents the list's results heading announces."""
    heading = page.get_by_role("heading", level=2, name=re.compile(r"^(\d[\d,]*|No) documents?"))
    text = heading.inner_text()
    return 0 if text.startswith("No") else int(re.match(r"[\d,]+", text)[0].replace(",", ""))


def facet(page, name):
    """One facet ("People", "Types", …) among the "Narrow down" facets."""
    return page.get_by_role("complementary", name="Narrow down").get_by_role("region", name=name)


def chips(page):
    return page.get_by_role("region", name="Active filters")


def press_until_focused(page, target, key="Tab", limit=250):
    """Press ``key`` until ``target`` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press(key)
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{limit} presses of {key} never reached {target}")


def has_focus_indicator(locator):
    """Whether the focused element draws a focus ring: an outline or a box shadow."""
    return locator.evaluate(
        """element => {
            const style = getComputedStyle(element);
            const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
            return outline || style.boxShadow !== "none";
        }"""
    )


def first_document_link(region):
    """The title link of the first document row in ``region``."""
    return region.get_by_role("article").first.get_by_role("heading", level=3).get_by_role("link")


def new_page(browser, **options):
    """A page in a context of its own, set up like the ``page`` fixture's; close its context."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def test_back_from_a_record_returns_to_the_narrowed_search(page, live_server, embassy_papers):
    """A search narrowed by a facet is still there, words and chip, after Back from a record."""
    page.goto(f"{live_server.url}/documents/")
    page.get_by_role("searchbox", name=SEARCH_BOX).fill("embassy")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_url(re.compile(r"/documents/\?q=embassy$"))
    assert result_count(page) == 37

    facet(page, "People").get_by_role("link", name=re.compile(r"^Otto Brandt 3 documents")).click()
    expect(chips(page)).to_contain_text("Person: Otto Brandt")
    assert result_count(page) == 3
    list_url = page.url
    assert list_url.endswith(f"?q=embassy&person={embassy_papers['brandt'].slug}")

    results = page.get_by_role("region", name=re.compile("match “embassy”"))
    link = first_document_link(results)
    title = link.inner_text()
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)

    page.go_back()
    expect(page).to_have_url(list_url)
    expect(page.get_by_role("searchbox", name=SEARCH_BOX)).to_have_value("embassy")
    expect(chips(page)).to_contain_text("Person: Otto Brandt")
    assert result_count(page) == 3


def test_home_page_search_box_leads_to_ranked_results(page, live_server, embassy_papers):
    """The first thing on the home page is the search box; it lands on the document list."""
    page.goto(f"{live_server.url}/")
    search_box = page.get_by_role("searchbox", name=SEARCH_BOX)
    search_box.fill("embassy")
    search_box.press("Enter")
    assert "/documents/?q=embassy" in page.url
    expect(page.get_by_role("heading", level=2, name=re.compile("match “embassy”"))).to_be_visible()
    assert result_count(page) == 37
    expect(page.get_by_role("searchbox", name=SEARCH_BOX)).to_have_value("embassy")


@pytest.fixture
def lansing_letters(db):
    """Robert Lansing writes to David R. Francis, and Francis writes back."""
    lansing = PersonFactory(display_name="Robert Lansing", alternate_names="[Robert] Lansing")
    francis = PersonFactory(display_name="David R. Francis")
    for title, author, recipient in (
        ("The Secretary of State to the Ambassador in Russia (Francis)", lansing, francis),
        ("The Ambassador in Russia (Francis) to the Secretary of State", francis, lansing),
    ):
        document = DocumentFactory(title=title)
        DocumentPersonFactory(document=document, person=author, role="author")
        DocumentPersonFactory(document=document, person=recipient, role="recipient")


def role_group(page, role):
    """The people the record page lists under ``role`` ("Author", "Recipient", …)."""
    return (
        page.get_by_role("region", name="People")
        .locator("div")
        .filter(has=page.get_by_role("term").filter(has_text=re.compile(rf"^{role}$")))
    )


def test_person_page_leads_to_a_record_that_names_them_in_their_role(
    page, live_server, lansing_letters
):
    """People → the finder → Robert Lansing → a telegram to him, which lists him as recipient."""
    page.goto(live_server.url)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    page.get_by_role("searchbox", name="Find a person").fill("lansing")
    page.get_by_role("button", name="Find").click()
    expect(page).to_have_url(re.compile(r"/people/\?q=lansing"))
    page.get_by_role("link", name="Lansing, Robert").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Robert Lansing")

    received = page.get_by_role("region", name="Recipient 1 document")
    link = first_document_link(received)
    expect(link).to_have_text("The Ambassador in Russia (Francis) to the Secretary of State")
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "The Ambassador in Russia (Francis) to the Secretary of State"
    )

    expect(role_group(page, "Recipient").get_by_role("link")).to_have_text(["Robert Lansing"])
    expect(role_group(page, "Author").get_by_role("link")).to_have_text(["David R. Francis"])


SERIES = "Foreign Relations of the United States"
VOLUME = "Papers Relating to the Foreign Relations of the United States, 1918, Russia, Volume III"


@pytest.fixture
def frus_volumes(db):
    """The FRUS series with two volumes inside it, each holding one telegram."""
    series = CollectionFactory(title=SERIES)
    for title, telegram in (
        (VOLUME, "The Ambassador in Russia (Francis) to the Secretary of State"),
        ("Papers Relating to the Foreign Relations of the United States, 1925", "To Tokyo"),
    ):
        volume = CollectionFactory(title=title, parent=series, repository=series.repository)
        DocumentFactory(title=telegram, collections=[volume], repository=series.repository)
    return series


def test_collection_tree_leads_to_a_record_that_shows_its_trail(page, live_server, frus_volumes):
    """Collections → FRUS → its 1918 Russia volume → a telegram whose trail names both."""
    page.goto(live_server.url)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Collections").click()
    page.get_by_role("link", name=SERIES, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SERIES)
    page.get_by_role("region", name="Sub-collections").get_by_role("link", name=VOLUME).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(VOLUME)
    expect(page.get_by_role("navigation", name="Breadcrumb").get_by_role("listitem")).to_have_text(
        ["Collections", SERIES, VOLUME]
    )

    link = first_document_link(page.get_by_role("region", name=re.compile(r"^Documents")))
    expect(link).to_have_text("The Ambassador in Russia (Francis) to the Secretary of State")
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "The Ambassador in Russia (Francis) to the Secretary of State"
    )

    trail = page.get_by_role("region", name="Collections").get_by_role("listitem")
    expect(trail).to_have_count(1)
    expect(trail).to_have_text(f"{SERIES} › {VOLUME}")
    expect(trail.get_by_role("link")).to_have_text([SERIES, VOLUME])
    expect(trail.get_by_role("link", name=SERIES, exact=True)).to_have_attribute(
        "href", frus_volumes.get_absolute_url()
    )


def test_dates_lead_from_a_decade_through_a_month_to_a_record(page, live_server, demo):
    """Home → Dates → 1910s → 1918 → November → Colonel House's letter of November 10, 1918."""
    page.goto(live_server.url)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dates").click()
    page.get_by_role("link", name=re.compile(r"^1910s")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The 1910s")
    page.get_by_role("link", name=re.compile(r"^1918 \d+ documents?")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("1918")
    page.get_by_role("link", name=re.compile(r"^November \d+ documents?")).click()
    expect(page).to_have_url(re.compile(r"/dates/1918/11/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("November 1918")
    breadcrumb = page.get_by_role("navigation", name="Breadcrumb").get_by_role("listitem")
    expect(breadcrumb).to_have_text(["Dates", "1910s", "1918", "November"])

    page.get_by_role("link", name="The Special Representative (House) to President Wilson").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "The Special Representative (House) to President Wilson"
    )
    expect(page).to_have_url(re.compile(r"/documents/1166/"))
    expect(page.get_by_role("main")).to_contain_text("November 10, 1918")


def test_archivist_previews_a_draft_the_public_cannot_see(browser, live_server, archivist):
    """The admin's "View on site" shows staff a noindex draft preview; the public gets 404."""
    draft = DocumentFactory(draft=True, title="Draft memorandum on the Moscow conference")
    base = live_server.url
    page = new_page(browser)
    log_in(page, base, "archivist")
    page.goto(f"{base}/admin/catalog/document/")
    page.get_by_role("link", name=draft.title).click()
    permalink = f"{base}{draft.get_absolute_url()}"
    with page.expect_response(permalink) as preview:
        page.get_by_role("link", name="View on site").click()

    expect(page).to_have_url(permalink)
    expect(page.get_by_role("heading", level=1)).to_have_text(draft.title)
    expect(page.get_by_role("status")).to_contain_text("Draft — not public")
    expect(page.locator('meta[name="robots"]')).to_have_attribute("content", "noindex")
    assert "no-cache" in preview.value.headers["cache-control"]  # never kept by a cache
    page.context.close()

    public = new_page(browser)
    response = public.goto(permalink)
    assert response.status == 404
    expect(public.get_by_role("heading", name=draft.title)).to_have_count(0)
    expect(public.get_by_role("status")).to_have_count(0)
    public.context.close()


def test_skip_link_is_the_first_stop_and_moves_focus_to_main(page, live_server):
    """On the home page the first Tab reaches "Skip to content", and Enter moves focus to main."""
    page.goto(live_server.url)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    main = page.get_by_role("main")
    assert main.evaluate("main => main.contains(document.activeElement)")
    page.keyboard.press("Tab")  # and the next stop is the first link inside it
    assert main.evaluate(
        "main => main.contains(document.activeElement) && main !== document.activeElement"
    )


def test_filter_and_paginate_the_document_list_by_keyboard_alone(page, live_server, embassy_papers):
    """
    By keyboard: Tab to the Type filter, choose Telegram with the arrow keys, Tab to "Apply
    filters" and press Enter, then Tab to "Next" and press Enter; focus stays visible.
    """
    page.goto(f"{live_server.url}/documents/")
    assert result_count(page) == 39

    doc_type = page.get_by_label("Type", exact=True)
    press_until_focused(page, doc_type)
    page.keyboard.press("ArrowDown")  # Letter
    page.keyboard.press("ArrowDown")  # Telegram
    expect(doc_type).to_have_value("telegram")
    apply = page.get_by_role("button", name="Apply filters")
    press_until_focused(page, apply)
    assert has_focus_indicator(apply), "the focused “Apply filters” button shows no focus ring"
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"[?&]doc_type=telegram(&|$)"))
    expect(chips(page)).to_contain_text("Type: Telegram")
    assert result_count(page) == 33

    next_page = page.get_by_role("navigation", name="Pages of results").get_by_role(
        "link", name=re.compile("^Next")
    )
    press_until_focused(page, next_page)
    assert has_focus_indicator(next_page), "the focused “Next” link shows no focus ring"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]page=2(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]doc_type=telegram(&|$)"))
    expect(page.get_by_role("heading", level=2, name=re.compile("^33 documents"))).to_contain_text(
        "26–33 shown"
    )


def test_keyboard_users_can_skip_to_the_filters_on_a_wide_screen(page, live_server, embassy_papers):
    """On a wide screen the "Narrow down these documents" link is a Tab stop near the top."""
    page.goto(f"{live_server.url}/documents/")
    skip_to_filters = page.get_by_role("link", name="Narrow down these documents")
    assert skip_to_filters.count() == 1, "the link is hidden from keyboard users"
    press_until_focused(page, skip_to_filters, limit=15)
    expect(skip_to_filters).to_be_in_viewport()  # at least once it has the focus
    page.keyboard.press("Enter")
    press_until_focused(page, page.get_by_label("Type", exact=True), limit=40)


def search_narrow_filter_and_page(page, base):
    """Search "embassy", choose Bertha Kinsey, filter to telegrams, go to page 2: the URLs."""
    urls = []
    page.goto(f"{base}/documents/")
    search_box = page.get_by_role("searchbox", name=SEARCH_BOX)
    search_box.fill("embassy")
    search_box.press("Enter")
    expect(page.get_by_role("heading", level=2, name=re.compile("match “embassy”"))).to_be_visible()
    assert result_count(page) == 37
    urls.append(page.url)

    facet(page, "People").get_by_role("link", name=re.compile(r"^Bertha Kinsey \d")).click()
    expect(chips(page)).to_contain_text("Person: Bertha Kinsey")
    assert result_count(page) == 34
    urls.append(page.url)

    page.get_by_label("Type", exact=True).select_option(label="Telegram")
    page.get_by_role("button", name="Apply filters").click()
    expect(chips(page)).to_contain_text("Type: Telegram")
    expect(chips(page)).to_contain_text("Person: Bertha Kinsey")
    expect(page.get_by_role("searchbox", name=SEARCH_BOX)).to_have_value("embassy")
    assert result_count(page) == 30
    urls.append(page.url)

    pages = page.get_by_role("navigation", name="Pages of results")
    pages.get_by_role("link", name=re.compile("^Next")).click()
    expect(pages.get_by_role("link", name="2")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("listitem").filter(has=page.get_by_role("article"))).to_have_count(5)
    urls.append(page.url)
    return urls


def test_search_facets_filters_and_pages_work_without_javascript(
    browser, live_server, embassy_papers
):
    """With JavaScript off, searching, a facet, the filter form and paging give the same URLs."""
    scripted = new_page(browser)
    with_script = search_narrow_filter_and_page(scripted, live_server.url)
    scripted.context.close()

    plain = new_page(browser, java_script_enabled=False)
    without_script = search_narrow_filter_and_page(plain, live_server.url)
    plain.context.close()

    assert without_script == with_script
    search, narrowed, filtered, second_page = without_script
    kinsey = f"person={embassy_papers['kinsey'].slug}"
    assert search.endswith("/documents/?q=embassy")
    assert narrowed.endswith(f"/documents/?q=embassy&{kinsey}")
    assert "q=embassy" in filtered and kinsey in filtered
    assert "doc_type=telegram" in filtered
    assert "page=2" in second_page and "doc_type=telegram" in second_page


@pytest.fixture
def cited(db):
    """A published telegram from Bertha Kinsey in her papers."""
    document = DocumentFactory(
        title="Telegram on the embassy's winter quarters",
        collections=[CollectionFactory(title="Bertha Kinsey Papers")],
    )
    DocumentPersonFactory(document=document, person=PersonFactory(display_name="Bertha Kinsey"))
    return document


def test_record_page_gives_a_chicago_citation_with_permalink_and_record_id(
    page, live_server, cited
):
    """The "Cite this document" section gives a Chicago note ending with record ID and permalink."""
    permalink = f"{live_server.url}{cited.get_absolute_url()}"
    page.goto(permalink)
    cite = page.get_by_role("region", name="Cite this document")
    expect(cite).to_contain_text("Chicago")
    citation = cite.get_by_role("blockquote")
    expect(citation).to_contain_text(f"Bertha Kinsey, “{cited.title},”")
    expect(citation).to_contain_text(f"record ID {cited.record_id}, {permalink}")


def test_record_page_downloads_its_citation_as_ris(page, live_server, cited):
    """The RIS link in "Cite this document" downloads an RIS record of the document."""
    page.goto(f"{live_server.url}{cited.get_absolute_url()}")
    cite = page.get_by_role("region", name="Cite this document")
    base = cited.get_absolute_url()
    for name, suffix in (("CSL-JSON", "json"), ("RIS", "ris"), ("BibTeX", "bib")):
        link = cite.get_by_role("link", name=re.compile(rf"\b{name}\b"))
        expect(link).to_have_attribute("href", re.compile(rf"{re.escape(base)}cite\.{suffix}$"))

    ris_link = cite.get_by_role("link", name=re.compile(r"\bRIS\b"))
    # Click the middle of the visible words: Playwright otherwise aims at the link's first box,
    # the clipped 1-pixel "Download citation as " prefix, and finds the <li> on top of it.
    box = ris_link.bounding_box()
    with page.expect_download() as download_info:
        ris_link.click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    download = download_info.value
    assert download.suggested_filename == f"record-{cited.record_id}.ris"
    ris = Path(download.path()).read_text(encoding="utf-8")
    assert ris.startswith("TY  -")
    assert cited.title in ris
