"""The base class of cchc's management commands: ``help`` (the description) may be a lazy
translation (``gettext_lazy``, Vietnamese source text with an English translation); it is
resolved in the active language when the parser is made, as argparse needs a ``str``."""

from django.core.management.base import BaseCommand as DjangoBaseCommand


class BaseCommand(DjangoBaseCommand):
    def create_parser(self, prog_name, subcommand, **kwargs):
        self.help = str(self.help)
        return super().create_parser(prog_name, subcommand, **kwargs)
