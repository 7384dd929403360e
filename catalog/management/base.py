"""What the catalogue's own management commands share."""

import argparse

from django.core.management.base import BaseCommand


class CommandWithExamples(BaseCommand):
    """A command whose ``--help`` ends with ``examples``, printed as written."""

    examples = ""

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.epilog = self.examples
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
        return parser
