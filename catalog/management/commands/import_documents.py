"""
Import documents from a CSV or JSON Lines file: ``manage.py import_documents FILE``.

Checks the whole file first (``catalog.importing.prepare``), then writes it in one
transaction (``catalog.importing.apply``), recorded as an import batch that the admin can
undo.  The format is described in docs/import.md.  On a terminal a progress line shows the
count, the rate and the time left; elsewhere (a log, CI) ``-v 2`` prints a line per 10 %.
"""

import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db import InterfaceError, OperationalError

from catalog import importing, interchange
from catalog.management.base import CommandWithExamples

SHOWN_ERRORS = 50

EXAMPLES = """
examples:
  manage.py import_documents letters.csv --dry-run
      check every row and say what would happen; write nothing
  manage.py import_documents letters.csv --user jane --batch-name "Harriman papers, box 3"
  manage.py import_documents export.jsonl --update
      update documents that exist (matched by source_identifier) from the file
  manage.py import_documents messy.csv --skip-invalid --errors-csv errors.csv
      import the good rows, leave out the others and list them in errors.csv
  manage.py import_documents ../shared/corpus/frus-records.jsonl --mapping corpus
"""


def _first_cause(error):
    """The first line of the earliest database error behind ``error`` (a reconnection that
    failed while rolling back is raised last, but the dropped connection came first)."""
    first = error
    while error is not None:
        if isinstance(error, OperationalError | InterfaceError):
            first = error
        error = error.__context__
    return (str(first).strip().splitlines() or ["no answer"])[0]


class Progress:
    """A progress line on a terminal (count, rate, time left); plain lines every 10 % else."""

    def __init__(self, stream, label, *, tty, verbose):
        self.stream, self.label, self.tty, self.verbose = stream, label, tty, verbose
        self.started = time.monotonic()
        self.next_line = 0.1

    def __call__(self, done, total):
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = done / elapsed
        if self.tty:
            left = f", {(total - done) / rate:.0f} s left" if total and rate else ""
            of = f"/{total}" if total else ""
            self.stream.write(f"\r{self.label}: {done}{of} rows, {rate:.0f}/s{left}   ", ending="")
            self.stream.flush()
        elif self.verbose and total and done / total >= self.next_line:
            self.stream.write(f"{self.label}: {done}/{total} rows ({rate:.0f}/s)")
            self.next_line += 0.1

    def finish(self):
        if self.tty:
            self.stream.write("")


class Command(CommandWithExamples):
    examples = EXAMPLES
    help = (
        "Import documents from a CSV or JSON Lines file (format: docs/import.md). Every row "
        "is checked before anything is written; then all rows are written in one "
        "transaction, as an import batch that can be undone in the admin."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV (.csv) or JSON Lines (.jsonl) file")
        parser.add_argument(
            "--format",
            choices=interchange.FORMATS,
            help="the file's format, when its extension does not say",
        )
        parser.add_argument(
            "--mapping",
            choices=interchange.MAPPINGS,
            default="default",
            help="default: the catalogue's own format; corpus: records of the development "
            "corpus (../shared/corpus/*-records.jsonl)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and report; write nothing"
        )
        parser.add_argument(
            "--update",
            action="store_true",
            help="update existing documents (matched by source_identifier) that differ",
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="import the valid rows and leave out those with errors",
        )
        parser.add_argument("--batch-name", default="", help="a name for the import batch")
        parser.add_argument(
            "--user", help="the username the batch and the history entries are recorded under"
        )
        parser.add_argument(
            "--errors-csv", metavar="PATH", help="write every error to this CSV file"
        )

    def handle(self, *args, **options):
        try:
            self._import(options)
        except (OperationalError, InterfaceError) as error:
            # The database went away (stopped, restarted, network): the one transaction is
            # rolled back with the connection, so nothing is half-written (docs/reliability.md).
            raise CommandError(
                f"Lost the database connection during the import ({_first_cause(error)}): "
                "nothing from this file was written. Run the same command again when the "
                "database is back."
            ) from None

    def _import(self, options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        user = self._user(options["user"])
        tty = self.stdout.isatty()
        verbose = options["verbosity"] >= 2
        started = time.monotonic()
        with path.open("rb") as fileobj:
            checking = Progress(self.stdout, "checking", tty=tty, verbose=False)
            plan = importing.prepare(
                fileobj,
                file_name=path.name,
                file_format=options["format"],
                mapping=options["mapping"],
                update=options["update"],
                user=user,
                progress=checking if tty else None,
            )
            checking.finish()
            self._report_errors(plan, options["errors_csv"])
            writes = not options["dry_run"] and (plan.is_valid or options["skip_invalid"])
            if plan.file_error or (plan.errors and not writes and not options["dry_run"]):
                self._summary(plan, None, started)
                raise CommandError(
                    f"{len(plan.errors)} errors; nothing was written. Correct them, or use "
                    "--skip-invalid to import the other rows."
                )
            batch = None
            if writes and (plan.creates or plan.updates):
                writing = Progress(self.stdout, "importing", tty=tty, verbose=verbose)
                try:
                    batch = importing.apply(
                        plan,
                        user=user,
                        batch_name=options["batch_name"],
                        skip_invalid=options["skip_invalid"],
                        progress=writing,
                    )
                except importing.ImportRefused as error:
                    raise CommandError(str(error)) from None
                finally:
                    writing.finish()
        self._summary(plan, batch, started, dry_run=options["dry_run"] or not writes)

    def _user(self, username):
        if not username:
            return None
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user named “{username}”.") from None

    def _report_errors(self, plan, errors_csv):
        for error in plan.errors[:SHOWN_ERRORS]:
            self.stderr.write(str(error))
        more = len(plan.errors) - SHOWN_ERRORS
        if errors_csv:
            Path(errors_csv).write_text(importing.errors_csv(plan.errors), encoding="utf-8")
            if plan.errors:
                self.stderr.write(f"All {len(plan.errors)} errors are in {errors_csv}.")
        elif more > 0:
            self.stderr.write(f"and {more} more; --errors-csv PATH writes them all")

    def _summary(self, plan, batch, started, *, dry_run=False):
        elapsed = time.monotonic() - started
        written = len(plan.creates) + len(plan.updates) if batch else 0
        rate = f", {written / elapsed:.0f} docs/s" if written and elapsed else ""
        verb = "would be" if dry_run else "were"
        lines = [
            f"{plan.rows} rows in {plan.file_name} ({plan.file_format}, mapping {plan.mapping})",
            f"  {len(plan.creates)} {verb} created, {len(plan.updates)} {verb} updated, "
            f"{len(plan.unchanged)} unchanged",
            f"  {plan.skipped} skipped, {len(plan.errors)} errors",
        ]
        lines += [f"  new {kind}: {len(names)}" for kind, names in plan.new.items()]
        if batch:
            lines.append(f"  batch {batch.pk}: “{batch}”")
        if dry_run:
            lines.append("  nothing was written")
        lines.append(f"  {elapsed:.1f} s{rate}")
        self.stdout.write("\n".join(lines))
