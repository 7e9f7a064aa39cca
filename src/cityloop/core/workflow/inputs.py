"""An action's inputs, declared once on its row of the table.

Three things are derived from the one declaration, so that they cannot drift apart:

- the kernel's own check (``Workflow.act`` runs ``clean_all`` before the action's handler):
  the type, the presence, the length, the range and the allowed values of each input, refused
  on its field in Chinese and English, whoever calls (an API, a page, a command, the system);
- the JSON API's body schema (``schemas.action_schemas``: a django-ninja schema per action);
- the web form's fields (``forms.ActionForm``: a Django form per action).

A handler receives the cleaned values in ``ctx.params`` and keeps only the rules that need the
record or the database (a unit the case may go to, a deadline after the current one).

Each kind knows its three faces: ``annotation`` (the pydantic type and field), ``form_fields``
(the Django fields for a record) and ``clean`` (the value a service gets). ``help`` is English
text marked with ``gettext_noop``: the API's description as written, the form's help text
translated.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from pydantic import Field
from pydantic.fields import FieldInfo

from cityloop.core.refusals import BadInput

Options = Callable[[Any], "models.QuerySet[Any]"]  # the record → what a page offers

# Names an action's call already takes (``Workflow.act``'s own, the API's ``ActionIn``, the
# photos): an input may not take them; a table adds its service's own (``case_act(case=)``).
RESERVED = frozenset(
    {"version", "comment", "photos", "files", "attachments", "actor", "record", "action", "now"}
)

DATETIME_EXAMPLE = _("Enter a date and time such as 2026-11-24T09:30:00+08:00.")


@dataclass(frozen=True)
class Input(ABC):
    """One input of an action; the kinds below say its type."""

    name: str
    label: Any  # a lazy translation: the form's label
    required: bool = True
    help: str = ""  # English, marked with gettext_noop: API description, form help text
    on_page: bool = True  # False: API only (the page offers another way, or none)

    @abstractmethod
    def annotation(self) -> tuple[Any, FieldInfo]:
        """The pydantic type and field of the API's body."""

    @abstractmethod
    def form_fields(self, record: Any) -> dict[str, forms.Field]:
        """The page's fields for ``record``, by name."""

    @abstractmethod
    def clean(self, value: Any, where: str) -> Any:
        """The value a service gets, or ``BadInput`` on the field ``where``."""

    def from_form(self, cleaned: Mapping[str, Any]) -> Any:
        """The value a service gets from the form's cleaned data."""
        return cleaned.get(self.name)

    def describe(self) -> str:
        """How the generated docs name it: ``name`` (kind, optional, API only)."""
        notes = [self.kind] + ([] if self.required else ["optional"])
        notes += [] if self.on_page else ["API only"]
        return f"`{self.name}` ({', '.join(notes)})"

    @property
    def kind(self) -> str:
        return type(self).__name__.lower()

    def _absent(self, value: Any, where: str) -> bool:
        """True when no value was given (refused if the input is required)."""
        if value is None or value == "":
            if self.required:
                raise BadInput(_("This field is required."), field=where, code="missing")
            return True
        return False

    def _field(self, default: Any, **constraints: Any) -> FieldInfo:
        info: FieldInfo = Field(default, description=self.help or None, **constraints)
        return info

    def _form_help(self) -> Any:
        return _(self.help) if self.help else ""


@dataclass(frozen=True)
class Text(Input):
    max_length: int = 500

    def annotation(self) -> tuple[Any, FieldInfo]:
        return str, self._field(... if self.required else "", max_length=self.max_length)

    def form_fields(self, record: Any) -> dict[str, forms.Field]:
        return {
            self.name: forms.CharField(
                label=self.label,
                required=self.required,
                max_length=self.max_length,
                help_text=self._form_help(),
            )
        }

    def clean(self, value: Any, where: str) -> Any:
        if self._absent(value, where):
            return ""
        if not isinstance(value, str):
            raise BadInput(_("Enter text."), field=where, code="string_type")
        if len(value) > self.max_length:
            raise BadInput(_("Too many items or characters."), field=where, code="too_long")
        return value


@dataclass(frozen=True)
class Integer(Input):
    """A whole number from ``low`` to ``high``; ``pick``: the page lists the values, highest
    first; ``message``: one sentence for a wrong type and a value out of range."""

    low: int | None = None
    high: int | None = None
    pick: bool = False
    message: Any = None

    def annotation(self) -> tuple[Any, FieldInfo]:
        kind: Any = int if self.required else int | None
        return kind, self._field(... if self.required else None, ge=self.low, le=self.high)

    def form_fields(self, record: Any) -> dict[str, forms.Field]:
        chooser: forms.Field
        if self.pick and self.low is not None and self.high is not None:
            chooser = forms.TypedChoiceField(
                label=self.label,
                coerce=int,
                required=self.required,
                choices=[(n, str(n)) for n in range(self.high, self.low - 1, -1)],
                help_text=self._form_help(),
            )
        else:
            chooser = forms.IntegerField(
                label=self.label,
                required=self.required,
                min_value=self.low,
                max_value=self.high,
                help_text=self._form_help(),
            )
        return {self.name: chooser}

    def clean(self, value: Any, where: str) -> Any:
        if self._absent(value, where):
            return None
        number = _whole(value)
        if number is None:
            raise BadInput(self.message or _("Enter a whole number."), field=where, code="range")
        if self.low is not None and number < self.low:
            raise BadInput(self.message or _("The value is too small."), field=where, code="range")
        if self.high is not None and number > self.high:
            raise BadInput(self.message or _("The value is too large."), field=where, code="range")
        return number


@dataclass(frozen=True, kw_only=True)
class Choice(Input):
    """One of a fixed list of values (a ``TextChoices``: the API names it, the page lists it)."""

    choices: type[models.TextChoices]

    def annotation(self) -> tuple[Any, FieldInfo]:
        kind: Any = self.choices if self.required else self.choices | None
        return kind, self._field(... if self.required else None)

    def form_fields(self, record: Any) -> dict[str, forms.Field]:
        return {
            self.name: forms.ChoiceField(
                label=self.label,
                required=self.required,
                choices=self.choices.choices,
                help_text=self._form_help(),
            )
        }

    def clean(self, value: Any, where: str) -> Any:
        if self._absent(value, where):
            return None
        if str(value) not in self.choices.values:
            raise BadInput(
                _("Choose one of the allowed values."), field=where, code="literal_error"
            )
        return str(value)


@dataclass(frozen=True)
class Flag(Input):
    """Yes or no (a JSON boolean; a page's checkbox). Never required: absent is no."""

    required: bool = False

    def annotation(self) -> tuple[Any, FieldInfo]:
        return bool, self._field(False)

    def form_fields(self, record: Any) -> dict[str, forms.Field]:
        return {
            self.name: forms.BooleanField(
                label=self.label, required=False, help_text=self._form_help()
            )
        }

    def from_form(self, cleaned: Mapping[str, Any]) -> Any:
        return bool(cleaned.get(self.name))

    def clean(self, value: Any, where: str) -> Any:
        if value is None or value == "":
            return False
        if not isinstance(value, bool):
            raise BadInput(_("Enter true or false."), field=where, code="bool_type")
        return value


@dataclass(frozen=True)
class Moment(Input):
    """A date and time with its time zone (a page's input is read in the district's zone)."""

    def annotation(self) -> tuple[Any, FieldInfo]:
        kind: Any = datetime if self.required else datetime | None
        return kind, self._field(... if self.required else None)

    def form_fields(self, record: Any) -> dict[str, forms.Field]:
        return {
            self.name: LocalDateTimeField(
                label=self.label, required=self.required, help_text=self._form_help()
            )
        }

    def clean(self, value: Any, where: str) -> Any:
        if self._absent(value, where):
            return None
        try:
            moment = parse_datetime(value) if isinstance(value, str) else value
        except ValueError:  # well formed, but no such day or time (2026-02-30)
            moment = None
        if not isinstance(moment, datetime) or moment.tzinfo is None:
            raise BadInput(DATETIME_EXAMPLE, field=where, code="datetime_parsing")
        return moment


@dataclass(frozen=True)
class Reference(Input):
    """Another record, by its id. ``options``: what a page offers for a record (a queryset);
    ``option_label``: how each option reads there. Whether the id is acceptable is the
    handler's rule (it needs the database)."""

    options: Options | None = None
    option_label: Callable[[Any], str] | None = None

    def annotation(self) -> tuple[Any, FieldInfo]:
        kind: Any = int if self.required else int | None
        return kind, self._field(... if self.required else None)

    def form_fields(self, record: Any) -> dict[str, forms.Field]:
        chooser = forms.ModelChoiceField(
            label=self.label,
            queryset=_options(self)(record),
            required=self.required,
            help_text=self._form_help(),
        )
        if self.option_label is not None:
            chooser.label_from_instance = self.option_label  # type: ignore[method-assign,assignment]
        return {self.name: chooser}

    def from_form(self, cleaned: Mapping[str, Any]) -> Any:
        chosen = cleaned.get(self.name)
        return getattr(chosen, "pk", chosen)

    def clean(self, value: Any, where: str) -> Any:
        if self._absent(value, where):
            return None
        number = _whole(value)
        if number is None:
            raise BadInput(_("Enter a whole number."), field=where, code="int_parsing")
        return number


@dataclass(frozen=True, kw_only=True)
class Many(Input):
    """A list of items, each with the inputs ``of`` (the API names one item's schema
    ``item``). A page offers the first input, a reference, as a multiple choice, and the
    others once, for every chosen item (fields ``<name>_<input>``)."""

    item: str
    of: tuple[Input, ...]
    max_items: int = 20
    required: bool = False

    def annotation(self) -> tuple[Any, FieldInfo]:
        raise TypeError("a list's API type is built by schemas.action_schemas")

    def describe(self) -> str:
        inner = ", ".join(i.describe() for i in self.of)
        return f"`{self.name}` (list of {inner}; at most {self.max_items})"

    def form_fields(self, record: Any) -> dict[str, forms.Field]:
        key, *rest = self.of
        fields: dict[str, forms.Field] = {
            self.name: forms.ModelMultipleChoiceField(
                label=self.label,
                queryset=_options(key)(record),
                required=False,
                help_text=self._form_help(),
            )
        }
        for sub in rest:
            for name, inner in sub.form_fields(record).items():
                inner.required = False
                fields[f"{self.name}_{name}"] = inner
        return fields

    def from_form(self, cleaned: Mapping[str, Any]) -> Any:
        key, *rest = self.of
        shared = {
            sub.name: sub.from_form({sub.name: cleaned.get(f"{self.name}_{sub.name}")})
            for sub in rest
        }
        return [{key.name: chosen.pk, **shared} for chosen in cleaned.get(self.name) or []]

    def clean(self, value: Any, where: str) -> Any:
        if value is None or value == "":
            return []
        if not isinstance(value, list | tuple):
            raise BadInput(_("Enter a list."), field=where, code="list_type")
        if len(value) > self.max_items:
            raise BadInput(_("Too many items or characters."), field=where, code="too_long")
        items = []
        for n, item in enumerate(value):
            if not isinstance(item, Mapping):
                raise BadInput(
                    _("The request body must be a JSON object."),
                    field=f"{where}.{n}",
                    code="model_attributes_type",
                )
            items.append(clean_all(self.of, item, prefix=f"{where}.{n}."))
        return items


class LocalDateTimeField(forms.CharField):
    """A ``datetime-local`` input read in the district's zone (``settings.TIME_ZONE``,
    Beijing time), whatever the browser's own zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"})

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if not value:
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError as exc:
            raise forms.ValidationError(_("Enter a date and time."), code="invalid") from exc
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.get_default_timezone())


def _options(given: Input) -> Options:
    """A reference's options (the table refuses a reference on a page without them)."""
    options = given.options if isinstance(given, Reference) else None
    if options is None:
        raise ImproperlyConfigured(f"input {given.name}: a page needs its options")
    return options


def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def check_declaration(
    inputs: Sequence[Input], *, reserved: Iterable[str] = (), page: bool = True
) -> list[str]:
    """What is wrong with a row's inputs (the table reports it at import): ``reserved``, the
    names its module's service takes besides ``RESERVED``; ``page``, whether a page offers
    them (a list's items are offered with their list)."""
    problems = []
    names = [i.name for i in inputs]
    if twice := sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"inputs declared twice {twice}")
    if taken := sorted(set(names) & (RESERVED | set(reserved))):
        problems.append(f"inputs use reserved names {taken}")
    for i in inputs:
        offered = page and i.on_page
        if i.required and not offered and page:
            problems.append(f"input {i.name} is required but no page can send it")
        if offered and isinstance(i, Reference) and i.options is None:
            problems.append(f"reference input {i.name} on a page needs its options")
        if isinstance(i, Many):
            problems.extend(_check_list(i, names, offered))
        if isinstance(i, Flag) and i.required:
            problems.append(f"flag input {i.name} cannot be required (absent is no)")
    return problems


def _check_list(given: Many, names: Sequence[str], page: bool) -> list[str]:
    problems = []
    if not (given.item and given.of and isinstance(given.of[0], Reference)):
        problems.append(f"list input {given.name} needs an item name and a reference first")
    if given.required:
        problems.append(f"list input {given.name} cannot be required (an empty list is none)")
    if any(not sub.on_page for sub in given.of):
        problems.append(f"list input {given.name}: its items are on a page with it, or not")
    if clash := sorted({f"{given.name}_{sub.name}" for sub in given.of} & set(names)):
        problems.append(f"list input {given.name}: page fields {clash} clash with inputs")
    return problems + check_declaration(given.of, page=page)


def clean_all(
    inputs: Iterable[Input], given: Mapping[str, Any], prefix: str = ""
) -> dict[str, Any]:
    """Every declared input cleaned (refused on its field). An undeclared one is refused
    too: a typo in a caller is a clear error, never a value silently ignored."""
    declared = {i.name: i for i in inputs}
    for name in given:
        if name not in declared:
            raise BadInput(
                _("This action takes no such input."),
                field=f"{prefix}{name}",
                code="extra_forbidden",
            )
    return {name: i.clean(given.get(name), f"{prefix}{name}") for name, i in declared.items()}
