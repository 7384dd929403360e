"""No query string or record address makes the document pages answer 500."""

import pytest

from catalog.filters import DocumentFilter
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db
LIST = "/documents/"
FILTER_PARAMS = list(DocumentFilter.base_filters)  # every parameter the list takes
LONG = "x" * 10_000


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ("date_from=abc", "Write a year (1944), a month (1944-02) or a day (1944-02-02)."),
        ("date_to=99999", "Write a year (1944), a month (1944-02) or a day (1944-02-02)."),
        ("date_from=0", "Years run from 1 to 9999."),
        ("date_from=1944-13", "There is no month 13; use 01 to 12."),
        ("date_to=1944-02-30", "February 1944 has no day 30."),
        ("date_from=1944-02-02T00:00", "Write a year"),
        ("person=nobody-at-all", "No person with documents here has that address."),
        ("person=../../etc", "No person with documents here has that address."),
        ("collection=no-such-papers", "No collection with documents here has that address."),
        ("subject=no-such-subject", "No subject with documents here has that address."),
        ("repository=no-such-archive", "Select a valid choice."),
        ("rights=NoSuchRights", "Select a valid choice."),
        ("language=xx", "Select a valid choice."),
        ("doc_type=scroll", "Select a valid choice."),
        ("role=emperor", "Select a valid choice."),
        ("sort=random", "Select a valid choice."),
    ],
)
def test_bad_filter_value_is_a_form_error_with_an_empty_result(client, seed, query, error):
    """A value a filter cannot use answers 200 with the error on the page and no documents."""
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 200
    assert list(response.context["documents"]) == []
    assert error in response.content.decode().replace("&#x27;", "'")


@pytest.mark.parametrize(
    ("page", "status"),
    [
        ("abc", 404),
        ("0", 404),
        ("-1", 404),
        ("99999", 404),
        ("1.5", 404),
        ("9" * 5000, 404),
        ("%00", 404),
        ("last", 200),
        ("1", 200),
    ],
)
def test_bad_page_number_is_404_never_500(client, seed, page, status):
    """A page that is not a number or out of range is not found; never a server error."""
    assert client.get(f"{LIST}?page={page}").status_code == status


@pytest.mark.parametrize("param", FILTER_PARAMS + ["page", "unknown"])
@pytest.mark.parametrize(
    "value",
    [
        "%00",
        "a%00b",
        "1944%00",
        LONG,
        "%F0%9F%92%A9",
        "%FF",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
    ],
)
def test_junk_in_any_parameter_never_gives_500(client, seed, param, value):
    """NUL bytes, 10,000-character values, emoji, broken UTF-8 and markup in any parameter
    answer 200 (with a form error where the filter cannot use it) or 404, never 500."""
    response = client.get(f"{LIST}?{param}={value}")
    assert response.status_code in (200, 404)
    assert b"<script>alert(1)</script>" not in response.content


def test_unknown_parameters_are_ignored(client, seed):
    """Parameters the list does not know (tracking tags and the like) change nothing."""
    response = client.get(LIST, {"utm_source": "newsletter", "q": "Stalin"})
    assert response.status_code == 200
    assert len(response.context["documents"]) == 1


@pytest.mark.parametrize("param", FILTER_PARAMS)
def test_repeated_parameters_never_give_500(client, seed, param):
    """A parameter given twice (date_from=1&date_from=2) answers 200; the last value counts."""
    response = client.get(f"{LIST}?{param}=1&{param}=2")
    assert response.status_code == 200


def test_repeated_date_uses_the_last_value(client, seed):
    """date_from=1&date_from=1945 filters from 1945, so the 1944 telegram is left out."""
    response = client.get(f"{LIST}?date_from=1&date_from=1945")
    assert list(response.context["documents"]) == []
    assert "No published document matches these filters" in response.content.decode()


def test_every_filter_at_once_with_junk_never_gives_500(client, seed):
    """All parameters wrong together still answer 200 with every error listed."""
    query = "&".join(f"{name}=%00{LONG}" for name in FILTER_PARAMS)
    response = client.get(f"{LIST}?{query}&page=abc")
    assert response.status_code == 404
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 200
    assert list(response.context["documents"]) == []


@pytest.mark.parametrize(
    "path",
    [
        "/documents/999/",
        "/documents/999/some-title/",
        "/documents/0/x/",
        "/documents/99999999999999999999999/x/",
        "/documents/abc/",
    ],
)
def test_unknown_record_is_404(client, seed, path):
    """A record address that names no document is not found, even one beyond any integer."""
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("suffix", ["x%00/", "%FF/", f"{LONG}/"])
def test_junk_slug_redirects_to_the_permalink(client, seed, suffix):
    """Any junk in the slug is just a wrong slug: 301 to the permalink."""
    response = client.get(f"/documents/1/{suffix}")
    assert response.status_code == 301
    assert response["Location"] == seed.get_absolute_url()


def test_draft_is_404_for_anonymous_visitors(client):
    """A draft's record page and short address are not found for the public."""
    draft = DocumentFactory(draft=True)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(f"/documents/{draft.record_id}/").status_code == 404


def test_not_found_page_offers_ways_back_in(client):
    """A 404 is the site's own page with links to browse, not a bare error."""
    response = client.get("/documents/999999/nothing/")
    assert response.status_code == 404
    assert b"Browse all documents" in response.content
