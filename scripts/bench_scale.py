"""
Build the large benchmark database by copying a smaller one several times over, in SQL.

``manage.py generate_documents 1000000`` builds a million documents in about 40 minutes on a
quiet two-core machine.  This script gets the same shape in a few minutes: it copies a
PostgreSQL benchmark database (say the 100,000 documents ``make bench`` builds) into a new
database and repeats its documents ``--copies`` times, with their person links, collection and
subject links, custody events, search index rows and snippet passages.  Each copy gets new
ids, record IDs and source identifiers; people, collections, archives and rights are shared,
so a popular person is in ten times as many documents, as in a catalogue ten times the size
with the same names.

Steps: ``pg_dump`` the source; drop and create the target; ``pg_restore`` its tables and data
without indexes; copy the documents in SQL; ``pg_restore`` the indexes and constraints (built
once, over the full data); move the id sequences past the new rows; ``ANALYZE``.

Run: ``.venv/bin/python scripts/bench_scale.py --source archive_bench --target archive_bench_1m
--copies 10`` (PostgreSQL only; the target database is replaced).  Then
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/archive_bench_1m make bench``.
"""

import argparse
import subprocess
import tempfile
import time

import psycopg2

# Tables that hang off a document, with the columns that change in each copy.
DOCUMENT_CHILDREN = (
    "catalog_documentperson",
    "catalog_document_collections",
    "catalog_document_subjects",
    "catalog_provenanceevent",
)
# The search index's tables, keyed by document id (no id of their own).
SEARCH_TABLES = ("catalog_search", "catalog_search_passage")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="Copy a PostgreSQL benchmark database and repeat its documents N times.",
        epilog="Example: scripts/bench_scale.py --source archive_bench "
        "--target archive_bench_1m --copies 10",
    )
    parser.add_argument("--source", default="archive_bench", help="database to copy")
    parser.add_argument("--target", default="archive_bench_1m", help="database to (re)create")
    parser.add_argument("--copies", type=int, default=10, help="times the documents appear")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="5432")
    parser.add_argument("--user", default="postgres")
    return parser.parse_args(argv)


def columns(cursor, table):
    cursor.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name = %s ORDER BY ordinal_position",
        [table],
    )
    return [row[0] for row in cursor.fetchall()]


def copy_rows(cursor, table, replaced, where):
    """INSERT … SELECT every column of ``table``, with ``replaced`` {column: expression}."""
    names = columns(cursor, table)
    select = ", ".join(replaced.get(name, name) for name in names)
    cursor.execute(
        f"INSERT INTO {table} ({', '.join(names)}) SELECT {select} FROM {table} WHERE {where}"
    )
    return cursor.rowcount


def replicate(cursor, copies):
    cursor.execute("SELECT max(id), max(record_id) FROM catalog_document")
    max_id, max_record = cursor.fetchone()
    child_max = {}
    for table in DOCUMENT_CHILDREN:
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
        child_max[table] = cursor.fetchone()[0]
    for k in range(1, copies):
        started = time.monotonic()
        docs = copy_rows(
            cursor,
            "catalog_document",
            {
                "id": f"id + {k * max_id}",
                "record_id": f"record_id + {k * max_record}",
                "source_identifier": f"source_identifier || '~{k}'",
            },
            f"id <= {max_id}",
        )
        for table in DOCUMENT_CHILDREN:
            copy_rows(
                cursor,
                table,
                {
                    "id": f"id + {k * child_max[table]}",
                    "document_id": f"document_id + {k * max_id}",
                },
                f"document_id <= {max_id}",
            )
        for table in SEARCH_TABLES:
            copy_rows(
                cursor,
                table,
                {"document_id": f"document_id + {k * max_id}"},
                f"document_id <= {max_id}",
            )
        print(f"  copy {k}: {docs:,} documents in {time.monotonic() - started:.0f} s", flush=True)


def reset_sequences(cursor):
    """Identity columns continue after the highest id (new rows must not collide)."""
    cursor.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = 'public' AND is_identity = 'YES'"
    )
    for table, column in cursor.fetchall():
        cursor.execute(f"SELECT coalesce(max({column}), 0) + 1 FROM {table}")
        (next_value,) = cursor.fetchone()
        cursor.execute(f"ALTER TABLE {table} ALTER COLUMN {column} RESTART WITH {next_value}")


def main(argv=None):
    args = parse_args(argv)
    connection_args = ["-h", args.host, "-p", args.port, "-U", args.user]
    started = time.monotonic()
    with tempfile.NamedTemporaryFile(suffix=".dump") as dump:
        print(f"pg_dump {args.source}", flush=True)
        subprocess.run(
            ["pg_dump", *connection_args, "-Fc", "-f", dump.name, args.source], check=True
        )
        subprocess.run(["dropdb", *connection_args, "--if-exists", args.target], check=True)
        subprocess.run(["createdb", *connection_args, args.target], check=True)
        restore = ["pg_restore", *connection_args, "--no-owner", "-d", args.target, dump.name]
        subprocess.run([*restore, "--section=pre-data", "--section=data"], check=True)
        connection = psycopg2.connect(
            host=args.host, port=args.port, user=args.user, dbname=args.target
        )
        with connection, connection.cursor() as cursor:
            print(f"copying the documents {args.copies} times", flush=True)
            replicate(cursor, args.copies)
        print("building indexes and constraints", flush=True)
        subprocess.run([*restore, "--section=post-data"], check=True)
        with connection, connection.cursor() as cursor:
            reset_sequences(cursor)
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute("SELECT count(*) FROM catalog_document")
            (total,) = cursor.fetchone()
        connection.close()
    print(f"{args.target}: {total:,} documents in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
