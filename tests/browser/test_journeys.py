"""
The journeys that matter, in Debian's Chromium: an archivist catalogues the 1944 telegram in
the admin, an editor publishes it, and a researcher finds it from the year 1944 and from
Stalin's page and reads its provenance.
"""

import re

import pytest
from playwright.sync_api import expect

from catalog.models import Document
from tests.factories import CollectionFactory, PersonFactory, RepositoryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "catalogue-pass"  # tests/conftest.py gives every staff fixture this password


def log_in(page, base_url, username):
    page.goto(f"{base_url}/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#user-tools")).to_contain_text(username)


def autocomplete(page, select_id, text, option):
    """Pick ``option`` in the admin's select2 autocomplete for the <select id=select_id>."""
    page.locator(f"#{select_id} + .select2 .select2-selection").click()
    page.keyboard.type(text)
    page.locator(".select2-results__option", has_text=option).first.click()


@pytest.fixture
def reference_records(db):
    """What an archive has before the telegram is catalogued: the archive, papers, people."""
    library = RepositoryFactory(name="Library of Congress, Manuscript Division")
    return {
        "library": library,
        "papers": CollectionFactory(title="W. Averell Harriman Papers", repository=library),
        "harriman": PersonFactory(display_name="W. Averell Harriman"),
        "stalin": PersonFactory(
            display_name="Joseph Stalin", alternate_names="Iosif Vissarionovich Dzhugashvili"
        ),
    }


def test_telegram_from_cataloguing_to_a_researchers_screen(
    browser, live_server, archivist, editor, reference_records
):
    """An archivist catalogues and an editor publishes; a researcher finds it two ways."""
    base = live_server.url

    # The archivist catalogues the telegram as a draft.
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, base, "archivist")
    page.goto(f"{base}/admin/catalog/document/add/")
    page.fill("#id_title", "Telegram re Stalin Harriman Conversation on Japanese Troops")
    page.select_option("#id_doc_type", "telegram")
    page.select_option("#id_language", "en")
    page.fill("#id_date_edtf", "1944-02-02")
    page.fill("#id_date_text", "February 2, 1944")
    page.fill(
        "#id_summary",
        "W. Averell Harriman and Joseph Stalin discuss Soviet intelligence about Japanese "
        "troop movements.",
    )
    page.fill(
        "#id_transcript",
        "During a conversation with the Ambassador last evening Stalin volunteered the "
        "information that the Japanese may be preparing to withdraw to an inner defense line.",
    )
    autocomplete(page, "id_person_links-0-person", "Harriman", "W. Averell Harriman")
    page.select_option("#id_person_links-0-role", "author")
    autocomplete(page, "id_person_links-1-person", "Dzhugashvili", "Joseph Stalin")
    page.select_option("#id_person_links-1-role", "mentioned")
    autocomplete(page, "id_repository", "Library", "Library of Congress, Manuscript Division")
    autocomplete(page, "id_collections", "Harriman", "W. Averell Harriman Papers")
    page.fill("#id_container", "Container # 171")
    page.fill(
        "#id_source_note",
        "Container # 171, W. Averell Harriman Papers, Manuscript Division, Library of "
        "Congress, Washington, DC",
    )
    page.select_option("#id_custody_events-0-event", "created")
    page.fill("#id_custody_events-0-date_edtf", "1944-02-02")
    page.fill("#id_custody_events-0-agent", "W. Averell Harriman")
    page.select_option("#id_custody_events-1-event", "held")
    page.fill("#id_custody_events-1-agent", "Library of Congress, Manuscript Division")
    autocomplete(page, "id_rights", "United States", "No Copyright - United States")
    page.get_by_role("button", name="Save", exact=True).first.click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    document = Document.objects.get(title__startswith="Telegram re Stalin Harriman")
    assert document.status == Document.Status.DRAFT
    assert document.person_links.count() == 2
    assert document.custody_events.count() == 2

    # Until it is published, the public sees nothing of it.
    public = browser.new_context().new_page()
    response = public.goto(f"{base}{document.get_absolute_url()}")
    assert response.status == 404
    context.close()

    # The editor publishes it from the document list.
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, base, "editor")
    page.goto(f"{base}/admin/catalog/document/")
    page.locator(f"input[name=_selected_action][value='{document.pk}']").check()
    page.select_option("select[name=action]", "publish_selected")
    page.get_by_role("button", name="Go").click()
    expect(page.locator("#content")).to_contain_text(document.title)  # the confirmation page
    page.get_by_role("button", name="Yes, publish them").click()
    expect(page.locator(".messagelist")).to_contain_text("Published 1 document")
    context.close()

    # A researcher browses dates: 1940s → 1944 → the telegram.
    page = public
    page.goto(base)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dates").click()
    page.get_by_role("link", name=re.compile(r"^1940s")).first.click()
    page.get_by_role("link", name=re.compile(r"^1944")).first.click()
    page.get_by_role("link", name=re.compile("Telegram re Stalin Harriman")).first.click()
    expect(page.locator("h1")).to_contain_text("Telegram re Stalin Harriman")
    assert f"/documents/{document.record_id}/" in page.url
    main = page.locator("main")
    expect(main).to_contain_text("February 2, 1944")
    expect(main).to_contain_text("Library of Congress, Manuscript Division")
    expect(main).to_contain_text("Container # 171")
    expect(main).to_contain_text("No Copyright - United States")
    custody = page.locator("ol", has_text="Library of Congress, Manuscript Division").first
    expect(custody).to_contain_text("W. Averell Harriman")

    # …and from Stalin's page.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    page.get_by_role("link", name=re.compile("Stalin")).first.click()
    expect(page.locator("h1")).to_contain_text("Joseph Stalin")
    page.get_by_role("link", name=re.compile("Telegram re Stalin Harriman")).first.click()
    expect(page.locator("h1")).to_contain_text("Telegram re Stalin Harriman")
    page.context.close()
