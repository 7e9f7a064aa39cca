"""The enforcement documents (执法文书): their kinds, the shipped default templates
(``templates/<kind>.docx``, written by tools/enforcement_templates.py) and the context each
template is given (``context.context_for``; the contract is docs/documents.md)."""

from pathlib import Path

from cityloop.enforcement.documents.context import TITLES

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
KINDS = tuple(TITLES)
