"""``cityloop workflow_doc``: print docs/workflow.md from the transition table."""

from django.core.management.base import BaseCommand

from cityloop.events.workflow_doc import workflow_markdown


class Command(BaseCommand):
    help = "Print the workflow document generated from the transition table. 输出流程文档。"

    def handle(self, *args, **options):
        self.stdout.write(workflow_markdown(), ending="")
