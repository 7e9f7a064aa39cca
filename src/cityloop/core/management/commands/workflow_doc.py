"""``cityloop workflow_doc [PATH] [--write]``: the workflow documents, from the code.

With no argument it prints docs/workflow.md (the case workflow); with a path, that document;
``--write`` writes every document (each app's ``workflow_doc.DOCS``) into the repository.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cityloop.core.workflow.docs import documents

ROOT = Path(__file__).resolve().parents[5]


class Command(BaseCommand):
    help = "Print or write the workflow documents generated from the tables. 输出流程文档。"

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default="docs/workflow.md", help="which document")
        parser.add_argument("--write", action="store_true", help="write every document")

    def handle(self, *args, **options):
        docs = documents()
        if options["write"]:
            for path, build in sorted(docs.items()):
                (ROOT / path).write_text(build(), encoding="utf-8")
            self.stdout.write(
                f"workflow_doc: wrote {len(docs)} documents: {', '.join(sorted(docs))}"
            )
            return
        if options["path"] not in docs:
            raise CommandError(
                f"no workflow document {options['path']!r}; there are: {', '.join(sorted(docs))}"
            )
        self.stdout.write(docs[options["path"]](), ending="")
