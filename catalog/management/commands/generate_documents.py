"""
Generate N realistic catalogue records for benchmarks: ``manage.py generate_documents N``.

What it builds, on top of whatever the database already holds:

- ``--people`` people (default 20,000) with life dates; each document names 1–4 of them:
  an author, then recipients, people mentioned and others who were alive when it was
  written, each picked with a Zipf-like skew, so that a few people appear in thousands of
  documents and most in a handful;
- ``--collections`` collections (default 500) in a three-level hierarchy (fonds → series →
  files, about 4 % / 20 % / 76 %), spread over a dozen generated repositories;
- N documents dated between 1550 and 1950, each within its author's working life: mostly
  single days, some months, years and ranges, about 10 % approximate ("~") and 5 %
  uncertain ("?"); about 95 % published and 5 % drafts; each in one or two collections with a
  custody chain of two or three events.

Titles, summaries, transcript paragraphs and the names people are made from come from the
real FRUS documents in ``fixtures/demo.json``, so texts have realistic length and wording.

Record IDs continue after the highest one in the database. Derived fields are computed here
because ``bulk_create`` skips ``save()``: the date bounds and flags through
``catalog.dates.parse`` (each distinct EDTF value parsed once; documents draw their dates
from a pool of at most ten values per year, which keeps parsing to seconds) and each
collection's ``tree_path``. Everything is written with ``bulk_create`` in batches inside one
transaction: a failure leaves the database as it was. ``bulk_create`` sends no signals, so
each batch's documents are added to the search index (``catalog.search.reindex``) once their
people are linked. ``--dry-run`` builds everything in memory and writes nothing. ``--seed``
makes runs repeatable.

Speed: 100,000 documents take a few minutes on PostgreSQL (see docs/performance.md).
"""

import json
import random
import re
import time
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify

from catalog import cache, dates, search
from catalog.models import (
    Collection,
    Document,
    DocumentPerson,
    Person,
    ProvenanceEvent,
    Repository,
    RightsStatement,
)
from catalog.text import person_search_names

SAMPLE = Path(settings.BASE_DIR) / "fixtures" / "demo.json"
FIRST_YEAR, LAST_YEAR = 1550, 1950
DATES_PER_YEAR = 10

CITIES = [
    "Amsterdam",
    "Berlin",
    "Boston",
    "Brussels",
    "Dresden",
    "Florence",
    "Lisbon",
    "London",
    "Madrid",
    "Paris",
    "Philadelphia",
    "Prague",
    "Rome",
    "Stockholm",
    "Venice",
    "Vienna",
]
REPOSITORY_KINDS = [
    "City Archives",
    "State Archives",
    "University Library, Special Collections",
    "Historical Society",
]
SERIES = [
    "Correspondence",
    "Outgoing letters",
    "Incoming letters",
    "Telegrams",
    "Memoranda",
    "Reports",
    "Instructions",
    "Despatches",
    "Notes verbales",
    "Minutes",
    "Diaries",
    "Legal papers",
    "Financial records",
    "Printed matter",
]
TYPES = [  # (type, weight, title stem or None)
    ("letter", 40, "Letter from"),
    ("telegram", 18, "Telegram from"),
    ("dispatch", 10, "Despatch from"),
    ("instruction", 6, "Instruction from"),
    ("memorandum", 8, "Memorandum by"),
    ("report", 5, "Report by"),
    ("note", 5, "Note from"),
    ("minutes", 2, "Minutes recorded by"),
    ("diary", 2, "Diary entry of"),
    ("treaty", 1, "Agreement signed by"),
    ("other", 3, None),
]
ROLES = ["author", "recipient", "mentioned", "other"]
LANGUAGES = [
    ("en", 80),
    ("fr", 7),
    ("de", 5),
    ("es", 3),
    ("it", 2),
    ("ru", 1),
    ("la", 1),
    ("nl", 1),
]
RIGHTS = [
    ("NoC-US", 30),
    ("CC0", 20),
    ("PDM", 15),
    ("NKC", 10),
    ("InC", 10),
    ("CNE", 10),
    ("InC-EDU", 5),
]
GIVEN_FALLBACK = [
    "Anna",
    "Charles",
    "Elizabeth",
    "George",
    "Henry",
    "John",
    "Margaret",
    "Mary",
    "Thomas",
    "William",
]
NOT_GIVEN = {
    "Admiral",
    "Captain",
    "Colonel",
    "Major",
    "General",
    "Inc",
    "Incorporated",
    "Sir",
    "Lord",
    "Count",
    "Baron",
    "Prince",
    "King",
}
NAME = re.compile(r"^[A-ZÀ-Ý][a-zà-ÿ'’]+(?:[- ][A-Z][a-zà-ÿ'’]+)?$")


def zipf_cum_weights(n, offset=5.0):
    """Cumulative weights 1/(rank + offset) for ``random.choices``: a Zipf-like skew."""
    return list(accumulate(1.0 / (rank + offset) for rank in range(1, n + 1)))


def weighted(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


class Sample:
    """The vocabulary the generator draws from, read from fixtures/demo.json."""

    def __init__(self, path):
        try:
            objects = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read the sample texts in {path}: {error}") from error
        documents = [o["fields"] for o in objects if o["model"] == "catalog.document"]
        people = [o["fields"] for o in objects if o["model"] == "catalog.person"]
        self.titles = [d["title"] for d in documents if d["title"] != "[Untitled]"]
        self.paragraphs = [
            p.strip()
            for d in documents
            for p in d["transcript"].split("\n\n")
            if 80 <= len(p.strip()) <= 1500 and not p.startswith(("|", "["))
        ]
        self.sentences = [
            s.strip() + "."
            for p in self.paragraphs
            for s in p.split(". ")[:1]
            if 40 <= len(s) <= 240
        ]
        surnames, given = set(), set()
        for person in people:
            sort_name = person["sort_name"]
            if "," in sort_name:
                surname, forenames = (part.strip() for part in sort_name.split(",", 1))
                if NAME.match(surname):
                    surnames.add(surname)
                first = forenames.split()[0] if forenames.split() else ""
                if NAME.match(first) and " " not in first and first not in NOT_GIVEN:
                    given.add(first)
            elif NAME.match(sort_name) and " " not in sort_name and len(sort_name) > 2:
                surnames.add(sort_name)
        self.surnames = sorted(surnames)
        self.given = sorted(given | set(GIVEN_FALLBACK))
        if len(self.paragraphs) < 20 or len(self.surnames) < 20 or not self.titles:
            raise CommandError(f"{path} holds too little text to generate documents from.")


class DatePool:
    """EDTF values by year, each parsed once with ``catalog.dates.parse`` (which is slow)."""

    def __init__(self, rng):
        self.rng = rng
        self.slots = {}
        self.parsed = {}

    def _make(self, year):
        rng = self.rng
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        shape = rng.random()
        if shape < 0.62:
            value = f"{year:04d}-{month:02d}-{day:02d}"
        elif shape < 0.82:
            value = f"{year:04d}-{month:02d}"
        elif shape < 0.90:
            value = f"{year:04d}"
        else:  # a range: days, months or years apart
            span = rng.choice(["days", "months", "years"])
            if span == "days":
                end = datetime(year, month, day) + timedelta(days=rng.randint(1, 20))
                value = f"{year:04d}-{month:02d}-{day:02d}/{end:%Y-%m-%d}"
            elif span == "months":
                end_year, end_month = divmod(year * 12 + month - 1 + rng.randint(1, 5), 12)
                value = f"{year:04d}-{month:02d}/{end_year:04d}-{end_month + 1:02d}"
            else:
                value = f"{year:04d}/{year + rng.randint(1, 4):04d}"
        mark = rng.random()
        if mark < 0.10:
            value = "/".join(part + "~" for part in value.split("/"))
        elif mark < 0.15:
            value = "/".join(part + "?" for part in value.split("/"))
        return value

    def pick(self, year):
        """A date in ``year``: (edtf, DateInfo)."""
        slot = (year, self.rng.randrange(DATES_PER_YEAR))
        if slot not in self.slots:
            self.slots[slot] = self._make(year)
        value = self.slots[slot]
        if value not in self.parsed:
            self.parsed[value] = dates.parse(value)
        return value, self.parsed[value]


class Command(BaseCommand):
    help = (
        "Generate N realistic documents for benchmarks, with people (Zipf-skewed: a few in "
        "thousands of documents), a three-level collection hierarchy, dates 1550–1950 (about "
        "10% approximate, 5% uncertain, some ranges) and 95% published. Texts and names "
        "come from fixtures/demo.json. Record IDs continue after the current maximum; derived "
        "date fields and collection paths are computed; everything is written with "
        "bulk_create in one transaction and added to the search index. Progress per batch at "
        "verbosity 1, each phase at 2, nothing at 0. Example: manage.py generate_documents "
        "100000"
    )

    def add_arguments(self, parser):
        parser.add_argument("count", type=int, metavar="N", help="How many documents to add.")
        parser.add_argument(
            "--people",
            type=int,
            default=20_000,
            help="How many people to create and name in the documents (default 20000).",
        )
        parser.add_argument(
            "--collections",
            type=int,
            default=500,
            help="How many collections to create, in three levels (default 500).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=1,
            help="Random seed: the same seed on the same database gives the same data (default 1).",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=5000,
            help="Rows per bulk insert and documents per progress line (default 5000).",
        )
        parser.add_argument(
            "--sample",
            default=str(SAMPLE),
            help="Fixture whose titles, transcripts and names are drawn from "
            "(default fixtures/demo.json).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Build everything in memory and report what would be written; write nothing.",
        )

    def handle(
        self,
        *args,
        count,
        people,
        collections,
        seed,
        batch_size,
        sample,
        dry_run,
        verbosity,
        **options,
    ):
        if count < 0 or people < 1 or collections < 1 or batch_size < 1:
            raise CommandError(
                "N must be 0 or more; --people, --collections and --batch-size at least 1."
            )
        self.verbosity, self.dry_run, self.batch_size = verbosity, dry_run, batch_size
        self.rng = random.Random(seed)
        self.sample = Sample(sample)
        self.started = time.monotonic()
        rights = {r.identifier: r for r in RightsStatement.objects.all()}
        self.rights = [(rights[i], w) for i, w in RIGHTS if i in rights] or [(None, 1)]
        with transaction.atomic():
            repositories = self.make_repositories(collections)
            leaves = self.make_collections(collections, repositories)
            persons = self.make_people(people)
            totals = self.make_documents(count, leaves, persons)
            if not self.dry_run:
                cache.bump()  # bulk_create sends no signals
        self.report(count, people, collections, len(repositories), totals)

    # -- helpers -------------------------------------------------------------------------

    def log(self, message, level=1):
        if self.verbosity >= level:
            self.stdout.write(message)

    def elapsed(self):
        return f"{time.monotonic() - self.started:.1f} s"

    def unique_slugs(self, model, texts, max_length=80):
        """Slugs for ``texts`` unused in ``model`` and among themselves (``-2``, ``-3``…)."""
        taken = set(model.objects.values_list("slug", flat=True))
        slugs = []
        for text in texts:
            base = slugify(text)[: max_length - 7].strip("-") or "item"
            slug, n = base, 1
            while slug in taken:
                n += 1
                slug = f"{base}-{n}"
            taken.add(slug)
            slugs.append(slug)
        return slugs

    def save(self, model, objects, key=None):
        """
        bulk_create (unless dry run) and return the objects with their primary keys; ``key``
        names a unique field to look them up by on a backend that cannot return new keys.
        """
        if self.dry_run or not objects:
            return objects
        created = model.objects.bulk_create(objects, batch_size=self.batch_size)
        if key and created[0].pk is None:
            keyed = model.objects.in_bulk([getattr(o, key) for o in created], field_name=key)
            for obj in created:
                obj.pk = keyed[getattr(obj, key)].pk
        return created

    # -- repositories, collections, people ------------------------------------------------

    def make_repositories(self, collections):
        """About one repository per 40 collections, reused when they exist already."""
        wanted = max(1, min(len(CITIES), collections // 40))
        names = [
            (f"{city} {REPOSITORY_KINDS[i % len(REPOSITORY_KINDS)]}", city)
            for i, city in enumerate(CITIES[:wanted])
        ]
        existing = Repository.objects.in_bulk([n for n, _ in names], field_name="name")
        new = [(n, c) for n, c in names if n not in existing]
        slugs = self.unique_slugs(Repository, [n for n, _ in new])
        created = self.save(
            Repository,
            key="slug",
            objects=[
                Repository(
                    name=name,
                    slug=slug,
                    place=city,
                    description="Generated for benchmarks by generate_documents.",
                )
                for (name, city), slug in zip(new, slugs, strict=True)
            ],
        )
        self.log(f"Repositories: {len(existing)} reused, {len(created)} new ({self.elapsed()})", 2)
        return list(existing.values()) + created

    def make_collections(self, total, repositories):
        """Fonds, series and files; returns the lowest level (where documents are filed)."""
        rng, sample = self.rng, self.sample
        top = max(1, round(total * 0.04))
        middle = min(total - top, max(1, round(total * 0.20)))
        bottom = total - top - middle
        levels, parents = [], [None]
        for level, size in enumerate([top, middle, bottom]):
            if size <= 0:
                break
            rows = []
            for i in range(size):
                parent = parents[i % len(parents)] if level else None
                if level == 0:
                    title = f"Papers of the {rng.choice(sample.surnames)} family"
                    repository = repositories[i % len(repositories)]
                elif level == 1:
                    title = f"{rng.choice(SERIES)}, series {i // len(parents) + 1}"
                    repository = parent.repository
                else:
                    first = rng.randint(FIRST_YEAR, LAST_YEAR - 10)
                    title = (
                        f"File {i // len(parents) + 1}: {rng.choice(SERIES).lower()}, "
                        f"{first}–{first + rng.randint(1, 10)}"
                    )
                    repository = parent.repository
                rows.append((title, parent, repository))
            slugs = self.unique_slugs(
                Collection,
                [f"{parent.slug if parent else ''} {title}"[-60:] for title, parent, _ in rows],
            )
            objects = [
                Collection(
                    title=title,
                    slug=slug,
                    parent=parent,
                    repository=repository,
                    kind=Collection.Kind.ARCHIVAL,
                    identifier=f"GEN-{level + 1}-{index + 1}",
                    tree_path=(parent.tree_path if parent else "") + f"{slug}/",
                    description="Generated for benchmarks by generate_documents.",
                )
                for index, ((title, parent, repository), slug) in enumerate(
                    zip(rows, slugs, strict=True)
                )
            ]
            parents = self.save(Collection, objects, key="slug")
            levels.append(parents)
        self.log(
            f"Collections: {' + '.join(str(len(level)) for level in levels)} ({self.elapsed()})", 2
        )
        return levels[-1]

    def make_people(self, total):
        """``total`` people with distinct names, life dates and a working life."""
        rng, sample = self.rng, self.sample
        names, seen = [], set(Person.objects.values_list("display_name", flat=True))
        letters = "ABCDEFGHIJKLMNOPRSTVW"
        attempts = 0
        while len(names) < total:
            attempts += 1
            given, surname = rng.choice(sample.given), rng.choice(sample.surnames)
            middle = f" {rng.choice(letters)}." if attempts > total // 4 else ""
            if attempts > total * 20:
                middle += f" {attempts}"  # the name pools are exhausted: number them
            display = f"{given}{middle} {surname}"
            if display not in seen:
                seen.add(display)
                names.append((display, f"{surname}, {given}{middle}"))
        slugs = self.unique_slugs(Person, [sort for _, sort in names])
        persons = []
        for (display, sort_name), slug in zip(names, slugs, strict=True):
            birth = rng.randint(FIRST_YEAR - 40, LAST_YEAR - 25)
            death = birth + rng.randint(35, 90)
            person = Person(
                display_name=display,
                sort_name=sort_name,
                slug=slug,
                birth_date=f"{birth}" if rng.random() < 0.7 else f"{birth}~",
                death_date=f"{death}" if death < 2000 else "",
                description="Generated for benchmarks by generate_documents.",
                search_names=person_search_names(display, sort_name, ""),
            )
            person.active = (max(FIRST_YEAR, birth + 18), min(LAST_YEAR, death))
            if person.active[0] > person.active[1]:
                person.active = (FIRST_YEAR, LAST_YEAR)
            persons.append(person)
        created = self.save(Person, persons, key="slug")
        rng.shuffle(created)  # popularity is unrelated to name order
        self.log(f"People: {len(created)} ({self.elapsed()})", 2)
        return created

    # -- documents ------------------------------------------------------------------------

    def make_documents(self, count, leaves, persons):
        rng, sample = self.rng, self.sample
        start = (Document.objects.aggregate(Max("record_id"))["record_id__max"] or 0) + 1
        person_weights = zipf_cum_weights(len(persons))
        contemporaries = self.contemporaries(persons)
        leaf_weights = zipf_cum_weights(len(leaves), offset=20.0)
        type_values = [t for t, _, _ in TYPES]
        type_weights = [w for _, w, _ in TYPES]
        stems = {t: s for t, _, s in TYPES}
        pool = DatePool(rng)
        now = datetime.now(UTC)
        totals = dict.fromkeys(
            (
                "documents",
                "published",
                "links",
                "collection_links",
                "events",
                "approximate",
                "uncertain",
                "ranges",
            ),
            0,
        )
        through = Document.collections.through

        for batch_start in range(0, count, self.batch_size):
            size = min(self.batch_size, count - batch_start)
            documents, plans = [], []
            for offset in range(size):
                [author] = rng.choices(persons, cum_weights=person_weights)
                year = rng.randint(*author.active)
                bucket, weights = contemporaries[(year - FIRST_YEAR) // 10]
                others = rng.choices(
                    bucket, cum_weights=weights, k=rng.choice([0, 1, 1, 1, 1, 2, 2, 3])
                )
                people, seen = [], set()
                for person in [author, *others]:
                    if id(person) not in seen:
                        seen.add(id(person))
                        people.append(person)
                edtf, info = pool.pick(year)
                doc_type = rng.choices(type_values, weights=type_weights)[0]
                title = self.title(doc_type, stems[doc_type], people)
                leaf = rng.choices(leaves, cum_weights=leaf_weights)[0]
                folder = [leaf]
                if rng.random() < 0.1:
                    other = rng.choice(leaves)
                    if other is not leaf:
                        folder.append(other)
                published = rng.random() < 0.95
                container = f"Box {rng.randint(1, 400)}, folder {rng.randint(1, 60)}"
                repository = leaf.repository
                documents.append(
                    Document(
                        record_id=start + batch_start + offset,
                        title=title[:500],
                        doc_type=doc_type,
                        date_edtf=info.edtf,
                        date_text=info.display,
                        date_earliest=info.earliest,
                        date_latest=info.latest,
                        date_approximate=info.approximate,
                        date_uncertain=info.uncertain,
                        summary=rng.choice(sample.sentences) if sample.sentences else "",
                        transcript="\n\n".join(
                            rng.sample(sample.paragraphs, rng.choice([1, 1, 2, 2, 3, 3, 4, 6]))
                        ),
                        language=weighted(rng, LANGUAGES),
                        repository=repository,
                        container=container,
                        source_note=f"{container}, {leaf.title}, "
                        f"{repository.name if repository else 'unknown archive'}",
                        rights=weighted(rng, self.rights),
                        rights_note="Generated for benchmarks; the text is drawn from Foreign "
                        "Relations of the United States (public domain).",
                        status=Document.Status.PUBLISHED if published else Document.Status.DRAFT,
                        published_at=now - timedelta(days=rng.randint(0, 1800))
                        if published
                        else None,
                    )
                )
                plans.append((people, folder))
                totals["approximate"] += info.approximate
                totals["uncertain"] += info.uncertain
                totals["ranges"] += "/" in info.edtf
                totals["published"] += published
            documents = self.save(Document, documents, key="record_id")
            links, filed, events = [], [], []
            for document, (people, folder) in zip(documents, plans, strict=True):
                for position, person in enumerate(people):
                    role = (
                        "author"
                        if position == 0
                        else (
                            "recipient"
                            if position == 1
                            and document.doc_type
                            not in ("memorandum", "diary", "report", "minutes")
                            else rng.choice(ROLES[1:])
                        )
                    )
                    links.append(
                        DocumentPerson(
                            document=document,
                            person=person,
                            role=role,
                            position=position,
                            uncertain=rng.random() < 0.03,
                        )
                    )
                filed += [through(document=document, collection=c) for c in folder]
                events += self.custody_chain(document)
            self.save(DocumentPerson, links)
            self.save(through, filed)
            self.save(ProvenanceEvent, events)
            if not self.dry_run:
                search.reindex([document.pk for document in documents])
            totals["documents"] += len(documents)
            totals["links"] += len(links)
            totals["collection_links"] += len(filed)
            totals["events"] += len(events)
            self.log(f"  {totals['documents']:,} / {count:,} documents ({self.elapsed()})")
        totals["distinct_dates"] = len(pool.parsed)
        return totals

    def contemporaries(self, persons):
        """
        decade index → (people active in that decade, Zipf weights), most popular first: the
        people a document names besides its author lived when it was written.
        """
        decades = {}
        for person in persons:  # already in popularity order
            first, last = person.active
            for decade in range((first - FIRST_YEAR) // 10, (last - FIRST_YEAR) // 10 + 1):
                decades.setdefault(decade, []).append(person)
        return {d: (people, zipf_cum_weights(len(people))) for d, people in decades.items()}

    def title(self, doc_type, stem, people):
        """A title in the catalogue's usual shapes, or a real FRUS title now and then."""
        rng = self.rng
        if stem is None or rng.random() < 0.15:
            return rng.choice(self.sample.titles)
        author = people[0].display_name
        if len(people) > 1 and doc_type not in ("memorandum", "diary", "report", "minutes"):
            if rng.random() < 0.5:
                return f"{author} to {people[1].display_name}"
            return f"{stem} {author} to {people[1].display_name}"
        return f"{stem} {author}"

    def custody_chain(self, document):
        rng = self.rng
        holder = document.repository.name if document.repository else ""
        chain = [
            ("held", "", holder, document.source_note),
            ("digitised", f"{rng.randint(1995, 2024)}", holder, ""),
        ]
        if document.status == Document.Status.PUBLISHED:
            chain.append(("published_online", document.published_at.date().isoformat(), holder, ""))
        return [
            ProvenanceEvent(
                document=document,
                position=position,
                event=event,
                date_edtf=date,
                agent=agent,
                source=source[:500],
            )
            for position, (event, date, agent, source) in enumerate(chain)
        ]

    def report(self, count, people, collections, repositories, totals):
        prefix = "Dry run, nothing written. Would have created" if self.dry_run else "Created"
        share = (
            (lambda n: f"{100 * n / totals['documents']:.0f}%")
            if totals["documents"]
            else (lambda n: "0%")
        )
        self.log(
            f"{prefix} {totals['documents']:,} documents ({share(totals['published'])} "
            f"published; {share(totals['approximate'])} approximate, "
            f"{share(totals['uncertain'])} uncertain, {share(totals['ranges'])} ranges; "
            f"{totals['distinct_dates']:,} distinct dates), {people:,} people, "
            f"{collections:,} collections ({repositories} repositories), "
            f"{totals['links']:,} person links, {totals['collection_links']:,} collection "
            f"links and {totals['events']:,} custody events in {self.elapsed()}."
        )
