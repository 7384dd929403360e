"""The date histogram: documents per decade (per year inside one decade) on the document list
and the home page, bars that link to their period, text a screen reader can read."""

import re

import pytest
from django.urls import reverse

from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db
LIST_URL = reverse("catalog:document-list")
HOME_URL = reverse("catalog:home")


def bars(response):
    """``[(label, count, url, selected)]`` of the histogram on the page."""
    return [
        (bar.label, bar.count, bar.url, bar.selected) for bar in response.context["histogram"].bars
    ]


def link_texts(html):
    """The text of each histogram link, as a screen reader reads it."""
    section = re.search(r'<section class="histogram.*?</section>', html, re.S)[0]
    return [
        " ".join(re.sub(r"<[^>]+>", "", text).split())
        for text in re.findall(r"<a [^>]*>(.*?)</a>", section, re.S)
    ]


@pytest.fixture
def dated():
    """Published documents in the 1920s, 1940s (three) and an undated and an open-start one;
    drafts in the 1930s and 1940s."""
    for title, edtf in [
        ("1921", "1921-05"),
        ("1941", "1941"),
        ("1944", "1944-02-02"),
        ("1944 range", "1944/1946"),
        ("Undated", ""),
        ("Open start", "../1944"),
    ]:
        DocumentFactory(title=title, date_edtf=edtf, language="ru" if "1944" in title else "en")
    DocumentFactory(date_edtf="1935", draft=True)
    DocumentFactory(date_edtf="1944", draft=True)


def test_decade_bars_count_published_documents_by_earliest_date(client, dated):
    """Each dated published document counts once, in the decade of its earliest date; empty
    decades between are drawn without a link; drafts count nowhere."""
    response = client.get(LIST_URL)
    assert bars(response) == [
        ("1920s", 1, "?date_from=1920&date_to=1929", False),
        ("1930s", 0, "", False),
        ("1940s", 3, "?date_from=1940&date_to=1949", False),
    ]
    assert response.context["histogram"].unit == "decade"


def test_undated_and_open_start_documents_are_left_out_and_counted_in_a_note(client, dated):
    """Documents without a known start date have no bar; a note says how many."""
    response = client.get(LIST_URL)
    assert response.context["histogram"].undated == 2
    assert "2 documents without a known start date are not shown." in response.content.decode()


def test_bars_are_links_whose_text_says_the_period_and_count(client, dated):
    """A screen reader hears each bar as a link: “1940s: 3 documents”, in a labelled list."""
    html = client.get(LIST_URL).content.decode()
    assert link_texts(html) == ["1920s: 1 document", "1940s: 3 documents"]
    assert '<h2 id="histogram-heading" class="histogram-heading">Documents per decade</h2>' in html
    assert '<ol class="histogram-bars" aria-describedby="histogram-note">' in html
    assert "<script" not in html


def test_bars_keep_the_other_filters_and_count_within_them(client, dated):
    """With a language chosen, the bars count those documents only, and their links keep the
    language and drop the page number."""
    response = client.get(LIST_URL, {"language": "ru", "page": "1"})
    assert bars(response) == [("1940s", 2, "?language=ru&date_from=1940&date_to=1949", False)]


def test_a_decade_bar_drills_into_its_years(client, dated):
    """Following a decade's bar gives that decade's documents and bars per year, each linking
    to its year, with links to the decades either side and back to all dates."""
    decade = client.get(LIST_URL).context["histogram"].bars[2]
    response = client.get(LIST_URL + decade.url)
    histogram = response.context["histogram"]
    assert histogram.unit == "year"
    assert [bar.label for bar in histogram.bars] == [str(year) for year in range(1940, 1950)]
    assert histogram.bars[4].url == "?date_from=1944&date_to=1944"
    assert histogram.bars[4].count == 2 and histogram.bars[1].count == 1
    assert histogram.bars[0].url == ""  # no documents in 1940
    assert all(bar.selected for bar in histogram.bars)
    assert histogram.previous.url == "?date_from=1930&date_to=1939"
    assert histogram.next.url == "?date_from=1950&date_to=1959"
    assert histogram.all_url == "?"
    html = response.content.decode()
    assert "Documents per year, 1940s" in html
    assert "1944: 2 documents (in the chosen dates)" in link_texts(html)


def test_year_bars_mark_the_chosen_years_and_ignore_the_date_filter(client, dated):
    """Inside one decade the bars count every year of it (the date filter is the bars' own),
    and mark the chosen years."""
    response = client.get(LIST_URL, {"date_from": "1944", "date_to": "1944"})
    histogram = response.context["histogram"]
    assert [(bar.label, bar.count, bar.selected) for bar in histogram.bars[1:5]] == [
        ("1941", 1, False),
        ("1942", 0, False),
        ("1943", 0, False),
        ("1944", 2, True),
    ]
    assert 'aria-current="true"' in response.content.decode()


def test_a_range_across_decades_marks_the_decades_it_touches(client, dated):
    """A date range wider than a decade keeps decade bars and marks those it overlaps."""
    response = client.get(LIST_URL, {"date_from": "1925", "date_to": "1942"})
    assert [(label, selected) for label, _, _, selected in bars(response)] == [
        ("1920s", True),
        ("1930s", True),
        ("1940s", True),
    ]
    assert response.context["histogram"].undated is None  # not cheap to count here


def test_home_page_histogram_counts_all_published_documents(client, dated):
    """The home page draws all published documents per decade, linking to the document list
    for each decade, and notes the undated ones."""
    response = client.get(HOME_URL)
    histogram = response.context["histogram"]
    assert [(bar.label, bar.count, bar.url) for bar in histogram.bars] == [
        ("1920s", 1, f"{LIST_URL}?date_from=1920&date_to=1929"),
        ("1930s", 0, ""),
        ("1940s", 3, f"{LIST_URL}?date_from=1940&date_to=1949"),
    ]
    assert histogram.undated == 2
    assert link_texts(response.content.decode()) == ["1920s: 1 document", "1940s: 3 documents"]


def test_home_page_histogram_adds_no_query(client, django_assert_num_queries, dated):
    """The home histogram is drawn from the decade counts the page already reads: 7 queries,
    as before it (guards against a count query per decade or for the undated note)."""
    with django_assert_num_queries(7):
        client.get(HOME_URL)


def test_long_spans_label_only_some_decades(client):
    """With many decades every bar keeps its label in its link text, but only round periods
    are labelled under the bars: every 50 years on wide screens, every 100 on narrow ones."""
    for year in range(1600, 1950, 10):
        DocumentFactory(date_edtf=str(year))
    histogram = client.get(LIST_URL).context["histogram"]
    assert [bar.label for bar in histogram.bars if bar.tick] == [
        "1600s",
        "1650s",
        "1700s",
        "1750s",
        "1800s",
        "1850s",
        "1900s",
    ]
    assert [bar.label for bar in histogram.bars if bar.major] == [
        "1600s",
        "1700s",
        "1800s",
        "1900s",
    ]


def test_a_decade_labels_every_year_on_wide_screens_and_every_other_on_narrow(client, dated):
    """Ten year bars are all labelled on wide screens and every second year on narrow ones."""
    histogram = client.get(LIST_URL, {"date_from": "1940", "date_to": "1949"}).context["histogram"]
    assert all(bar.tick for bar in histogram.bars)
    assert [bar.label for bar in histogram.bars if bar.major] == [
        "1940",
        "1942",
        "1944",
        "1946",
        "1948",
    ]


@pytest.mark.parametrize(
    ("date_from", "date_to"), [("0001", "0001"), ("0001", "0009"), ("9999", "9999"), ("1", "5")]
)
def test_a_decade_at_either_end_of_the_calendar_is_drawn_or_explained(
    client, dated, date_from, date_to
):
    """The first decade (years 1–9) and the last (9990s) have a histogram too, empty here,
    with its caption and its way out, never an error."""
    response = client.get(LIST_URL, {"date_from": date_from, "date_to": date_to})
    assert response.status_code == 200
    histogram = response.context["histogram"]
    assert histogram.unit == "year" and histogram.bars == []
    assert f"Documents per year, {int(date_from) // 10 * 10}s" in response.content.decode()
    assert "No dated documents in this decade match the other filters." in (
        response.content.decode()
    )
