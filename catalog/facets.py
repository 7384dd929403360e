"""
Facet counts and the date histogram beside the document list and search results.

Each facet counts the documents that every *other* active filter (the search included) lets
through, leaving out its own, so its values say what choosing them instead would give and
values of different facets combine.  The documents come from the FilterSet the view built on
its public gate (:meth:`catalog.filters.DocumentFilter.filtered`); nothing here tests a
document's status.

All the facets of a page, its histogram and its number of results are read in **one query**
(:class:`DocumentFacets`), so the work of the search and the filters is done once, not once
per facet:

- the documents a facet counts are a common table expression made of the SQL the ORM compiles
  for ``DocumentFilter.filtered(without=<the facet's own filters>)``, keeping only the columns
  the facets need.  Every facet whose own filter is not in use shares one such set, which the
  database materializes once; a facet whose filter is in use gets a set of its own;
- each facet groups its set (values on the document row: archive, type, language, rights,
  year) or joins its link table to it (people, subjects, collections) and keeps its top
  ``FACET_LIMIT + 1`` rows in SQL; names and titles are joined after that limit;
- the parts are put together with ``UNION ALL``.

The SQL written here is what PostgreSQL and SQLite share (common table expressions with
``MATERIALIZED``, ``COUNT(DISTINCT …)``, ``LIMIT`` in subqueries); whatever differs between
them (dates, string functions, full-text search) is compiled by the ORM.

The histogram counts each dated document once, under the decade (or, inside one decade, the
year) of its earliest date; undated and open-start documents are left out and counted in a
footnote when that costs nothing.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Case, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, ExtractYear, StrIndex, Substr
from django.http import QueryDict
from django.utils.text import Truncator

from . import search
from .dates import OPEN_START
from .models import (
    LANGUAGES,
    Collection,
    Document,
    DocumentPerson,
    Person,
    Repository,
    RightsStatement,
)

#: Values shown at first; the rest, up to ``FACET_LIMIT``, sit behind a "more" expander.
FACET_SHOWN = 10
FACET_LIMIT = 50
#: Beyond this many decades the histogram draws only decades that hold documents.
MAX_FILLED_DECADES = 60
#: PostgreSQL: each facet counts at most this many of its documents (settings
#: ``CATALOG_FACET_SAMPLE``); when more match, it counts this many spread evenly over them
#: and scales the counts up, and the page says "about".  SQLite always counts exactly.
FACET_SAMPLE = 10_000
#: PostgreSQL: the number of results is counted up to this many (``CATALOG_COUNT_CAP``);
#: beyond it, an estimate is shown, as "about": the planner's, or for a search the share of
#: the matches read that the other filters let through, times the number of matches.
COUNT_CAP = 10_000


def estimating(connection):
    """Whether counts above the thresholds are estimated on this database (PostgreSQL)."""
    return connection.vendor == "postgresql"


def facet_sample():
    return getattr(settings, "CATALOG_FACET_SAMPLE", FACET_SAMPLE)


def count_cap():
    return getattr(settings, "CATALOG_COUNT_CAP", COUNT_CAP)


def about(number):
    """An estimate to two significant figures, as a reader is told it: “about 12,000”."""
    if number >= 100:
        digits = len(str(int(number))) - 2
        number = round(number, -digits)
    return f"about {int(number):,}"


def query_string(params, *, drop=(), **values):
    """
    ``?…`` for the query ``params`` (a QueryDict) without ``drop``, with ``values`` set, and
    without the page number: a changed result starts again at page 1.
    """
    # The pairs are built directly rather than on a copy of the QueryDict: a page builds a
    # few hundred of these links, and copying a QueryDict deep-copies every list in it.
    removed = {*drop, *values, "page"}
    pairs = [
        (name, value) for name, items in params.lists() if name not in removed for value in items
    ]
    pairs.extend(values.items())
    encoded = urlencode(pairs)
    return f"?{encoded}" if encoded else "?"


@dataclass
class FacetValue:
    """One value of a facet: what it is called, how many documents, where choosing it leads."""

    value: str
    label: str
    count: int
    url: str = ""
    selected: bool = False
    #: The count is scaled up from a sample (PostgreSQL, more documents than FACET_SAMPLE).
    estimated: bool = False

    # Written out here rather than by template filters: a page shows a few hundred values.

    @property
    def count_number(self):
        return about(self.count) if self.estimated else f"{self.count:,}"

    @property
    def count_noun(self):
        return "document" if self.count == 1 else "documents"

    @property
    def count_text(self):
        """“1 document”, “1,204 documents”."""
        return f"{self.count_number} {self.count_noun}"

    @property
    def long_label(self):
        return len(self.label) > 90

    @property
    def short_label(self):
        """The label cut to 90 characters (as ``truncatechars:90``, without its cost)."""
        return Truncator(self.label).chars(90) if self.long_label else self.label


@dataclass
class Facet:
    """A facet: the filter parameter it sets, its heading and its values, most documents first."""

    name: str
    label: str
    values: list = field(default_factory=list)
    #: More values exist than were fetched (``FACET_LIMIT``).
    truncated: bool = False
    #: Plural noun for the "more" expander: "23 more people".
    noun: str = "values"
    #: The values sit inside the selected one (collections one level down).
    nested: bool = False

    #: How many values show before the "more" expander.
    shown = FACET_SHOWN

    @property
    def first(self):
        return self.values[:FACET_SHOWN]

    @property
    def rest(self):
        return self.values[FACET_SHOWN:]


#: The facets, in the order they are shown: parameter, the filters it leaves out, heading,
#: plural noun.  The people facet leaves out the role too and applies it to the link rows.
FACETS = [
    ("person", ("person", "role"), "People", "people"),
    ("collection", ("collection",), "Collections", "collections"),
    ("repository", ("repository",), "Archives", "archives"),
    ("subject", ("subject",), "Subjects", "subjects"),
    ("doc_type", ("doc_type",), "Types", "types"),
    ("language", ("language",), "Languages", "languages"),
    ("rights", ("rights",), "Rights", "rights statements"),
]
DATE_FILTERS = ("date_from", "date_to")
#: The columns of each set of counted documents, in this order.
BASE_COLUMNS = ("id", "doc_type", "language", "repository_id", "rights_id", "facet_year")
#: Searching (PostgreSQL): the column numbering the matches in the order they were read.
MATCH_NUMBER = "match_number"
#: PostgreSQL, not searching: and the columns of the date orders, for a page in date order
#: (``dated_page``) and for the results within a date range (``_within_dates``).
SORT_COLUMNS = ("date_earliest", "date_latest", "record_id")
#: The date orders of ``filters.SORTS``, written for those columns of a set of documents.
DATED_ORDERS = {
    "date": "date_earliest ASC NULLS LAST, date_latest ASC NULLS LAST, record_id ASC",
    "-date": "date_latest DESC NULLS LAST, date_earliest DESC NULLS LAST, record_id DESC",
}
#: PostgreSQL: and the document's people (``catalog_document.person_ids``, migration 0013).
PERSON_IDS = RawSQL('"catalog_document"."person_ids"', [])
#: The year of a document's earliest date; NULL when undated or open at the start.
FACET_YEAR = Case(
    When(
        date_earliest__gt=OPEN_START,
        then=Cast(ExtractYear("date_earliest"), IntegerField()),
    ),
    default=None,
    output_field=IntegerField(),
)


class DocumentFacets:
    """
    The facet counts and histogram of one validated :class:`~catalog.filters.DocumentFilter`,
    read in one query the first time either is asked for.
    """

    def __init__(self, filterset, *, ranked_page=None, dated_page=None):
        self.filterset = filterset
        self.cleaned = filterset.form.cleaned_data
        self.connection = connections[filterset.queryset.db]
        #: ``(start, stop)``: also read the ids of those entries of the search in relevance
        #: order (PostgreSQL), from the matches the facets count (:attr:`page_ids`).
        self.ranked_page = ranked_page
        #: PostgreSQL, not searching: each set of counted documents carries SORT_COLUMNS.
        self._sort_columns = estimating(self.connection) and not self.cleaned.get("q")
        #: ``(start, stop)``: also read the ids of those entries in the date order chosen,
        #: not searching (PostgreSQL), from the documents counted for the number of results
        #: when there are no more than ``count_cap()`` of them (:attr:`page_ids`).
        self.dated_page = (
            dated_page if self._sort_columns and filterset.sort_value in DATED_ORDERS else None
        )
        self._page_ids = None
        # PostgreSQL, searching: the matches are found and ranked once, in the CTE
        # ``facet_search`` (catalog_search_ranked), which every set of counted documents and
        # the ranked page read, instead of searching the index once each.
        self._search = None
        #: PostgreSQL: the people facet reads each document's ``person_ids`` (0013).
        self._person_arrays = self.connection.vendor == "postgresql"
        self._columns = BASE_COLUMNS + (("person_ids",) if self._person_arrays else ())
        if self._sort_columns:
            self._columns += SORT_COLUMNS
        if self.connection.vendor == "postgresql" and self.cleaned.get("q"):
            self._search = search.parse(self.cleaned["q"])
            self._columns += (MATCH_NUMBER,)
        start, end = self.cleaned.get("date_from"), self.cleaned.get("date_to")
        #: The decade the chosen dates lie in, when they lie in one: the histogram shows
        #: its years.
        self.decade = (
            start.start.year // 10 * 10
            if start and end and start.start.year // 10 == end.end.year // 10
            else None
        )
        self._rows = None
        #: What was scaled up from a sample: facet names, "decade"/"year", "total".
        self.estimated = set()
        self._levels = None  # (sql, params) mapping collections to the listed level

    # Reading

    @property
    def rows(self):
        """``{facet: [(value, label, number, count)]}`` from the one query."""
        if self._rows is None:
            self._rows = self._read()
        return self._rows

    def _active(self, name):
        return self.cleaned.get(name) not in (None, "", False)

    def _read(self):
        q = self.connection.ops.quote_name
        bases, parts = {}, []  # parts: (sql, params, the alias of the documents it counts)
        counted = {}  # facet (or "year"/"decade") → the alias of the documents it counts
        for name, own, *_ in FACETS:
            alias = self._base(bases, own)
            if alias:
                parts.append((*getattr(self, f"_{name}_sql")(q, alias), alias))
                counted[name] = alias
        dated_alias = alias = self._base(bases, DATE_FILTERS)
        if alias:
            parts.append((*self._histogram_sql(q, alias), alias))
            counted["year" if self.decade is not None else "decade"] = alias
        total_alias = self._base(bases, ())
        within_dates = self._sort_columns and dated_alias not in (None, total_alias)
        # The SQL of each set on its own, for the planner to estimate its size.
        by_alias = {alias: (sql, params) for sql, params, alias in bases.values()}
        if within_dates and total_alias:
            bases[()] = self._within_dates(q, bases[()], dated_alias)
        if self._search is not None and total_alias and self.ranked_page:
            parts.append((*self._page_sql(q), None))
        if self.dated_page and total_alias:
            parts.append((*self._dated_page_sql(q, total_alias), None))
        sample = facet_sample() if estimating(self.connection) else None
        if sample is None and total_alias:
            # The number of results, so that the page need not count them again.
            total = (
                f"SELECT 'total' AS facet, NULL AS value, NULL AS label, "
                f"CAST(NULL AS INTEGER) AS number, COUNT(*) AS n FROM {q(total_alias)} f"
            )
            parts.append((total, [], total_alias))
        elif sample is not None:
            # How many documents each set holds, up to the cap (the sample holds ``sample``
            # of them).
            # Searching, also how many matches were read to fill it, and how many there are.
            read = f"MAX(f.{q(MATCH_NUMBER)})" if self._search else "NULL"
            for _, _, alias in bases.values():
                if alias:
                    size = (
                        f"SELECT 'size' AS facet, '{alias}' AS value, NULL AS label, "
                        f"CAST({read} AS INTEGER) AS number, COUNT(*) AS n "
                        f"FROM {q(alias + '_all')} f"
                    )
                    parts.append((size, [], None))
            if self._search is not None:
                matches = (
                    "SELECT 'matches' AS facet, NULL AS value, NULL AS label, "
                    f"CAST(NULL AS INTEGER) AS number, COUNT(*) AS n FROM {q('facet_search')}"
                )
                parts.append((matches, [], None))
        if not parts:
            return {}
        uses = {}
        for *_, alias in parts:
            if alias:
                uses[alias] = uses.get(alias, 0) + 1
        materialized = "MATERIALIZED " if self._can_materialize() else ""
        columns = ", ".join(q(column) for column in self._columns)
        ctes, params = [], []
        if self._search is not None:
            search_sql, search_params = self._search_cte()
            ctes.append(search_sql)
            params.extend(search_params)
        # The set without the dates first: the results within them may be taken from it.
        ordered = sorted(
            bases.values(), key=lambda base: not within_dates or base[2] != dated_alias
        )
        for body_sql, body_params, alias in ordered:
            if alias:
                # A set several facets count is worked out once; one counted once is inlined.
                how = materialized if uses.get(alias, 0) > 1 else ""
                if sample is not None:
                    # Up to the cap of the documents, once; the facets count ``sample`` of
                    # them spread evenly over the set (all of them when there are no more).
                    ctes.append(
                        f"{q(alias + '_all')} ({columns}) AS MATERIALIZED "
                        f"(SELECT * FROM ({body_sql}) s LIMIT {count_cap() + 1})"
                    )
                    body_sql = self._spread_sample(q, alias + "_all", sample)
                ctes.append(f"{q(alias)} ({columns}) AS {how}({body_sql})")
                params.extend(body_params)
        if self._levels:
            levels_sql, levels_params = self._levels
            # Materialized, so each collection's level is looked up once, not once a link.
            ctes.append(
                f"{q('facet_levels')} ({q('id')}, {q('level_id')}) AS {materialized}({levels_sql})"
            )
            params.extend(levels_params)
        union = " UNION ALL ".join(
            f"SELECT * FROM ({sql}) {q(f'facet_part_{n}')}" for n, (sql, *_) in enumerate(parts)
        )
        for _, part_params, _ in parts:
            params.extend(part_params)
        rows = {}
        with self.connection.cursor() as cursor:
            cursor.execute(f"WITH {', '.join(ctes)} {union}", params)
            for facet, value, label, number, count in cursor.fetchall():
                rows.setdefault(facet, []).append((value, label, number, count))
        page = rows.pop("page", [])
        if self._search is not None and self.ranked_page:
            self._page_ids = [count for *_, count in page]
        if sample is None:
            return rows
        # Sets larger than the sample: counts scaled up from it, and marked as estimates.
        sizes, read = {}, {}
        for value, _, number, count in rows.pop("size", []):
            sizes[value], read[value] = count, number
        if self.dated_page and total_alias and sizes.get(total_alias, 0) <= count_cap():
            # Every result was counted: the page's ids are among them.
            self._page_ids = [count for *_, count in page]
        matches = rows.pop("matches", [(None, None, None, 0)])[0][3]
        for alias, size in sizes.items():
            if size > count_cap():
                if self._search is not None:
                    # The share of the matches read that the other filters let through,
                    # applied to all the matches.
                    sizes[alias] = max(size, round(matches * size / max(read[alias], 1)))
                else:
                    sizes[alias] = max(size, self._planned_rows(*by_alias[alias]))
        for name, alias in counted.items():
            size = sizes.get(alias, 0)
            if size > sample and name in rows:
                factor = size / sample
                rows[name] = [
                    (value, label, number, round(count * factor))
                    for value, label, number, count in rows[name]
                ]
                self.estimated.add(name)
        if total_alias:
            rows["total"] = [(None, None, None, sizes.get(total_alias, 0))]
            if sizes.get(total_alias, 0) > count_cap():
                self.estimated.add("total")
        return rows

    def _spread_sample(self, q, table, sample):
        """
        SQL for ``sample`` rows of ``table`` spread evenly over it (every row when it holds
        no more): row *n* of *size* is taken when ``n * sample / size`` passes a whole
        number.  The first rows alone would follow the plan's order, document ids for a
        person's links or a search's matches, and so in a catalogue imported in date order
        the earliest years.
        """
        columns = ", ".join(f"s.{q(column)}" for column in self._columns)
        row, size = q("facet_row"), q("facet_size")
        return (
            f"SELECT {columns} FROM (SELECT *, ROW_NUMBER() OVER () AS {row} "
            f"FROM {q(table)}) s CROSS JOIN (SELECT COUNT(*) AS {size} FROM {q(table)}) c "
            f"WHERE s.{row} * {sample} / c.{size} > (s.{row} - 1) * {sample} / c.{size}"
        )

    def _page_sql(self, q):
        """
        The ids of the ranked page's entries: the matches in ``facet_search`` best first,
        each looked up among the documents the other filters let through (a lateral
        subquery), until the page is full.  A broad search thus looks up a page's worth of
        its matches, not every one (44,000 lookups, 95 ms, for a word pair at 100,000
        documents), since the number of results is counted (or estimated) with the facets.
        """
        start, stop = self.ranked_page
        candidates = (
            self.filterset.filtered(without=("q",))
            .filter(pk=RawSQL(f"r.{q('document_id')}", []))
            .values("record_id")
        )
        candidates_sql, params = self._compile(candidates)
        sql = (
            "SELECT 'page' AS facet, NULL AS value, NULL AS label, "
            "CAST(NULL AS INTEGER) AS number, p.id AS n FROM ("
            f"SELECT r.{q('document_id')} AS id FROM ("
            f"SELECT * FROM {q('facet_search')} ORDER BY {q('rank')} DESC) r "
            f"CROSS JOIN LATERAL ({candidates_sql} OFFSET 0) c "
            f"ORDER BY r.{q('rank')} DESC, c.{q('record_id')} LIMIT %s OFFSET %s) p"
        )
        return sql, [*params, stop - start, start]

    def _within_dates(self, q, base, dated):
        """
        The results (``base``: SQL, parameters, alias) taken from the documents the histogram
        counts, those of every filter but the dates (``dated``), when that set is complete
        (no more than the cap): the ones within the dates.  Else found as ``base`` says.
        A popular person's documents within 20 years are then not looked up again (27 ms
        for 7,800 at 1,000,000 documents).  The test is ``DocumentQuerySet.overlapping``'s.
        """
        sql, params, alias = base
        documents = q(dated + "_all")
        complete = f"(SELECT COUNT(*) FROM {documents}) <= {count_cap()}"
        tests, values = [f"d.{q('date_earliest')} IS NOT NULL"], []
        start, end = self.cleaned.get("date_from"), self.cleaned.get("date_to")
        if start:
            tests.append(f"d.{q('date_latest')} >= %s")
            values.append(start.start)
        if end:
            tests.append(f"d.{q('date_earliest')} <= %s")
            values.append(end.end)
        derived = (
            f"SELECT d.* FROM {documents} d WHERE {complete} AND {' AND '.join(tests)} "
            f"UNION ALL SELECT o.* FROM ({sql}) o WHERE NOT {complete}"
        )
        return derived, [*values, *params], alias

    def _dated_page_sql(self, q, base):
        """
        The ids of the ``dated_page``'s entries: the documents counted for the number of
        results, in the date order chosen, when they are all of them (no more than the cap);
        else none, and the page reads its ids itself.  A person's documents are then looked
        up once a page rather than twice (21 ms a time for a popular person's 7,800 at
        1,000,000 documents).
        """
        start, stop = self.dated_page
        documents = q(base + "_all")
        sql = (
            "SELECT 'page' AS facet, NULL AS value, NULL AS label, "
            "CAST(NULL AS INTEGER) AS number, p.id AS n FROM ("
            f"SELECT {q('id')} FROM {documents} "
            f"WHERE (SELECT COUNT(*) FROM {documents}) <= {count_cap()} "
            f"ORDER BY {DATED_ORDERS[self.filterset.sort_value]} LIMIT %s OFFSET %s) p"
        )
        return sql, [stop - start, start]

    def _search_cte(self):
        """``facet_search (document_id, rank) AS MATERIALIZED (…)``: the search's ranked
        matches, found once for every set, the page and the number of results."""
        sql, params = search.BACKENDS["postgresql"].ranked_matches(self._search)
        return f'"facet_search" (document_id, rank) AS MATERIALIZED ({sql})', params

    @property
    def page_ids(self):
        """
        The ids of the entries ``ranked_page`` or ``dated_page`` asked for, in no particular
        order, or None when they were not read here (not PostgreSQL, another order, or
        more results than the cap).
        """
        self.rows  # noqa: B018 (one query reads them with the facets)
        return self._page_ids

    def _planned_rows(self, sql, params):
        """The planner's estimate of how many rows ``sql`` gives (PostgreSQL)."""
        with self.connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            import json

            plan = json.loads(plan)
        return int(plan[0]["Plan"]["Plan Rows"])

    def _compile(self, queryset):
        """The SQL and parameters the ORM writes for ``queryset`` on this database."""
        return queryset.query.get_compiler(connection=self.connection).as_sql()

    def _can_materialize(self):
        if self.connection.vendor == "sqlite":
            return self.connection.Database.sqlite_version_info >= (3, 35)
        return True

    def _base(self, bases, own):
        """
        The alias of the documents a facet leaving out ``own`` counts (None when no document
        can be in it): one shared set while none of ``own`` is in use.
        """
        q = self.connection.ops.quote_name
        without = tuple(name for name in own if self._active(name))
        if without not in bases:
            documents = self.filterset.filtered(
                without=without + (("q",) if self._search is not None else ())
            )
            if self._search is not None:
                documents = documents.filter(pk=RawSQL('r."document_id"', []))
            documents = (
                documents.prefetch_related(None)
                .select_related(None)
                .annotate(facet_year=FACET_YEAR)
            )
            fields = ["pk", "doc_type", "language", "repository", "rights", "facet_year"]
            if self._person_arrays:
                documents = documents.annotate(person_ids=PERSON_IDS)
                fields.append("person_ids")
            if self._sort_columns:
                fields.extend(SORT_COLUMNS)
            documents = documents.values(*fields)
            try:
                sql, params = self._compile(documents)
            except EmptyResultSet:
                bases[without] = (None, None, None)
                return None
            if self._search is not None:
                # Each match (numbered in the order found) looked up among the documents
                # the other filters let through, so that a set capped at ``count_cap()``
                # says how many matches it read: the share that passed estimates the rest.
                # The order found is the order stored: a filter that follows it skews the
                # share (docs/performance.md: reading best first instead cost 14 %).
                sql = (
                    f"SELECT c.*, r.{q(MATCH_NUMBER)} FROM (SELECT document_id, "
                    f"row_number() OVER () AS {q(MATCH_NUMBER)} FROM {q('facet_search')}) r "
                    f"CROSS JOIN LATERAL ({sql} OFFSET 0) c"
                )
            bases[without] = (sql, params, f"facet_documents_{len(bases)}")
        return bases[without][2]

    def _link_sql(self, q, base, *, name, through, target, value, label, where="", params=()):
        """Top values of a many-to-many facet: distinct counted documents per linked row."""
        document = q(through._meta.get_field("document").column)
        linked = q(through._meta.get_field(target).column)
        model = through._meta.get_field(target).related_model
        sql = (
            f"SELECT '{name}' AS facet, t.{q(value)} AS value, t.{q(label)} AS label, "
            f"CAST(NULL AS INTEGER) AS number, c.n AS n FROM ("
            f"SELECT l.{linked} AS id, COUNT(DISTINCT l.{document}) AS n "
            f"FROM {self._links_of(q, base, through)}"
            f"{where} GROUP BY l.{linked} ORDER BY n DESC, l.{linked} LIMIT {FACET_LIMIT + 1}"
            f") c JOIN {q(model._meta.db_table)} t ON t.{q('id')} = c.id"
        )
        return sql, list(params)

    def _links_of(self, q, base, through):
        """
        ``FROM`` the rows of the link table ``through`` (``l``) of each document of ``base``
        (``f``).  PostgreSQL looks each document's links up in the table's index (a lateral
        subquery it may not flatten, ``OFFSET 0``), so a facet costs as much as the documents
        it counts, at most the sample: its planner cannot know how many a search matches
        (``catalog_search_ranked`` says 5,000 whatever the words) and would otherwise hash
        the whole link table for three matches (40 ms at 100,000 documents, ten times that
        at 1,000,000).  SQLite joins the table to the documents as its planner chooses.
        """
        table = q(through._meta.db_table)
        document = q(through._meta.get_field("document").column)
        if self.connection.vendor == "postgresql":
            return (
                f"{q(base)} f CROSS JOIN LATERAL (SELECT * FROM {table} l "
                f"WHERE l.{document} = f.{q('id')} OFFSET 0) l"
            )
        return f"{table} l JOIN {q(base)} f ON f.{q('id')} = l.{document}"

    def _person_sql(self, q, base):
        role = self.cleaned.get("role")
        if self._person_arrays and not role:
            # Each counted document's people from its own row (the index entry the set was
            # read from), rather than a probe of the link table per document.
            sql = (
                f"SELECT 'person' AS facet, t.{q('slug')} AS value, "
                f"t.{q('display_name')} AS label, CAST(NULL AS INTEGER) AS number, c.n AS n "
                f"FROM (SELECT p.id, COUNT(*) AS n FROM {q(base)} f "
                f"CROSS JOIN LATERAL unnest(f.{q('person_ids')}) AS p (id) "
                f"GROUP BY p.id ORDER BY n DESC, p.id LIMIT {FACET_LIMIT + 1}) c "
                f"JOIN {q(Person._meta.db_table)} t ON t.{q('id')} = c.id"
            )
            return sql, []
        where = f" WHERE l.{q('role')} = %s" if role else ""
        return self._link_sql(
            q,
            base,
            name="person",
            through=DocumentPerson,
            target="person",
            value="slug",
            label="display_name",
            where=where,
            params=[role] if role else [],
        )

    def _subject_sql(self, q, base):
        return self._link_sql(
            q,
            base,
            name="subject",
            through=Document.subjects.through,
            target="subject",
            value="slug",
            label="name",
        )

    def _collection_sql(self, q, base):
        """
        Collections one level below the chosen one (the top level when none is chosen), each
        counting the documents in it or in any collection inside it, once each, as the
        collection filter finds them.
        """
        chosen = self.cleaned.get("collection")
        prefix = chosen.tree_path if chosen else ""
        levels = Collection.objects.all()
        if prefix:
            levels = levels.filter(tree_path__startswith=prefix).exclude(tree_path=prefix)
        # The path cut after the next "/" past the prefix is the path of the collection at
        # that level holding (or being) this one; each collection is mapped to that one's id.
        rest = Substr("tree_path", len(prefix) + 1)
        level_path = Substr("tree_path", 1, StrIndex(rest, Value("/")) + Value(len(prefix)))
        at_level = Collection.objects.filter(tree_path=OuterRef("level_path")).values("id")
        self._levels = self._compile(
            levels.order_by()
            .annotate(level_path=level_path)
            .annotate(level_id=Subquery(at_level[:1]))
            .values("id", "level_id")
        )
        through = Document.collections.through
        document = q(through._meta.get_field("document").column)
        collection = q(through._meta.get_field("collection").column)
        sql = (
            f"SELECT 'collection' AS facet, t.{q('slug')} AS value, t.{q('title')} AS label, "
            f"CAST(NULL AS INTEGER) AS number, c.n AS n FROM ("
            f"SELECT lv.{q('level_id')} AS id, COUNT(DISTINCT l.{document}) AS n "
            f"FROM {self._links_of(q, base, through)} "
            f"JOIN {q('facet_levels')} lv ON lv.{q('id')} = l.{collection} "
            f"GROUP BY lv.{q('level_id')} ORDER BY n DESC, lv.{q('level_id')} "
            f"LIMIT {FACET_LIMIT + 1}) c JOIN {q(Collection._meta.db_table)} t "
            f"ON t.{q('id')} = c.id"
        )
        return sql, []

    def _column_sql(self, q, base, *, name, column, model=None, value="", label=""):
        """Values held on the document row, with their names from ``model`` when given."""
        column = q(column)
        if model is None:
            sql = (
                f"SELECT '{name}' AS facet, f.{column} AS value, NULL AS label, "
                f"CAST(NULL AS INTEGER) AS number, COUNT(*) AS n FROM {q(base)} f "
                f"WHERE f.{column} <> '' GROUP BY f.{column}"
            )
            return sql, []
        sql = (
            f"SELECT '{name}' AS facet, t.{q(value)} AS value, t.{q(label)} AS label, "
            f"CAST(NULL AS INTEGER) AS number, c.n AS n FROM ("
            f"SELECT f.{column} AS id, COUNT(*) AS n FROM {q(base)} f "
            f"WHERE f.{column} IS NOT NULL GROUP BY f.{column} "
            f"ORDER BY n DESC, f.{column} LIMIT {FACET_LIMIT + 1}"
            f") c JOIN {q(model._meta.db_table)} t ON t.{q('id')} = c.id"
        )
        return sql, []

    def _repository_sql(self, q, base):
        return self._column_sql(
            q,
            base,
            name="repository",
            column="repository_id",
            model=Repository,
            value="slug",
            label="name",
        )

    def _rights_sql(self, q, base):
        return self._column_sql(
            q,
            base,
            name="rights",
            column="rights_id",
            model=RightsStatement,
            value="identifier",
            label="label",
        )

    def _doc_type_sql(self, q, base):
        return self._column_sql(q, base, name="doc_type", column="doc_type")

    def _language_sql(self, q, base):
        return self._column_sql(q, base, name="language", column="language")

    def _histogram_sql(self, q, base):
        """Documents per decade, or per year of the chosen decade, by their earliest date."""
        year = f"f.{q('facet_year')}"
        if self.decade is None:
            period = f"({year} / 10) * 10"
            sql = (
                f"SELECT 'decade' AS facet, NULL AS value, NULL AS label, {period} AS number, "
                f"COUNT(*) AS n FROM {q(base)} f WHERE {year} IS NOT NULL GROUP BY {period}"
            )
            return sql, []
        sql = (
            f"SELECT 'year' AS facet, NULL AS value, NULL AS label, {year} AS number, "
            f"COUNT(*) AS n FROM {q(base)} f WHERE {year} BETWEEN %s AND %s GROUP BY {year}"
        )
        return sql, [self.decade, self.decade + 9]

    @property
    def total(self):
        """How many documents every filter (and the search) lets through."""
        rows = self.rows.get("total")
        return rows[0][3] if rows else 0

    @property
    def total_estimated(self):
        """Whether ``total`` is the planner's estimate (PostgreSQL, above ``COUNT_CAP``)."""
        return "total" in self.estimated and bool(self.rows)

    # Facets

    def facets(self, params, *, result_count, drop_urls):
        """
        The facets as :class:`Facet` (empty ones left out), in the order of ``FACETS``.

        ``params`` is the query string (links keep it, replacing the facet's own value);
        ``result_count`` the number of documents every filter gives, which is also the count
        of each chosen value; ``drop_urls`` maps a parameter to the link that removes it (the
        chips' links), used for chosen values.
        """
        labels = {"doc_type": dict(Document.Type.choices), "language": dict(LANGUAGES)}
        facets = []
        for name, _own, heading, noun in FACETS:
            rows = self.rows.get(name, [])
            estimated = name in self.estimated
            values = [
                FacetValue(
                    value, label or labels[name].get(value, value), count, estimated=estimated
                )
                for value, label, _number, count in rows
            ]
            values.sort(key=lambda v: (-v.count, v.label.casefold(), v.value))
            facet = Facet(name, heading, values[:FACET_LIMIT], len(values) > FACET_LIMIT, noun)
            if name == "person" and self.cleaned.get("role"):
                role = DocumentPerson.Role(self.cleaned["role"]).label.lower()
                facet.label = f"People, as {role}"
            facet.nested = name == "collection" and bool(self.cleaned.get("collection"))
            self._link(facet, params, result_count, drop_urls)
            if facet.values:
                facets.append(facet)
        return facets

    def _link(self, facet, params, result_count, drop_urls):
        """Each value's link; the chosen value (added when not among the top) removes it."""
        chosen = self.cleaned.get(facet.name)
        key = _key(chosen)
        for value in facet.values:
            value.selected = value.value == key
            value.url = (
                drop_urls.get(facet.name, "")
                if value.selected
                else query_string(params, **{facet.name: value.value})
            )
        if key and not any(value.selected for value in facet.values):
            # Chosen elsewhere (a person page, say) and not among the top values, or the
            # collection whose sub-collections are listed.
            facet.values.insert(
                0,
                FacetValue(
                    key,
                    _chosen_label(facet.name, chosen),
                    result_count,
                    drop_urls.get(facet.name, ""),
                    True,
                    estimated=self.total_estimated,
                ),
            )

    # Histogram

    def histogram(self, params, *, result_count):
        """
        The histogram for the list: every filter but the dates applies, so each bar says what
        choosing that period gives.  Per year when the chosen range lies inside one decade,
        else per decade; the chosen range's bars are marked.
        """
        start, end = self.cleaned.get("date_from"), self.cleaned.get("date_to")
        selected = None
        if start or end:
            selected = (start.start.year if start else 1, end.end.year if end else 9999)

        def url_for(first, last):
            date_from, date_to = _year_range(first, last)
            return query_string(params, date_from=date_from, date_to=date_to)

        all_url = query_string(params, drop=DATE_FILTERS)
        if self.decade is not None:
            decade = self.decade
            rows = [{"year": number, "count": n} for _, _, number, n in self.rows.get("year", [])]
            histogram = Histogram(
                "year", year_bars(decade, rows, url_for, selected=selected), decade=decade
            )
            histogram.mark_estimated("year" in self.estimated)
            histogram.all_url = all_url
            if decade >= 10:
                histogram.previous = Bar(
                    f"{decade - 10}s", 0, url_for(max(decade - 10, 1), decade - 1), decade - 10, 0
                )
            if decade + 10 <= 9990:
                histogram.next = Bar(
                    f"{decade + 10}s", 0, url_for(decade + 10, decade + 19), decade + 10, 0
                )
            if not histogram.total:
                histogram.bars = []  # keep the ways out, draw no empty decade
            return histogram
        rows = sorted(
            ({"decade": number, "count": n} for _, _, number, n in self.rows.get("decade", [])),
            key=lambda row: row["decade"],
        )
        histogram = Histogram(
            "decade",
            decade_bars(rows, url_for, selected=selected),
            all_url=all_url if selected else "",
        )
        if histogram.mark_estimated("decade" in self.estimated):
            return histogram  # no footnote of undated documents from estimates
        if not selected:
            # Without a date filter the result count covers the same documents as the bars.
            histogram.undated = result_count - histogram.total
        return histogram


def _key(chosen):
    """The URL value of a chosen filter value (a slug, code or identifier)."""
    if chosen in (None, ""):
        return ""
    return getattr(chosen, "slug", chosen)


def _chosen_label(name, chosen):
    if name == "language":
        return dict(LANGUAGES).get(chosen, chosen)
    if name == "doc_type":
        return Document.Type(chosen).label
    return str(chosen)


# The date histogram


@dataclass
class Bar:
    """One period of the histogram: its label, its documents, the link that filters to it."""

    label: str
    count: int
    url: str
    first_year: int
    last_year: int
    selected: bool = False
    #: Height as a percentage of the tallest bar (at least 2 when there are documents).
    height: int = 0
    #: Whether the label is drawn under the bar on wide screens, and on narrow ones (every
    #: bar's label is in its link text whether drawn or not).
    tick: bool = True
    major: bool = True
    #: The count is scaled up from a sample (see ``FACET_SAMPLE``).
    estimated: bool = False

    @property
    def count_text(self):
        """“312 documents”, “1 document”, “no documents”, “about 12,000 documents”."""
        if not self.count:
            return "no documents"
        number = about(self.count) if self.estimated else f"{self.count:,}"
        return f"{number} document{'' if self.count == 1 else 's'}"


@dataclass
class Histogram:
    """Documents per decade, or per year inside one decade, ready to draw."""

    unit: str  # "decade" or "year"
    bars: list
    #: Links around a one-decade view: all decades, the decades before and after.
    all_url: str = ""
    previous: Bar | None = None
    next: Bar | None = None
    #: Documents left out because they are undated or open at the start (None: not counted).
    undated: int | None = None
    #: The decade whose years are drawn (unit "year").
    decade: int | None = None

    @property
    def total(self):
        return sum(bar.count for bar in self.bars)

    def mark_estimated(self, estimated):
        """Mark every bar's count as an estimate (or not); returns ``estimated``."""
        for bar in self.bars:
            bar.estimated = estimated
        if self.previous:
            self.previous.estimated = estimated
        if self.next:
            self.next.estimated = estimated
        return estimated

    @property
    def caption(self):
        if self.unit == "year":
            return f"Documents per year, {self.decade}s"
        return "Documents per decade"


def _scale(bars):
    top = max((bar.count for bar in bars), default=0)
    for bar in bars:
        bar.height = max(2, round(100 * bar.count / top)) if bar.count and top else 0
    return bars


def _within(first_year, last_year, bounds):
    """Whether the years overlap the chosen range ``bounds`` = (start year, end year)."""
    if bounds is None:
        return False
    start, end = bounds
    return first_year <= end and last_year >= start


def decade_bars(rows, url_for, *, selected=None):
    """
    Bars for ``rows`` ``[{"decade", "count"}]`` in order, empty decades between them filled
    in (when there are not too many); ``url_for(first_year, last_year)`` links each bar.
    """
    counts = {row["decade"]: row["count"] for row in rows}
    if not counts:
        return []
    low, high = min(counts), max(counts)
    decades = (
        range(low, high + 10, 10) if (high - low) // 10 < MAX_FILLED_DECADES else sorted(counts)
    )
    bars = []
    for decade in decades:
        first, last = max(decade, 1), decade + 9
        count = counts.get(decade, 0)
        bars.append(
            Bar(
                f"{decade}s",
                count,
                url_for(first, last) if count else "",
                first,
                last,
                _within(first, last, selected),
            )
        )
    _label_ticks(bars, [10, 20, 50, 100, 200, 500, 1000, 2000, 5000])
    return _scale(bars)


#: At most this many labels under the bars on wide screens, and on narrow ones.
WIDE_TICKS, NARROW_TICKS = 12, 6


def _label_ticks(bars, steps):
    """
    Mark which bars get a drawn label: those whose first year is a multiple of the smallest
    of ``steps`` (in years) that keeps the labels few enough not to run into each other.
    """

    def step_for(most):
        for step in steps:
            if sum(1 for bar in bars if bar.first_year % step == 0) <= most:
                return step
        return None

    wide, narrow = step_for(WIDE_TICKS), step_for(NARROW_TICKS)
    for bar in bars:
        bar.tick = bool(wide) and bar.first_year % wide == 0
        bar.major = bool(narrow) and bar.first_year % narrow == 0


def year_bars(decade, rows, url_for, *, selected=None):
    """Bars for the ten years of ``decade`` from ``rows`` ``[{"year", "count"}]``."""
    counts = {row["year"]: row["count"] for row in rows}
    bars = [
        Bar(
            str(year),
            counts.get(year, 0),
            url_for(year, year) if counts.get(year) else "",
            year,
            year,
            _within(year, year, selected),
        )
        for year in range(max(decade, 1), decade + 10)
    ]
    _label_ticks(bars, [1, 2, 5, 10])
    return _scale(bars)


def _year_range(first, last):
    return f"{first:04d}", f"{last:04d}"


def home_histogram(decade_rows, document_count, list_url):
    """The home page's histogram from ``decade_counts()`` rows of all published documents."""
    empty = QueryDict(mutable=True)

    def url_for(first, last):
        date_from, date_to = _year_range(first, last)
        return list_url + query_string(empty, date_from=date_from, date_to=date_to)

    histogram = Histogram("decade", decade_bars(decade_rows, url_for))
    histogram.undated = document_count - histogram.total
    return histogram


__all__ = [
    "Bar",
    "Facet",
    "FacetValue",
    "Histogram",
    "decade_bars",
    "DocumentFacets",
    "home_histogram",
    "query_string",
    "year_bars",
]
