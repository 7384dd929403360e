"""Record links (``get_absolute_url``, remembered per worker: catalog.permalinks)."""

import pytest
from django.urls import reverse, set_script_prefix

from tests.factories import DocumentFactory, DocumentPersonFactory, PersonFactory

pytestmark = pytest.mark.django_db
LIST_URL = reverse("catalog:document-list")


def test_links_follow_a_changed_slug(client):
    """A person given a new address is linked at it on the next page, never at the old one."""
    person = PersonFactory(display_name="Maxim Litvinov", slug="litvinov-maxim")
    DocumentPersonFactory(person=person, document=DocumentFactory(title="Note on Poland"))
    assert 'href="/people/litvinov-maxim/"' in client.get(LIST_URL).content.decode()
    person.slug = "litvinov-maxim-maximovich"
    person.save()
    html = client.get(LIST_URL).content.decode()
    assert 'href="/people/litvinov-maxim-maximovich/"' in html
    assert 'href="/people/litvinov-maxim/"' not in html
    assert client.get("/people/litvinov-maxim-maximovich/").status_code == 200


def test_links_carry_the_script_prefix_the_site_is_served_under(client):
    """Served under /archive (the script prefix a WSGI server sets from SCRIPT_NAME), every
    record link starts with it; served at the root, none does: the remembered links are kept
    apart by prefix."""
    document = DocumentFactory(title="Aide-memoire")
    DocumentPersonFactory(document=document, person=PersonFactory(slug="grew-joseph"))
    set_script_prefix("/archive/")  # what WSGIHandler does; the test client does not
    try:
        prefixed = client.get(LIST_URL).content.decode()
    finally:
        set_script_prefix("/")
    assert f'href="/archive/documents/{document.record_id}/aide-memoire/"' in prefixed
    assert 'href="/archive/people/grew-joseph/"' in prefixed
    plain = client.get(LIST_URL, {"sort": "title"}).content.decode()  # not the cached page
    assert f'href="/documents/{document.record_id}/aide-memoire/"' in plain
    assert 'href="/people/grew-joseph/"' in plain
    assert "/archive/" not in plain
