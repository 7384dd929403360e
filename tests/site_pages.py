"""
Every public page type on the demo data, for the checks that walk the whole site: axe-core,
the Nu HTML Checker, the two screen widths, print and page speed.

:func:`load_demo_site` loads ``fixtures/seed.json`` and ``fixtures/demo.json`` (what
``make run`` serves) plus one German letter with a transcript, and returns the paths to visit
by page type.  The paths are chosen from the data, not hard-coded, so a rebuilt demo fixture
still gives a populated page of each type.
"""

from django.core.management import call_command
from django.db.models import Count, Q

from catalog.models import Collection, Document, DocumentPerson, Person, Repository
from tests.factories import DocumentFactory, DocumentPersonFactory, PersonFactory

GERMAN_LETTER = (
    "Hochgeborner Fürst, freundlicher lieber Vetter. Wir haben Euer Liebden Schreiben "
    "empfangen und daraus vernommen, wie es um den Handel zu Regensburg steht.\n\n"
    "Datum Dresden, Montag nach Martini, anno 1546."
)


def _german_letter():
    """A letter in German, so the transcript's ``lang`` attribute is on a checked page."""
    letter = DocumentFactory(
        title="Kurfürst Moritz an Landgraf Philipp, 15. November 1546",
        doc_type=Document.Type.LETTER,
        date_edtf="1546-11-15",
        language="de",
        summary="Moritz reports on the negotiations at Regensburg.",
        transcript=GERMAN_LETTER,
    )
    DocumentPersonFactory(
        document=letter, person=PersonFactory(display_name="Moritz von Sachsen"), role="author"
    )
    return letter


def load_demo_site():
    """Load the demo data; return ``{page type: path}`` for every public page type."""
    call_command("loaddata", "fixtures/seed.json", "fixtures/demo.json", verbosity=0)
    letter = _german_letter()

    published = Document.objects.published()
    record = (
        published.annotate(n_events=Count("custody_events"), n_people=Count("person_links"))
        .filter(n_events__gte=2, n_people__gte=2)
        .exclude(transcript="")
        .order_by("record_id")
        .first()
    )
    person = (
        Person.objects.published()
        .annotate(n=Count("document_links", filter=Q(document_links__document__in=published)))
        .order_by("-n", "sort_name")
        .first()
    )
    parent = (
        Collection.objects.published().filter(children__isnull=False).order_by("tree_path").first()
    )
    child = parent.children.order_by("tree_path").first()
    archive = Repository.objects.published().order_by("name").first()
    dated = published.filter(date_edtf__regex=r"^\d{4}-\d{2}-\d{2}$").order_by("record_id")
    year = dated.first().date_earliest.year
    month = dated.first().date_earliest.month
    role = DocumentPerson.objects.filter(person=person).values_list("role", flat=True).first()

    return {
        "home": "/",
        "document list": "/documents/",
        "document list, page 2": "/documents/?page=2",
        "search": "/documents/?q=japanese+troops",
        "search with a facet": "/documents/?q=minister&doc_type=telegram",
        "search without results": "/documents/?q=zzzqqqxx",
        "list with a bad filter": "/documents/?date_from=not-a-date",
        "filtered by person and role": f"/documents/?person={person.slug}&role={role}",
        "record": record.get_absolute_url(),
        "record in German": letter.get_absolute_url(),
        "people": "/people/",
        "people finder": "/people/?q=sew",
        "person": person.get_absolute_url(),
        "collections": "/collections/",
        "collection": parent.get_absolute_url(),
        "sub-collection": child.get_absolute_url(),
        "archives": "/archives/",
        "archive": archive.get_absolute_url(),
        "dates": "/dates/",
        "decade": f"/dates/{year // 10 * 10}s/",
        "year": f"/dates/{year}/",
        "month": f"/dates/{year}/{month}/",
        "not found": "/documents/999999/no-such-record/",
    }
