"""
Full-text search over documents: one query language, one function, two database backends.

:func:`search` narrows a queryset of documents to those matching what a researcher typed and
ranks them; :func:`snippets` gives each document of a results page its best matching passage
with the matches marked; :func:`reindex` keeps the index in step with the documents (the
signals in :mod:`catalog.signals` call it on every save; bulk writers call it themselves).

What a researcher may type (the same on every database):

- words, all of which must be found (``stalin japan``);
- ``"quoted phrases"``, found as written (``"inner defense line"``);
- ``OR`` (any case) between two words or phrases: either will do (``harriman OR churchill``);
  it binds tighter than the spaces, so ``stalin harriman OR churchill`` means stalin and one
  of the other two;
- ``-word`` or ``-"a phrase"``: documents containing it are left out;
- ``AND`` in capitals may stand between words; it changes nothing.

Everything else is read as text: an unbalanced quote runs to the end, stray operators and
punctuation are ignored, and database syntax (``&``, ``|``, ``!``, ``NEAR(``, ``*``, ``:``,
``^``) never reaches the database as syntax.  Matching is case- and accent-insensitive
("Schonberg" finds "Schönberg", "Droyssig" finds "Droyßig") and by word stem ("telegrams"
finds "telegram").  Text with nothing to search for raises :class:`EmptyQuery`.

What is indexed, by weight: A the title; B the summary and the names of the document's people,
alternate names included; C the transcript and the source note.  The index may hold drafts:
:func:`search` only narrows the queryset it is given, and public callers give it
``Document.objects.published()``.

Backends, chosen by the database's vendor (both created by migration ``0005_search``):

- PostgreSQL: table ``catalog_search`` (document id, weighted ``tsvector``) with a GIN index;
  the text search configuration ``catalog_search`` (English stemming without stop words, after
  ``unaccent``); ``websearch_to_tsquery`` for each part of the query; ``ts_rank`` (the
  vectors are stored in the row, ``STORAGE MAIN``, migration 0010, so ranking a match reads
  no TOAST table); ``ts_headline`` over one passage of a long text, the one that best matches
  (``catalog_search_passage``, migration 0014: windows of the transcript and source note with
  a vector each), so a snippet does not parse the whole text.
- SQLite: the FTS5 table ``catalog_search`` (rowid = document id; columns title, names, body;
  tokenizer ``porter unicode61 remove_diacritics 2``); ``bm25`` with column weights 10, 4, 1;
  ``snippet``.

Known differences: PostgreSQL stems with Snowball's English stemmer and SQLite with Porter's,
so a few words stem apart ("nearly" is "near" to one and "nearli" to the other); ``search_rank``
values are on different scales (compare orders, not numbers); snippets from PostgreSQL leave
out HTML tags found in the text, SQLite's show them escaped; where the transcript has each of
the words but no passage has them all, PostgreSQL shows the summary and names if they have
them all, SQLite the transcript's passage.
"""

import itertools
import json
import re
import unicodedata
from dataclasses import dataclass

from django.db import connections, router, transaction
from django.db.models import BigIntegerField, BooleanField, Expression, F, FloatField
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

__all__ = [
    "EmptyQuery",
    "search",
    "page",
    "ranked_rows",
    "matching",
    "snippets",
    "reindex",
    "prune",
    "parse",
]

#: The index table (a plain table on PostgreSQL, an FTS5 virtual table on SQLite) and, on
#: PostgreSQL, the text search configuration.
INDEX_TABLE = "catalog_search"
CONFIG = "catalog_search"
#: PostgreSQL only: the passages of long texts that snippets are taken from (migration 0014).
PASSAGE_TABLE = "catalog_search_passage"

#: Longer input is cut here before it is read; more words than this are ignored.
MAX_CHARACTERS = 1000
MAX_WORDS = 32
#: Roughly how many words a snippet shows.
SNIPPET_WORDS = 30

# Private-use characters mark where a match starts and stops in a snippet while it is still
# plain text; stored text is stripped of them before it is indexed or highlighted, so only
# the database's markers can become <mark> tags after the text is escaped.
START, STOP = "\ue000", "\ue001"
ELLIPSIS = "…"

# Characters that PostgreSQL's text parser would glue words together with ("U.S.",
# "well-known", "a/b", "+1", "x@y", "<tag>"), replaced by spaces before indexing so that it
# splits words where SQLite's unicode61 tokenizer does.
_PG_GLUE = ".-/+~@:<>&" + START + STOP


class EmptyQuery(ValueError):
    """
    The search text has nothing to search for (only spaces, punctuation, operators, or only
    words to leave out).  The message is a sentence to show the researcher as it is.
    """

    def __init__(self, message, *, code):
        super().__init__(message)
        self.code = code


# -- the query language -------------------------------------------------------------------

Phrase = tuple[str, ...]


@dataclass(frozen=True)
class Query:
    """
    A parsed search: every clause must match (a clause is one or more phrases joined by OR,
    a phrase one or more words in a row) and no excluded phrase may.
    """

    clauses: tuple[tuple[Phrase, ...], ...]
    excluded: tuple[Phrase, ...]


def _words(text):
    """
    The words in ``text``: runs of letters and digits of any script (with the accents and
    vowel signs that follow them); everything else separates words.  Each word is quoted when
    it reaches the database, whose tokenizer may split it further into a phrase.
    """
    words, current = [], []
    for char in text:
        category = unicodedata.category(char)[0]
        if category in "LN" or (category == "M" and current):
            current.append(char)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return words


def _shown(text, limit=40):
    """``text`` as it may be quoted back in a message: printable, on one line, not too long."""
    text = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def _phrase_text(phrase):
    return phrase[0] if len(phrase) == 1 else '"' + " ".join(phrase) + '"'


def parse(text):
    """
    Read what a researcher typed into a :class:`Query`; raise :class:`EmptyQuery` when it has
    nothing to search for.  Never fails otherwise, whatever the text.
    """
    original = str(text or "")
    cleaned = unicodedata.normalize("NFC", original[:MAX_CHARACTERS])
    cleaned = cleaned.replace(START, " ").replace(STOP, " ")
    # (negated, phrase, joined to the previous item by OR)
    items, pending_or, budget = [], False, MAX_WORDS
    position, length = 0, len(cleaned)
    while position < length and budget > 0:
        char = cleaned[position]
        if char.isspace() or char == "\x00":
            position += 1
            continue
        negated = False
        if char == "-":  # "-word", '-"a phrase"'; a lone "-" is nothing
            while position < length and cleaned[position] == "-":
                position += 1
            negated = True
            if position >= length or cleaned[position].isspace():
                continue
            char = cleaned[position]
        if char == '"':
            end = cleaned.find('"', position + 1)
            end = length if end == -1 else end
            words = _words(cleaned[position + 1 : end])
            position = end + 1
        else:
            end = position
            while end < length and not cleaned[end].isspace() and cleaned[end] != '"':
                end += 1
            chunk = cleaned[position:end]
            position = end
            operator = chunk.lower() == "or" or chunk == "AND"
            if not negated and chunk.lower() == "or":
                pending_or = True
            words = [] if operator else _words(chunk)
        if not words:
            continue
        words = words[:budget]
        budget -= len(words)
        items.append((negated, tuple(words), pending_or))
        pending_or = False

    clauses, excluded, previous_positive = [], [], False
    for negated, phrase, joined in items:
        if negated:
            excluded.append(phrase)
            previous_positive = False
        elif joined and previous_positive:
            clauses[-1].append(phrase)
        else:
            clauses.append([phrase])
            previous_positive = True

    if not clauses:
        if excluded:
            shown = _shown(" ".join("-" + _phrase_text(phrase) for phrase in excluded))
            raise EmptyQuery(
                f"Type at least one word to search for; “{shown}” only says what to leave out.",
                code="only_excluded",
            )
        if not original.strip():
            raise EmptyQuery("Type at least one word to search for.", code="blank")
        raise EmptyQuery(
            f"Type at least one word to search for; “{_shown(original)}” has only punctuation "
            "and search operators in it.",
            code="no_words",
        )
    return Query(tuple(tuple(clause) for clause in clauses), tuple(excluded))


# -- backends -----------------------------------------------------------------------------

# The three indexed texts, body first (the order snippets prefer), for each vendor; ``d`` is
# the document and ``n.names`` its people's names (see _NAMES_SQL).
_FIELDS_SQL = {
    "postgresql": (
        "d.transcript || E'\\n\\n' || d.source_note",
        "d.summary || E'\\n' || coalesce(n.names, '')",
        "d.title",
    ),
    "sqlite": (
        "d.transcript || char(10) || char(10) || d.source_note",
        "d.summary || char(10) || coalesce(n.names, '')",
        "d.title",
    ),
}
# Each document's people, display and alternate names, one a line.
_NAMES_SQL = {
    "postgresql": """
        SELECT dp.document_id,
               string_agg(p.display_name || E'\\n' || p.alternate_names, E'\\n'
                          ORDER BY dp.position, dp.id) AS names
        FROM catalog_documentperson dp
        JOIN catalog_person p ON p.id = dp.person_id
        {where}
        GROUP BY dp.document_id
    """,
    "sqlite": """
        SELECT dp.document_id,
               group_concat(p.display_name || char(10) || p.alternate_names, char(10)) AS names
        FROM catalog_documentperson dp
        JOIN catalog_person p ON p.id = dp.person_id
        {where}
        GROUP BY dp.document_id
    """,
}


class _Correlated(Expression):
    """
    A correlated subquery on the outer document (its rank, by default, or whether it matches);
    ``template`` holds the query's placeholders first and ``{document}`` (the outer primary
    key column) last.
    """

    output_field = FloatField()

    def __init__(self, template, params, output_field=None):
        super().__init__(output_field=output_field)
        self.template, self.params = template, tuple(params)
        self.document = F("pk")

    def get_source_expressions(self):
        return [self.document]

    def set_source_expressions(self, exprs):
        (self.document,) = exprs

    def as_sql(self, compiler, connection):
        document_sql, document_params = compiler.compile(self.document)
        return self.template.format(document=document_sql), [*self.params, *document_params]


def _fragment(headline, text, cut_before=False, cut_after=False):
    """
    ``(headline, cut at start, cut at end)``: whether ``text``, the text ``headline`` was taken
    from, has more words before or after it (or, with ``cut_before``/``cut_after``, the text
    that ``text`` is a passage of).  A missing headline is an empty fragment.
    """
    if headline is None:
        return ("", False, False)
    text = text or ""
    plain = headline.replace(START, "").replace(STOP, "").strip()
    start = text.find(plain) if plain else 0
    if start < 0:  # not a substring (the headline left out markup): say it is cut
        return (headline, True, True)
    before, after = text[:start], text[start + len(plain) :]
    return (headline, cut_before or _has_words(before), cut_after or _has_words(after))


def _has_words(text):
    """Whether ``text`` has more than spaces and punctuation (which a headline may drop)."""
    return any(char.isalnum() for char in text)


class PostgreSQLBackend:
    """``tsvector`` rows in ``catalog_search``, searched with ``websearch_to_tsquery``."""

    # ts_headline options; the markers are private-use characters (see START, STOP).
    HEADLINE_OPTIONS = (
        f'StartSel="{START}", StopSel="{STOP}", MaxWords={SNIPPET_WORDS}, '
        f"MinWords={SNIPPET_WORDS // 2}, ShortWord=2, MaxFragments=1"
    )

    @staticmethod
    def _parts(query):
        """The query in ``websearch_to_tsquery`` syntax, one string per clause."""

        def quoted(phrase):
            return '"' + " ".join(phrase) + '"'

        positive = [" or ".join(quoted(phrase) for phrase in clause) for clause in query.clauses]
        return positive, ["-" + quoted(phrase) for phrase in query.excluded]

    def tsquery(self, query):
        """
        SQL for the query as one ``tsquery``, and its parameters: a ``websearch_to_tsquery``
        per clause (its phrases joined by ``or``) and per excluded phrase, joined with ``&&``,
        so OR binds tighter than the AND between clauses.
        """
        positive, excluded = self._parts(query)
        parts = positive + excluded
        sql = " && ".join([f"websearch_to_tsquery('{CONFIG}', %s)"] * len(parts))
        return f"({sql})", parts

    def matching(self, query):
        """The matching ids, read through the GIN index (``catalog_search_matches``, 0009)."""
        sql, params = self.tsquery(query)
        return RawSQL(
            f"SELECT catalog_search_matches({sql})",
            params,
            output_field=BigIntegerField(),
        )

    #: Above this many matches a search counts as broad (``sorted_matching``).
    BROAD = 2000

    def sorted_matching(self, queryset, query):
        """
        ``queryset`` narrowed to the matches, for a list in another order than relevance
        (the admin's, by date): the plan depends on how many documents match.

        - Few (at most ``BROAD``): their ids from the GIN index, as :meth:`matching`; the
          list then sorts them.
        - Many: a test of each document's own vector (``EXISTS``), so that PostgreSQL walks
          the list's order and stops at the end of the page: 7 ms for a word in 194,000 of
          1,000,000 documents, where collecting every match first took 2.5 s.  For a rare
          word the same walk would read the whole catalogue (6.7 s for 10 matches), which is
          why the number of matches is probed first, up to ``BROAD + 1`` from the index.
        """
        sql, params = self.tsquery(query)
        with transaction.atomic(using=queryset.db), connections[queryset.db].cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {INDEX_TABLE} "
                f"WHERE vector @@ {sql} LIMIT %s) AS probe",
                [*params, self.BROAD + 1],
            )
            (found,) = cursor.fetchone()
        if found <= self.BROAD:
            return queryset.filter(pk__in=self.matching(query))
        return queryset.filter(
            _Correlated(
                f"EXISTS (SELECT 1 FROM {INDEX_TABLE} AS search_entry "
                f"WHERE search_entry.vector @@ {sql} "
                "AND search_entry.document_id = {document})",
                params,
                output_field=BooleanField(),
            )
        )

    def rank(self, query):
        """
        ``ts_rank`` of the document's vector against every positive clause joined with OR
        (``||``), which weighs each clause's occurrences as bm25 sums over phrases: joining the
        clauses with AND would rank near zero when an OR alternative is missing, and exactly
        zero with a NOT in it.  One ``ts_rank`` call, so each vector is read once (a sum of one
        call per clause read a long document's vector once per clause).
        """
        tsquery, params = self._ranking(query)
        return _Correlated(
            f"(SELECT ts_rank(search_entry.vector, {tsquery}) FROM {INDEX_TABLE} AS search_entry "
            "WHERE search_entry.document_id = {document})",
            params,
        )

    def _ranking(self, query):
        """The ``tsquery`` ranked against (the positive clauses joined with ``||``), and its
        parameters."""
        positive, _ = self._parts(query)
        return " || ".join([f"websearch_to_tsquery('{CONFIG}', %s)"] * len(positive)), positive

    def ranked_matches(self, query):
        """
        SQL (and parameters) giving ``(document_id, rank)`` for every match of ``query``,
        ranked in the index scan that finds it (``catalog_search_ranked``, migration 0012).
        """
        match_sql, match_params = self.tsquery(query)
        ranking, ranking_params = self._ranking(query)
        return (
            f"SELECT document_id, rank FROM catalog_search_ranked({match_sql}, {ranking})",
            [*match_params, *ranking_params],
        )

    def ranked_ids(self, candidates, query, start, stop):
        """
        SQL for the ids of entries ``start:stop`` of ``candidates`` matching ``query``, best
        first: the ranked matches joined to the candidates for the public gate, the other
        filters and the record ID that breaks ties.
        """
        matches_sql, params = self.ranked_matches(query)
        compiler = candidates.values("pk", "record_id").query.get_compiler(candidates.db)
        candidates_sql, candidates_params = compiler.as_sql()
        return RawSQL(
            f"SELECT c.id FROM ({matches_sql}) AS r "
            f"JOIN ({candidates_sql}) AS c (id, record_id) ON c.id = r.document_id "
            "ORDER BY r.rank DESC, c.record_id LIMIT %s OFFSET %s",
            [*params, *candidates_params, stop - start, start],
            output_field=BigIntegerField(),
        )

    #: Snippets from the body (transcript and source note) come from passages of it, so that
    #: ``ts_headline`` parses one passage rather than the whole text: windows of ``PASSAGE``
    #: characters every ``STEP`` (the overlap keeps a phrase of up to ``PASSAGE - STEP``
    #: characters whole in one window), without the words a window's edges cut, each with its
    #: own vector in ``catalog_search_passage`` (migration 0014).  A body no longer than one
    #: window has no passages: its snippet is taken from the whole of it.
    PASSAGE, STEP = 800, 600

    @staticmethod
    def _strip(sql):
        """``sql`` (a text) without the snippet markers, as snippets read it."""
        return f"translate({sql}, '{START}{STOP}', '')"

    def snippet_rows(self, cursor, query, ids):
        """
        ``(id, [(fragment, cut at start, cut at end)] for body, names and title)`` for each
        of ``ids`` that matches, the fragment to show first.

        The body's fragment comes from its passage that matches the most of the query's
        clauses, the closest together of those, the earliest of those (the first passage when
        none matches).  It is complete when the passage matches every clause, or, for a body
        of one passage, when it has a match: the names' and the title's are then not asked
        for (``None``).  A passage that matches only some clauses has each of its matches
        marked, and comes after the names and the title if either has a match.
        """
        tsquery_sql, tsquery_params = self.tsquery(query)
        ranking_sql, ranking_params = self._ranking(query)
        positive, _ = self._parts(query)
        found = " + ".join(
            [f"(p.vector @@ websearch_to_tsquery('{CONFIG}', %s))::int"] * len(positive)
        )
        body, names_text, title = (self._strip(sql) for sql in _FIELDS_SQL["postgresql"])
        names = _NAMES_SQL["postgresql"].format(where="WHERE dp.document_id = ANY(%s)")
        options = f"'{self.HEADLINE_OPTIONS}'"
        others = ", ".join(
            f"CASE WHEN b.complete THEN NULL "
            f"ELSE ts_headline('{CONFIG}', {sql}, q.q, {options}) END, {sql}"
            for sql in (names_text, title)
        )
        # Each ``OFFSET 0`` keeps its subquery whole: flattened into the outer query, the
        # headline would be worked out again for every expression that uses it.
        cursor.execute(
            f"""
            WITH q AS (SELECT {tsquery_sql} AS q, {ranking_sql} AS r), names AS ({names})
            SELECT d.id, b.headline, b.passage, b.start > 0, b.start + %s < length(b.body),
                   b.complete, {others}
            FROM catalog_document d
            JOIN {INDEX_TABLE} s ON s.document_id = d.id
            CROSS JOIN q
            LEFT JOIN names n ON n.document_id = d.id
            CROSS JOIN LATERAL (
                SELECT h.*, coalesce(h.found = {len(positive)},
                                     strpos(h.headline, '{START}') > 0) AS complete
                FROM (
                    SELECT t.*, ts_headline(
                        '{CONFIG}', t.passage,
                        CASE WHEN t.found < {len(positive)} THEN q.r ELSE q.q END, {options}
                    ) AS headline
                    FROM (
                        SELECT w.body, coalesce(p.start, 0) AS start, p.found,
                               catalog_search_passage_text(w.body, coalesce(p.start, 0), %s)
                                   AS passage
                        FROM (SELECT {body} AS body OFFSET 0) w
                        LEFT JOIN LATERAL (
                            SELECT p.start, {found} AS found FROM {PASSAGE_TABLE} p
                            WHERE p.document_id = d.id AND p.vector @@ q.r
                            ORDER BY found DESC, ts_rank_cd(p.vector, q.q) DESC, p.start
                            LIMIT 1
                        ) p ON true
                        OFFSET 0
                    ) t
                    OFFSET 0
                ) h
                OFFSET 0
            ) b
            WHERE d.id = ANY(%s) AND s.vector @@ q.q
            """,
            [*tsquery_params, *ranking_params, ids, self.PASSAGE, self.PASSAGE, *positive, ids],
        )
        for row in cursor.fetchall():
            body_headline, passage, cut_before, cut_after, complete = row[1:6]
            body = _fragment(body_headline, passage, cut_before, cut_after)
            others = [_fragment(h, text) for h, text in zip(row[6::2], row[7::2], strict=True)]
            if not complete and any(START in headline for headline, _, _ in others):
                yield row[0], [*others, body]
            else:
                yield row[0], [body, *others]

    GONE = "NOT EXISTS (SELECT 1 FROM catalog_document d WHERE d.id = {table}.document_id)"
    # Text as it is indexed: the characters in _PG_GLUE become spaces (one for one, so a
    # passage's offsets hold in the indexed text too).
    CLEAN = f"translate({{}}, '{_PG_GLUE}', '{' ' * len(_PG_GLUE)}')"

    def prune(self, cursor):
        cursor.execute(f"DELETE FROM {PASSAGE_TABLE} WHERE {self.GONE.format(table=PASSAGE_TABLE)}")
        cursor.execute(f"DELETE FROM {INDEX_TABLE} WHERE {self.GONE.format(table=INDEX_TABLE)}")
        return cursor.rowcount

    def passages(self, cursor, ids):
        """
        Rewrite the body passages (``PASSAGE_TABLE``) of ``ids`` (every document when None):
        ``catalog_search_passages`` (migration 0014) cuts the windows, each indexed as the
        whole text is.
        """
        if ids is None:
            cursor.execute(f"DELETE FROM {PASSAGE_TABLE}")
            selected, params = "", []
        else:
            cursor.execute(f"DELETE FROM {PASSAGE_TABLE} WHERE document_id = ANY(%s)", [ids])
            selected, params = "WHERE d.id = ANY(%s)", [ids]
        body = self._strip(_FIELDS_SQL["postgresql"][0])
        cursor.execute(
            f"""
            INSERT INTO {PASSAGE_TABLE} (document_id, start, vector)
            SELECT d.id, w.start, to_tsvector('{CONFIG}', {self.CLEAN.format("w.passage")})
            FROM catalog_document d
            CROSS JOIN LATERAL catalog_search_passages({body}, %s, %s) AS w
            {selected}
            """,
            [self.PASSAGE, self.STEP, *params],
        )

    def reindex(self, cursor, ids, *, texts=True):
        clean = self.CLEAN
        vector = " || ".join(
            f"setweight(to_tsvector('{CONFIG}', {clean.format(sql)}), '{weight}')"
            for sql, weight in zip(_FIELDS_SQL["postgresql"][::-1], "ABC", strict=True)
        )
        if ids is None:
            self.prune(cursor)
            names = _NAMES_SQL["postgresql"].format(where="")
            selected, params = "", []
        else:
            gone = self.GONE.format(table=INDEX_TABLE)
            cursor.execute(
                f"DELETE FROM {INDEX_TABLE} WHERE document_id = ANY(%s) AND {gone}", [ids]
            )
            names = _NAMES_SQL["postgresql"].format(where="WHERE dp.document_id = ANY(%s)")
            selected, params = "WHERE d.id = ANY(%s)", [ids, ids]
        cursor.execute(
            f"""
            WITH names AS ({names})
            INSERT INTO {INDEX_TABLE} (document_id, vector)
            SELECT d.id, {vector}
            FROM catalog_document d
            LEFT JOIN names n ON n.document_id = d.id
            {selected}
            ON CONFLICT (document_id) DO UPDATE SET vector = EXCLUDED.vector
            """,
            params,
        )
        written = cursor.rowcount
        if texts:
            self.passages(cursor, ids)
        self._person_ids(cursor, ids)
        return written

    @staticmethod
    def _person_ids(cursor, ids):
        """
        Rewrite ``catalog_document.person_ids`` (the people facet's, migration 0013) of
        ``ids`` (every document when None) where it differs from the document's links.
        """
        selected, params = ("WHERE d2.id = ANY(%s)", [ids]) if ids is not None else ("", [])
        cursor.execute(
            f"""
            UPDATE catalog_document d SET person_ids = l.ids
            FROM (
                SELECT d2.id, coalesce(
                    array_agg(DISTINCT dp.person_id ORDER BY dp.person_id)
                    FILTER (WHERE dp.person_id IS NOT NULL), '{{}}') AS ids
                FROM catalog_document d2
                LEFT JOIN catalog_documentperson dp ON dp.document_id = d2.id
                {selected}
                GROUP BY d2.id
            ) l
            WHERE d.id = l.id AND d.person_ids IS DISTINCT FROM l.ids
            """,
            params,
        )


class SQLiteBackend:
    """The FTS5 table ``catalog_search``, searched with a MATCH expression built here."""

    WEIGHTS = "10.0, 4.0, 1.0"  # title, names (summary and people), body (transcript, source)
    COLUMNS = {"body": 2, "names": 1, "title": 0}

    @staticmethod
    def _variants(word):
        """
        The spellings of ``word`` to look for: ß and ss are one letter to PostgreSQL's
        ``unaccent`` but two to unicode61, so "droyssig" also looks for "droyßig".
        """
        folded = word.lower().replace("ß", "ss")
        spots = [m.start() for m in re.finditer("ss", folded)][:3]
        if not spots:
            return [word]
        variants = []
        for choice in itertools.product((False, True), repeat=len(spots)):
            spelled, offset = folded, 0
            for spot, sharp in zip(spots, choice, strict=True):
                if sharp:
                    at = spot - offset
                    spelled = spelled[:at] + "ß" + spelled[at + 2 :]
                    offset += 1
            variants.append(spelled)
        return variants

    def phrase(self, phrase):
        spellings = [" ".join(words) for words in itertools.product(*map(self._variants, phrase))]
        quoted = [f'"{spelling}"' for spelling in spellings[:8]]
        return quoted[0] if len(quoted) == 1 else "(" + " OR ".join(quoted) + ")"

    def expression(self, query):
        """The query as an FTS5 expression: every word double-quoted, NOT after the rest."""
        clauses = []
        for clause in query.clauses:
            phrases = [self.phrase(phrase) for phrase in clause]
            clauses.append(phrases[0] if len(phrases) == 1 else "(" + " OR ".join(phrases) + ")")
        positive = " AND ".join(clauses)
        if not query.excluded:
            return positive
        return f"({positive})" + "".join(f" NOT {self.phrase(p)}" for p in query.excluded)

    def sorted_matching(self, queryset, query):
        """``queryset`` narrowed to the matches (one plan serves every size here)."""
        return queryset.filter(pk__in=self.matching(query))

    def matching(self, query):
        return RawSQL(
            f"SELECT rowid FROM {INDEX_TABLE} WHERE {INDEX_TABLE} MATCH %s",
            [self.expression(query)],
            output_field=BigIntegerField(),
        )

    def rank(self, query):
        """
        ``-bm25`` of the outer document, looked up among the ranks of every match.  The
        matches are ranked in one pass: ``LIMIT -1 OFFSET 0`` keeps SQLite from folding the
        lookup into the full-text query, which would run that query again for every row
        (seconds instead of milliseconds for a few thousand matches).
        """
        return _Correlated(
            "(SELECT ranked.rank FROM ("
            f"SELECT rowid AS document_id, -bm25({INDEX_TABLE}, {self.WEIGHTS}) AS rank "
            f"FROM {INDEX_TABLE} WHERE {INDEX_TABLE} MATCH %s LIMIT -1 OFFSET 0"
            ") AS ranked WHERE ranked.document_id = {document})",
            [self.expression(query)],
        )

    def ranked_ids(self, candidates, query, start, stop):
        """The ids of entries ``start:stop`` of ``candidates`` matching ``query``, best first."""
        return _ranked(candidates, query, self).values("pk")[start:stop]

    def snippet_rows(self, cursor, query, ids):
        columns = ", ".join(
            f"snippet({INDEX_TABLE}, {column}, %s, %s, %s, {SNIPPET_WORDS})"
            for column in self.COLUMNS.values()
        )
        placeholders = ", ".join(["%s"] * len(ids))
        cursor.execute(
            f"SELECT rowid, {columns} FROM {INDEX_TABLE} "
            f"WHERE {INDEX_TABLE} MATCH %s AND rowid IN ({placeholders})",
            [
                *itertools.chain.from_iterable((START, STOP, ELLIPSIS) for _ in self.COLUMNS),
                self.expression(query),
                *ids,
            ],
        )
        for row in cursor.fetchall():
            fragments = []
            for text in row[1:]:
                text = (text or "").strip()
                cut_start, cut_end = text.startswith(ELLIPSIS), text.endswith(ELLIPSIS)
                fragments.append((text.strip(ELLIPSIS), cut_start, cut_end))
            yield row[0], fragments

    def prune(self, cursor):
        cursor.execute(
            f"DELETE FROM {INDEX_TABLE} WHERE rowid NOT IN (SELECT id FROM catalog_document)"
        )
        return cursor.rowcount

    def reindex(self, cursor, ids, *, texts=True):
        strip = f"replace(replace({{}}, '{START}', ''), '{STOP}', '')"
        title, names_text, body = (strip.format(sql) for sql in _FIELDS_SQL["sqlite"][::-1])
        if ids is None:
            cursor.execute(f"DELETE FROM {INDEX_TABLE}")
            names = _NAMES_SQL["sqlite"].format(where="")
            selected, params = "", []
        else:
            in_ids = "IN (SELECT value FROM json_each(%s))"
            cursor.execute(f"DELETE FROM {INDEX_TABLE} WHERE rowid {in_ids}", [json.dumps(ids)])
            names = _NAMES_SQL["sqlite"].format(where=f"WHERE dp.document_id {in_ids}")
            selected, params = f"WHERE d.id {in_ids}", [json.dumps(ids)] * 2
        cursor.execute(
            f"""
            INSERT INTO {INDEX_TABLE} (rowid, title, names, body)
            SELECT d.id, {title}, {names_text}, {body}
            FROM catalog_document d
            LEFT JOIN ({names}) n ON n.document_id = d.id
            {selected}
            """,
            params,
        )
        return cursor.rowcount


BACKENDS = {"postgresql": PostgreSQLBackend(), "sqlite": SQLiteBackend()}


def _backend(connection):
    try:
        return BACKENDS[connection.vendor]
    except KeyError:
        raise NotImplementedError(
            f"Search supports PostgreSQL and SQLite, not {connection.vendor}."
        ) from None


# -- the public functions -----------------------------------------------------------------


def search(queryset, text):
    """
    The documents of ``queryset`` matching ``text``, best first: annotated with
    ``search_rank`` (a float, higher is better) and ordered by it, then by record ID.

    The result is an ordinary queryset: filter, count, slice, annotate or group it as any
    other.  Raises :class:`EmptyQuery` when ``text`` has nothing to search for.
    """
    query = parse(text)
    return _ranked(queryset, query, _backend(connections[queryset.db]))


def _ranked(queryset, query, backend):
    """:func:`search` of an already parsed ``query``."""
    return (
        queryset.filter(pk__in=backend.matching(query))
        .annotate(search_rank=backend.rank(query))
        .order_by("-search_rank", "record_id")
    )


def page(candidates, text, rows, start, stop):
    """
    Entries ``start:stop`` of the documents of ``candidates`` matching ``text``, in
    :func:`search`'s order (best first, equal ranks by record ID), read from ``rows`` (a
    queryset of documents as the page shows them, ``for_list()`` say).  One query.

    ``candidates`` is what the other filters let through, without the search.  Slicing a
    :func:`search` itself would sort every match's whole row to keep 25; here the ranking
    picks the page's ids in a subquery that reads only ids, record IDs and ranks, and only
    those rows are read whole.  On PostgreSQL that subquery ranks each match as the index
    scan finds it (``catalog_search_ranked``, migration 0012), instead of looking every
    match's vector up again.
    """
    query = parse(text)
    backend = _backend(connections[candidates.db])
    return ranked_rows(rows, text, backend.ranked_ids(candidates, query, start, stop))


def ranked_rows(rows, text, ids):
    """``rows`` with the ids ``ids`` (a list or a subquery), in :func:`search`'s order."""
    query = parse(text)
    backend = _backend(connections[rows.db])
    return (
        rows.filter(pk__in=ids)
        .annotate(search_rank=backend.rank(query))
        .order_by("-search_rank", "record_id")
    )


def matching(queryset, text):
    """
    The documents of ``queryset`` matching ``text``, unranked and in the queryset's own order:
    :func:`search` without the cost of ranking, for lists sorted by something else (the
    admin's document list).  Raises :class:`EmptyQuery` as :func:`search` does.
    """
    query = parse(text)
    return _backend(connections[queryset.db]).sorted_matching(queryset, query)


def snippets(documents, text) -> dict[int, SafeString]:
    """
    ``{document id: passage}`` for ``documents`` (one results page): the best matching
    passage of about thirty words from the transcript or source note, else from the summary
    and people's names, else the title, HTML-escaped with each match in ``<mark>``. One query.
    Documents that do not match ``text`` get no entry; so does every document when ``text``
    has nothing to search for.
    """
    ids = [document.pk for document in documents]
    if not ids:
        return {}
    try:
        query = parse(text)
    except EmptyQuery:
        return {}
    from .models import Document

    connection = connections[router.db_for_read(Document)]
    backend = _backend(connection)
    result = {}
    with connection.cursor() as cursor:
        for document_id, fragments in backend.snippet_rows(cursor, query, ids):
            marked = [f for f in fragments if START in f[0]]
            chosen = (marked or [f for f in fragments if f[0].strip()] or [("", False, False)])[0]
            result[document_id] = _render(*chosen)
    return result


def _render(fragment, cut_start, cut_end):
    """Escape ``fragment``, then turn the markers into ``<mark>`` tags."""
    text = " ".join(fragment.split())
    html = escape(text).replace(START, "<mark>").replace(STOP, "</mark>")
    if cut_start and html:
        html = ELLIPSIS + " " + html
    if cut_end and html:
        html = html + " " + ELLIPSIS
    return mark_safe(html)  # escaped above: the only tags are our own <mark>s


def reindex(document_ids=None, *, texts=True):
    """
    (Re)build the index rows of ``document_ids`` (every document when None) in bulk SQL:
    rows for documents that no longer exist are removed. Returns how many rows were written.
    ``texts=False`` when only the documents' people changed: the passages cut from their
    transcripts (PostgreSQL) are kept as they are.
    """
    from .models import Document

    if document_ids is not None:
        document_ids = sorted({int(pk) for pk in document_ids})
        if not document_ids:
            return 0
    alias = router.db_for_write(Document)
    connection = connections[alias]
    backend = _backend(connection)
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        return backend.reindex(cursor, document_ids, texts=texts)


def prune(using=None):
    """
    Remove the index rows of documents that no longer exist, and return how many there were:
    rows left behind by writes that bypass ``delete()``, such as a test database's flush.
    """
    from .models import Document

    alias = using or router.db_for_write(Document)
    connection = connections[alias]
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        return _backend(connection).prune(cursor)
