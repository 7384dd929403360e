"""
The logic of ``scripts/load_under_import.py`` (the load-under-import run, issue 8 item 5), so
that it cannot rot while the run itself, minutes long on 100,000 documents, is kept out of the
suite: its help, its refusal to touch the benchmark database, the latency arithmetic that
decides pass or fail, the completeness check after an import, and the admin publish it drives
over HTTP.
"""

import importlib.util
import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from catalog.models import Document, ImportBatch, ProvenanceEvent

from .factories import (
    CollectionFactory,
    DocumentFactory,
    DocumentPersonFactory,
    PersonAuthorityFactory,
    ProvenanceEventFactory,
    SubjectFactory,
)

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "load_under_import.py"


@pytest.fixture(scope="module")
def soak():
    """The script as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("load_under_import", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def test_help_describes_the_run_and_its_exit_status():
    """``--help`` names the phases, the target, the copy and the exit statuses."""
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--help"], capture_output=True, text=True, check=True
    )
    for words in ("64 concurrent clients", "p99 <= 1 s", "archive_bench", "--keep", "Exit status"):
        assert words in " ".join(result.stdout.split())


def test_refuses_to_run_on_the_benchmark_database(soak, capsys):
    """Pointed at archive_bench itself, the script stops before connecting to anything."""
    url = "postgres://postgres@127.0.0.1:5432/archive_bench"
    assert soak.main(["--database-url", url]) == 2
    assert "only to a copy" in capsys.readouterr().err


def report(latencies_ms, *, non2xx=0, timeouts=0, seconds=10):
    """A report as random_paths.lua writes it."""
    histogram = {}
    for ms in latencies_ms:
        histogram[ms * 1000] = histogram.get(ms * 1000, 0) + 1
    return {
        "duration_us": seconds * 1_000_000,
        "requests": len(latencies_ms),
        "bytes": 0,
        "connect": 0,
        "read": 0,
        "write": 0,
        "status": non2xx,
        "timeout": timeouts,
        "non2xx": non2xx,
        "statuses": {"500": non2xx} if non2xx else {},
        "latency": [[value, n] for value, n in histogram.items()],
    }


def test_merged_latencies_decide_pass_or_fail(soak):
    """
    The kinds of page merge into one exact histogram: its p99 decides the phase, and any
    non-2xx response or socket error fails it.
    """
    fast = soak.Load.from_report("record", 22, report([10] * 99 + [20]))
    slow = soak.Load.from_report("search", 21, report([100] * 97 + [1500, 1500, 2000]))
    merged = soak.Load("all").merge(fast, concurrent=True).merge(slow, concurrent=True)
    assert merged.requests == 200 and merged.connections == 43 and merged.seconds == 10
    assert merged.percentile(50) == 20 and merged.percentile(99) == 1500
    assert not merged.meets(1000) and merged.meets(1500)
    assert "| FAIL |" in merged.row("A", 1000, 30)

    failing = soak.Load.from_report("list", 21, report([5] * 10, non2xx=1, timeouts=1))
    assert failing.errors == 2 and not failing.meets(1000)
    assert "1 (500: 1)" in failing.row("A", 1000, 30)

    # wrk counts answers slower than its timeout but leaves them out of the histogram.
    late = soak.Load.from_report("search", 21, {**report([10] * 98), "requests": 100})
    assert late.over_timeout == 2 and late.errors == 2
    assert late.percentile(50) == 10 and late.percentile(99) == float("inf")
    assert "| > 30,000 |" in late.row("B", 1000, 30)
    assert soak.split_connections(64) == {"list": 22, "search": 21, "record": 21}


@pytest.fixture
def catalogued():
    """Three documents with people, custody, collections and subjects, ready for export."""
    collection, subject = CollectionFactory(), SubjectFactory()
    documents = []
    for n in range(3):
        document = DocumentFactory(
            draft=n == 2, collections=[collection], subjects=[subject], source_identifier=None
        )
        author = PersonAuthorityFactory().person
        DocumentPersonFactory(document=document, person=author)
        DocumentPersonFactory(document=document, role="recipient")
        ProvenanceEventFactory(document=document, position=0)
        ProvenanceEventFactory(document=document, position=1, event="microfilmed")
        documents.append(document)
    return Document.objects.filter(pk__in=[d.pk for d in documents])


@pytest.mark.django_db
def test_a_complete_import_passes_and_missing_pieces_are_named(soak, catalogued, editor, tmp_path):
    """
    After ``import_documents`` of an exported file the checker finds every record complete;
    a custody event, a search index row or a history entry gone is named.
    """
    rows = soak.write_rows(tmp_path / "new.jsonl", soak.new_document_rows(catalogued, tag="t"))
    call_command(
        "import_documents", str(tmp_path / "new.jsonl"), user="editor", stdout=io.StringIO()
    )
    batch = ImportBatch.objects.get()
    assert len(rows) == 3 and soak.check_import(batch, rows) == []

    imported = {
        d.source_identifier: d
        for d in Document.objects.filter(pk__gt=max(catalogued.values_list("pk", flat=True)))
    }
    first, second, third = (imported[f"soak:t:{n}"] for n in (1, 2, 3))
    ProvenanceEvent.objects.filter(document=first, position=1).delete()
    key = "document_id" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM catalog_search WHERE {key} = %s", [second.pk])
    Document.history.filter(id=third.pk).delete()

    problems = "\n".join(soak.check_import(batch, rows))
    assert f"record {first.record_id}): 1 custody events, the file has 2" in problems
    assert f"record {second.record_id}): no search index row" in problems
    assert f"record {third.record_id}): 0 document history entries" in problems


@pytest.mark.django_db(transaction=True)
def test_the_admin_publish_signs_in_and_confirms_over_http(soak, live_server, django_user_model):
    """
    The editor signs in on the admin's login page and runs "Publish selected documents"
    through its confirmation page; the checker then finds every chosen draft published.
    """
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(
        soak.EDITOR, password="a-long-pass-1944", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Editor"))
    drafts = [DocumentFactory(draft=True).pk for _ in range(3)]
    untouched = DocumentFactory(draft=True).pk
    assert soak.check_published(drafts)

    session = soak.AdminSession(live_server.url)
    changelist = reverse("admin:catalog_document_changelist")
    session.log_in(reverse("admin:login"), soak.EDITOR, "a-long-pass-1944", changelist)
    session.publish(changelist, drafts)

    assert soak.check_published(drafts) == []
    assert [status for _path, status in session.statuses] == [200, 302, 200, 200, 302]
    assert soak.check_published([untouched]) == [f"document {untouched} is not published"]


@pytest.mark.django_db
def test_record_page_answers_without_any_cache(client, settings):
    """
    Production without CACHE_URL caches nothing (DummyCache): the record page still answers
    200 (the first load run found every record page a 500: no catalogue generation to date
    Last-Modified from).
    """
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    document = DocumentFactory()
    response = client.get(document.get_absolute_url())
    assert response.status_code == 200
    assert document.title in response.content.decode()
