"""Questionnaire definitions: the model, the YAML loader and its checks, answers, enable_when.

A definition is a YAML file (``kind: questionnaire``) described in ``questionnaires/README.md``
and checked against ``questionnaires/schema/questionnaire.schema.json`` and then by the checks
in this module, which the schema cannot express (duplicate linkIds, unknown answer sets,
enable_when referring forwards, scoring items that do not exist, lookup tables that miss a raw
score, signposts whose conditions name unknown questions or answers, ...). Every problem is
reported as a :class:`DefinitionError` naming the file, the item (its linkId, or a path such as
``scoring.scales[0]``) and the problem.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

import jsonschema
import yaml

from . import scoring
from .capability import DomainDefinition, ProfileDefinition, ordinal_value
from .content_files import ContentFileError, ContentFileErrors
from .scoring import BandDefinition, ScaleDefinition, ScoreResult, ScoringDefinition

SCHEMA_PATH = (
    Path(__file__).resolve().parent.parent.parent / "questionnaires" / "schema" / "questionnaire.schema.json"
)
KIND = "questionnaire"
OTHER_KINDS = frozenset({"goal-library"})
ITEM_TYPES = ("choice", "scale", "integer", "text", "boolean", "display", "group")
ANSWERABLE_TYPES = frozenset({"choice", "scale", "integer", "text", "boolean"})
OPERATORS = ("exists", "=", "!=", ">", ">=", "<", "<=")
ORDER_OPERATORS = frozenset({">", ">=", "<", "<="})
DEFAULT_MAX_LENGTH = 2000
LOOKUP_CHECK_LIMIT = 200_000

_INTEGER_RE = re.compile(r"^[+-]?[0-9]+$")


# --------------------------------------------------------------------------------------------
# Errors


class DefinitionError(ContentFileError):
    """One problem in one definition file.

    ``item`` is the linkId of the item at fault, or a path such as ``scoring.scales[1]`` when
    the problem is not in an item (``item_is_path`` is then true), or ``None``.
    """

    subject_word = "item"

    def __init__(self, file: str, item: str | None, problem: str, line: int | None = None, *,
                 item_is_path: bool = False) -> None:
        super().__init__(file, item, problem, line, subject_is_path=item_is_path)

    @property
    def item(self) -> str | None:
        return self.subject

    @property
    def item_is_path(self) -> bool:
        return self.subject_is_path


class DefinitionErrors(ContentFileErrors):
    """One or more definition files are broken. ``errors`` lists every problem found."""


ANSWER_ERROR_CODES = frozenset(
    {"required", "not_an_option", "out_of_range", "not_a_number", "too_long", "not_enabled", "unknown_item"}
)

_ANSWER_MESSAGES = {
    "required": "This question needs an answer.",
    "not_an_option": "Choose one of the options given.",
    "out_of_range": "Enter a whole number between {min} and {max}.",
    "not_a_number": "Enter a whole number.",
    "too_long": "Keep this to {max_length} characters or fewer.",
    "not_enabled": "This question does not apply, given the earlier answers.",
    "unknown_item": "There is no such question in this questionnaire.",
}


class AnswerError(Exception):
    """An answer that cannot be accepted. ``code`` is one of :data:`ANSWER_ERROR_CODES`."""

    def __init__(self, code: str, link_id: str | None, params: Mapping[str, Any] | None = None) -> None:
        if code not in ANSWER_ERROR_CODES:
            raise ValueError(f"unknown answer error code {code!r}")
        self.code = code
        self.link_id = link_id
        self.params: dict[str, Any] = dict(params or {})
        super().__init__(self.message)

    @property
    def message(self) -> str:
        template = _ANSWER_MESSAGES[self.code]
        if self.code == "out_of_range":
            low, high = self.params.get("min"), self.params.get("max")
            if low is None:
                return f"Enter a whole number no more than {high}."
            if high is None:
                return f"Enter a whole number no less than {low}."
        try:
            return template.format(**self.params)
        except (KeyError, IndexError):
            return template

    def __str__(self) -> str:
        return f"{self.link_id}: {self.code}: {self.message}"


# --------------------------------------------------------------------------------------------
# The model


@dataclass(frozen=True)
class Option:
    code: str
    text: str
    value: float | int | None = None
    not_applicable: bool = False
    help: str | None = None


@dataclass(frozen=True)
class EnableWhen:
    question: str
    operator: str
    answer: bool | int | float | str


@dataclass(frozen=True)
class Contact:
    """Somewhere a signpost points to: a phone number, a web address, or both."""

    name: str
    phone: str | None = None
    url: str | None = None
    when: str | None = None

    @property
    def phone_link(self) -> str | None:
        """The ``tel:`` link that dials the number as written ("0808 2000 247" -> "tel:08082000247")."""
        if not self.phone:
            return None
        return "tel:" + "".join(ch for ch in self.phone if ch.isdigit() or ch == "+")


@dataclass(frozen=True)
class Signpost:
    """A short box of help shown with the results when the answers meet a condition.

    The condition is written and evaluated exactly as an item's ``enable_when``. A signpost is
    not stored with a response and changes no answers or scores: it is worked out from the
    stored answers whenever the results are shown.
    """

    id: str
    title: str
    text: tuple[str, ...]
    contacts: tuple[Contact, ...] = ()
    staff_note: str | None = None
    enable_when: tuple[EnableWhen, ...] = ()
    enable_behavior: str = "all"


@dataclass(frozen=True)
class Item:
    link_id: str
    type: str
    text: str
    help: str | None = None
    required: bool = False
    options: tuple[Option, ...] = ()
    repeats: bool = False
    min: int | None = None
    max: int | None = None
    min_label: str | None = None
    max_label: str | None = None
    max_length: int | None = None
    enable_when: tuple[EnableWhen, ...] = ()
    enable_behavior: str = "all"
    items: tuple["Item", ...] = ()

    @property
    def answerable(self) -> bool:
        return self.type in ANSWERABLE_TYPES

    def option(self, code: object) -> Option | None:
        for option in self.options:
            if option.code == code:
                return option
        return None

    @property
    def not_applicable_codes(self) -> tuple[str, ...]:
        return tuple(o.code for o in self.options if o.not_applicable)

    @property
    def scale_values(self) -> tuple[int, ...]:
        """The whole numbers a scale item offers (empty for other types)."""
        if self.type != "scale" or self.min is None or self.max is None:
            return ()
        return tuple(range(self.min, self.max + 1))


@dataclass(frozen=True)
class Page:
    index: int
    item: Item

    @property
    def link_id(self) -> str:
        return self.item.link_id

    @property
    def is_group(self) -> bool:
        return self.item.type == "group"

    @property
    def questions(self) -> tuple[Item, ...]:
        if self.item.answerable:
            return (self.item,)
        return tuple(child for child in self.item.items if child.answerable)


def _is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (
        isinstance(value, (list, tuple)) and len(value) == 0
    )


# --------------------------------------------------------------------------------------------
# enable_when


def _answer_state(question: Item | None, value: object) -> tuple[bool, object]:
    """(answered, comparable): ``answered`` is false for missing, empty, wrongly typed and
    not-applicable answers. ``comparable`` is the list of real codes for a repeats choice,
    the code for a choice, the number for a scale/integer, the bool for a boolean."""
    if question is None or value is None:
        return False, None
    kind = question.type
    if kind == "boolean":
        return (True, value) if isinstance(value, bool) else (False, None)
    if kind == "choice" and question.repeats:
        if not isinstance(value, (list, tuple)):
            return False, None
        codes = []
        for code in value:
            option = question.option(code) if isinstance(code, str) else None
            if option is not None and not option.not_applicable:
                codes.append(code)
        return (True, codes) if codes else (False, None)
    if kind == "choice":
        option = question.option(value) if isinstance(value, str) else None
        if option is None or option.not_applicable:
            return False, None
        return True, value
    if kind in ("scale", "integer"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False, None
        return True, value
    if kind == "text":
        return (True, value) if isinstance(value, str) and value.strip() else (False, None)
    return False, None


def _compare(left: float, operator: str, right: float) -> bool:
    if operator == "=":
        return left == right
    if operator == "!=":
        return left != right
    if operator == ">":
        return left > right
    if operator == ">=":
        return left >= right
    if operator == "<":
        return left < right
    if operator == "<=":
        return left <= right
    return False


def condition_holds(condition: EnableWhen, question: Item | None, value: object) -> bool:
    """Whether one enable_when condition holds for ``value``, the answer to ``question``.

    The rules (the JavaScript version implements exactly the same, see
    ``tests/enable_when_vectors.json``):

    - an unanswered or not-applicable question satisfies only ``exists: false`` and ``!=``;
    - ``exists``: answered (and not not-applicable) equals the expected true/false;
    - a boolean expected answer compares with a boolean question's answer (``=``, ``!=``);
    - a string expected answer is an option code: ``=`` is equality, or "the list contains it"
      for a repeats choice; ``!=`` the opposite;
    - a number is compared with the chosen option's ``value`` (choice) or the number
      (scale, integer) with any operator;
    - any other combination is false.
    """
    operator, expected = condition.operator, condition.answer
    answered, actual = _answer_state(question, value)
    if operator == "exists":
        return answered == (expected is True)
    if not answered:
        return operator == "!="
    assert question is not None
    if isinstance(expected, bool):
        if question.type != "boolean" or operator not in ("=", "!="):
            return False
        return (actual == expected) if operator == "=" else (actual != expected)
    if isinstance(expected, str):
        if question.type != "choice" or operator not in ("=", "!="):
            return False
        if question.repeats:
            contained = expected in actual  # type: ignore[operator]
            return contained if operator == "=" else not contained
        return (actual == expected) if operator == "=" else (actual != expected)
    if isinstance(expected, (int, float)):
        if question.type == "choice":
            if question.repeats:
                return False
            number = ordinal_value(question, actual)
        elif question.type in ("scale", "integer"):
            number = actual  # type: ignore[assignment]
        else:
            return False
        if number is None:
            return False
        return _compare(number, operator, expected)
    return False


def enable_when_holds(
    conditions: Sequence[EnableWhen],
    behavior: str,
    answers: Mapping[str, object],
    questions: Mapping[str, Item],
) -> bool:
    """Whether a list of conditions holds (``behavior`` ``"all"`` or ``"any"``).

    ``questions`` maps linkIds to items; ``answers`` maps linkIds to answer values. An empty
    list always holds.
    """
    if not conditions:
        return True
    results = (
        condition_holds(c, questions.get(c.question), answers.get(c.question)) for c in conditions
    )
    return any(results) if behavior == "any" else all(results)


# --------------------------------------------------------------------------------------------
# The questionnaire


@dataclass(frozen=True)
class Questionnaire:
    id: str
    version: str
    title: str
    description: str
    licence: str
    attribution: str | None
    results_note: str | None
    estimated_minutes: int | None
    items: tuple[Item, ...]
    scoring: ScoringDefinition
    source: str
    signposts: tuple[Signpost, ...] = ()
    _by_id: dict[str, Item] = field(init=False, repr=False, compare=False)
    _page_of: dict[str, int] = field(init=False, repr=False, compare=False)
    _pages: tuple[Page, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id: dict[str, Item] = {}
        page_of: dict[str, int] = {}
        for index, item in enumerate(self.items):
            by_id[item.link_id] = item
            page_of[item.link_id] = index
            for child in item.items:
                by_id[child.link_id] = child
                page_of[child.link_id] = index
        object.__setattr__(self, "_by_id", by_id)
        object.__setattr__(self, "_page_of", page_of)
        object.__setattr__(self, "_pages", tuple(Page(i, item) for i, item in enumerate(self.items)))

    # -- structure -----------------------------------------------------------------------

    @property
    def pages(self) -> tuple[Page, ...]:
        return self._pages

    def page(self, link_id: str) -> Page | None:
        for page in self._pages:
            if page.link_id == link_id:
                return page
        return None

    def page_of(self, link_id: str) -> Page | None:
        """The page holding an item (the page itself for a top-level item)."""
        index = self._page_of.get(link_id)
        return self._pages[index] if index is not None else None

    def item(self, link_id: str) -> Item | None:
        return self._by_id.get(link_id)

    @property
    def answerable_items(self) -> tuple[Item, ...]:
        return tuple(q for page in self._pages for q in page.questions)

    # -- enable_when ---------------------------------------------------------------------

    def _enabled_map(self, answers: Mapping[str, object]) -> dict[str, bool]:
        """Every item's enabled state, walking the pages in order. A condition sees only the
        answers of items that are themselves enabled (so a chain of conditions collapses)."""
        seen: dict[str, object] = {}
        enabled: dict[str, bool] = {}
        for page in self._pages:
            page_item = page.item
            page_on = enable_when_holds(page_item.enable_when, page_item.enable_behavior, seen, self._by_id)
            enabled[page_item.link_id] = page_on
            for child in page_item.items:
                enabled[child.link_id] = page_on and enable_when_holds(
                    child.enable_when, child.enable_behavior, seen, self._by_id
                )
            for question in page.questions:
                if enabled[question.link_id] and question.link_id in answers:
                    seen[question.link_id] = answers[question.link_id]
        return enabled

    def is_enabled(self, item_or_link_id: Item | str, answers: Mapping[str, object]) -> bool:
        link_id = item_or_link_id.link_id if isinstance(item_or_link_id, Item) else item_or_link_id
        if link_id not in self._by_id:
            raise KeyError(f"questionnaire {self.id!r} has no item {link_id!r}")
        return self._enabled_map(answers)[link_id]

    def enabled_pages(self, answers: Mapping[str, object]) -> list[Page]:
        enabled = self._enabled_map(answers)
        shown = []
        for page in self._pages:
            if not enabled[page.link_id]:
                continue
            questions = page.questions
            if not questions or any(enabled[q.link_id] for q in questions):
                shown.append(page)
        return shown

    def clean_answers(self, answers: Mapping[str, object]) -> dict[str, object]:
        enabled = self._enabled_map(answers)
        clean: dict[str, object] = {}
        for question in self.answerable_items:
            link_id = question.link_id
            if enabled[link_id] and link_id in answers and not _is_empty(answers[link_id]):
                clean[link_id] = answers[link_id]
        return clean

    def missing_required(self, answers: Mapping[str, object]) -> list[Item]:
        enabled = self._enabled_map(answers)
        clean = self.clean_answers(answers)
        return [
            q for q in self.answerable_items
            if q.required and enabled[q.link_id] and q.link_id not in clean
        ]

    # -- signposts -------------------------------------------------------------------------

    def signposts_for(self, answers: Mapping[str, object]) -> list[Signpost]:
        """The signposts whose conditions hold for these answers, in the definition's order.

        Answers to questions that were not asked are left out first, as for ``enable_when``.
        """
        if not self.signposts:
            return []
        asked = self.clean_answers(answers)
        return [
            signpost for signpost in self.signposts
            if enable_when_holds(signpost.enable_when, signpost.enable_behavior, asked, self._by_id)
        ]

    # -- answers ---------------------------------------------------------------------------

    def parse_answer(self, item: Item, raw: list[str]) -> object | None:
        """Turn submitted form values for one item into its JSON answer value.

        Returns ``None`` for an empty, optional answer. Raises :class:`AnswerError`.
        """
        if not item.answerable:
            raise AnswerError("unknown_item", item.link_id)
        values = [v if isinstance(v, str) else str(v) for v in (raw or [])]
        if item.type == "text":
            text = next((v for v in values if v.strip()), "")
            return self._check_text(item, text)
        values = [v.strip() for v in values if v.strip()]
        if not values:
            return self._empty(item)
        if item.type == "choice" and item.repeats:
            return self._check_codes(item, values)
        if len(values) > 1:  # one answer only: a tampered or repeated field is not guessed at
            raise AnswerError("not_an_option", item.link_id)
        value = values[0]
        if item.type == "choice":
            return self._check_code(item, value)
        if item.type == "boolean":
            lowered = value.lower()
            if lowered in ("yes", "true"):
                return True
            if lowered in ("no", "false"):
                return False
            raise AnswerError("not_an_option", item.link_id)
        if item.type == "scale":
            if _INTEGER_RE.match(value):
                return self._check_range(item, int(value))
            option = item.option(value)
            if option is not None and option.not_applicable:
                return option.code
            raise AnswerError("not_an_option", item.link_id, {"min": item.min, "max": item.max})
        # integer
        if not _INTEGER_RE.match(value):
            raise AnswerError("not_a_number", item.link_id, {"min": item.min, "max": item.max})
        return self._check_range(item, int(value))

    def check_answer_value(self, item: Item, value: object) -> object | None:
        """Check a JSON answer value (the normalised types) and return it normalised."""
        if not item.answerable:
            raise AnswerError("unknown_item", item.link_id)
        if value is None:
            return self._empty(item)
        if item.type == "text":
            if not isinstance(value, str):
                raise AnswerError("not_an_option", item.link_id)
            return self._check_text(item, value)
        if item.type == "boolean":
            if not isinstance(value, bool):
                raise AnswerError("not_an_option", item.link_id)
            return value
        if item.type == "choice" and item.repeats:
            if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
                raise AnswerError("not_an_option", item.link_id)
            if not value:
                return self._empty(item)
            return self._check_codes(item, list(value))
        if item.type == "choice":
            if not isinstance(value, str):
                raise AnswerError("not_an_option", item.link_id)
            if not value.strip():
                return self._empty(item)
            return self._check_code(item, value)
        # scale and integer
        if isinstance(value, str) and item.type == "scale":
            option = item.option(value)
            if option is not None and option.not_applicable:
                return option.code
            raise AnswerError("not_an_option", item.link_id, {"min": item.min, "max": item.max})
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise AnswerError("not_a_number", item.link_id, {"min": item.min, "max": item.max})
        if isinstance(value, float):
            if not (math.isfinite(value) and value.is_integer()):
                raise AnswerError("not_a_number", item.link_id, {"min": item.min, "max": item.max})
            value = int(value)
        return self._check_range(item, value)

    def validate_answers(self, answers: Mapping[str, object]) -> dict[str, object]:
        """Check a whole set of JSON answers: every key is a known question, every value is
        valid, and no disabled question is answered. Returns the normalised answers (empty
        ones left out). Raises the first :class:`AnswerError` in page order (unknown items
        first)."""
        for link_id in answers:
            item = self._by_id.get(link_id)
            if item is None or not item.answerable:
                raise AnswerError("unknown_item", link_id)
        normalised: dict[str, object] = {}
        for question in self.answerable_items:
            if question.link_id in answers:
                value = answers[question.link_id]
                checked = self.check_answer_value(
                    question, value
                ) if not _is_empty(value) else None
                if checked is not None:
                    normalised[question.link_id] = checked
        enabled = self._enabled_map(normalised)
        for link_id in normalised:
            if not enabled[link_id]:
                raise AnswerError("not_enabled", link_id)
        return normalised

    def _empty(self, item: Item) -> None:
        if item.required:
            raise AnswerError("required", item.link_id)
        return None

    def _check_text(self, item: Item, text: str) -> str | None:
        text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
        if not text:
            return self._empty(item)
        limit = item.max_length or DEFAULT_MAX_LENGTH
        if len(text) > limit:
            raise AnswerError("too_long", item.link_id, {"max_length": limit, "length": len(text)})
        return text

    def _check_code(self, item: Item, code: str) -> str:
        option = item.option(code.strip())
        if option is None:
            raise AnswerError("not_an_option", item.link_id)
        return option.code

    def _check_codes(self, item: Item, codes: list[str]) -> list[str]:
        wanted = {code.strip() for code in codes}
        unknown = [code for code in wanted if item.option(code) is None]
        if unknown:
            raise AnswerError("not_an_option", item.link_id)
        return [option.code for option in item.options if option.code in wanted]

    def _check_range(self, item: Item, number: int) -> int:
        if (item.min is not None and number < item.min) or (item.max is not None and number > item.max):
            raise AnswerError("out_of_range", item.link_id, {"min": item.min, "max": item.max})
        return number

    # -- scoring ---------------------------------------------------------------------------

    def score(self, answers: Mapping[str, object]) -> ScoreResult:
        return scoring.score_answers(self, answers)


# --------------------------------------------------------------------------------------------
# The catalogue


def version_key(version: str) -> tuple:
    """Sort key for versions: numeric parts compare as numbers ("1.10" > "1.9", "10" > "2")."""
    key = []
    for part in re.split(r"[.\-_+]", version):
        if part.isdigit():
            key.append((1, int(part), ""))
        else:
            key.append((0, 0, part))
    return tuple(key)


class Catalogue:
    """Every loaded definition, by id and version."""

    def __init__(self, questionnaires: Iterable[Questionnaire] = ()) -> None:
        self._by_id: dict[str, list[Questionnaire]] = {}
        for questionnaire in questionnaires:
            self._by_id.setdefault(questionnaire.id, []).append(questionnaire)
        for versions in self._by_id.values():
            versions.sort(key=lambda q: version_key(q.version))

    def get(self, id: str, version: str | None = None) -> Questionnaire | None:
        versions = self._by_id.get(id)
        if not versions:
            return None
        if version is None:
            return versions[-1]
        for questionnaire in versions:
            if questionnaire.version == version:
                return questionnaire
        return None

    def latest(self) -> list[Questionnaire]:
        return [self._by_id[id][-1] for id in sorted(self._by_id)]

    def versions(self, id: str) -> list[Questionnaire]:
        return list(self._by_id.get(id, []))

    def __iter__(self) -> Iterator[Questionnaire]:
        for id in sorted(self._by_id):
            yield from self._by_id[id]

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_id.values())

    def __contains__(self, id: object) -> bool:
        return id in self._by_id


# --------------------------------------------------------------------------------------------
# YAML reading


class _Map(dict):
    """A mapping that remembers the line it started on."""

    line: int | None = None


class _Loader(yaml.SafeLoader):
    """Safe YAML with YAML 1.2 booleans (only true/false; yes/no/on/off stay strings), no
    implicit dates, string keys, and duplicate keys rejected."""


_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> _Map:
    has_merge = any(key.tag == "tag:yaml.org,2002:merge" for key, _ in node.value)
    loader.flatten_mapping(node)
    result = _Map()
    result.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, bool):
            key = "true" if key else "false"
        elif key is None:
            key = "null"
        elif isinstance(key, (int, float)):
            key = str(key)
        elif not isinstance(key, str):
            raise yaml.constructor.ConstructorError(
                "while reading a mapping", node.start_mark, "a key must be a plain value", key_node.start_mark
            )
        if key in result and not has_merge:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping", node.start_mark, f"duplicate key {key!r}", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
    return result


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def _read_yaml(path: Path, file: str) -> object:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DefinitionErrors([DefinitionError(file, None, f"not UTF-8 text ({exc.reason})")]) from None
    except OSError as exc:
        raise DefinitionErrors([DefinitionError(file, None, f"cannot read the file ({exc.strerror})")]) from None
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem:
            problem = f"{exc.context}: {exc.problem}"
        column = f" at column {mark.column + 1}" if mark is not None else ""
        line = mark.line + 1 if mark is not None else None
        raise DefinitionErrors(
            [DefinitionError(file, None, f"YAML syntax error{column}: {problem}", line)]
        ) from None
    except yaml.YAMLError as exc:
        raise DefinitionErrors([DefinitionError(file, None, f"YAML syntax error: {exc}")]) from None


# --------------------------------------------------------------------------------------------
# Schema


_schema_validator: jsonschema.protocols.Validator | None = None


def schema() -> dict[str, Any]:
    """The JSON Schema of the format (``questionnaires/schema/questionnaire.schema.json``)."""
    with SCHEMA_PATH.open(encoding="utf-8") as handle:
        return json.load(handle)


def _validator() -> jsonschema.protocols.Validator:
    global _schema_validator
    if _schema_validator is None:
        loaded = schema()
        jsonschema.Draft202012Validator.check_schema(loaded)
        _schema_validator = jsonschema.Draft202012Validator(loaded)
    return _schema_validator


def _format_path(path: Sequence[object]) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def _schema_message(error: jsonschema.ValidationError) -> str:
    custom = error.schema.get("x-error") if isinstance(error.schema, dict) else None
    if custom:
        return custom
    if error.validator == "not" and isinstance(error.validator_value, dict):
        required = error.validator_value.get("required")
        if required and len(required) == 1:
            return f"'{required[0]}' is not allowed here"
    if error.validator == "type":
        expected = error.validator_value
        wanted = expected if isinstance(expected, list) else [expected]
        message = f"{error.instance!r} is not of type {' or '.join(repr(w) for w in wanted)}"
        if "string" in wanted and isinstance(error.instance, (int, float)) and not isinstance(error.instance, bool):
            message += f" (put it in quotes: YAML read it as the number {error.instance!r})"
        return message
    return error.message


def _schema_error(file: str, data: object, error: jsonschema.ValidationError) -> DefinitionError:
    path = list(error.absolute_path)
    node: object = data
    item_id: str | None = None
    item_end = 0
    line = getattr(data, "line", None)
    for index, part in enumerate(path):
        try:
            node = node[part]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict):
            line = getattr(node, "line", line)
            is_item = index >= 1 and isinstance(part, int) and path[index - 1] == "items" and (
                index == 1 or isinstance(path[index - 2], int)
            )
            if is_item and isinstance(node.get("linkId"), str):
                item_id, item_end = node["linkId"], index + 1
    message = _schema_message(error)
    if isinstance(error.schema, dict) and error.schema.get("x-error") and path and path[-1] in ("type", "method"):
        path = path[:-1]  # the custom message already says which key is at fault
    if item_id is not None:
        rest = _format_path(path[item_end:])
        return DefinitionError(file, item_id, f"{rest}: {message}" if rest else message, line)
    if path:
        return DefinitionError(file, _format_path(path), message, line, item_is_path=True)
    return DefinitionError(file, None, message, line)


# --------------------------------------------------------------------------------------------
# Building a definition


def _line(node: object) -> int | None:
    return getattr(node, "line", None)


class _Builder:
    """Turns validated YAML data into a :class:`Questionnaire`, collecting every problem."""

    def __init__(self, data: dict[str, Any], file: str) -> None:
        self.data = data
        self.file = file
        self.errors: list[DefinitionError] = []
        self.items: dict[str, Item] = {}
        self.page_of: dict[str, int] = {}

    def error(self, item: str | None, problem: str, node: object = None, *, path: bool = False) -> None:
        self.errors.append(DefinitionError(self.file, item, problem, _line(node), item_is_path=path))

    # -- items -------------------------------------------------------------------------------

    def build(self) -> Questionnaire:
        data = self.data
        answer_sets = self._answer_sets(data.get("answer_sets") or {})
        top: list[Item] = []
        raw_by_id: dict[str, dict[str, Any]] = {}
        for page_index, raw in enumerate(data["items"]):
            item = self._item(raw, answer_sets, page_index, raw_by_id)
            if item is not None:
                top.append(item)
        for link_id, raw in raw_by_id.items():
            self._check_enable_when(self.items[link_id], raw)
        scoring_definition = ScoringDefinition(version=None)
        if "scoring" in data:
            scoring_definition = self._scoring(data["scoring"])
        signposts = self._signposts(data.get("signposts") or [])
        if self.errors:
            raise DefinitionErrors(self.errors)
        return Questionnaire(
            id=data["id"],
            version=data["version"],
            title=data["title"],
            description=data["description"],
            licence=data["licence"],
            attribution=data.get("attribution"),
            results_note=data.get("results_note"),
            estimated_minutes=data.get("estimated_minutes"),
            items=tuple(top),
            scoring=scoring_definition,
            source=self.file,
            signposts=signposts,
        )

    def _options(self, raw_options: list[dict[str, Any]], where: str | None, node: object, *,
                 path: bool) -> tuple[Option, ...]:
        options = []
        seen: set[str] = set()
        for raw in raw_options:
            code = raw["code"]
            if code in seen:
                self.error(where, f"options: option code '{code}' is used twice", raw, path=path)
            seen.add(code)
            options.append(
                Option(
                    code=code,
                    text=raw["text"],
                    value=raw.get("value"),
                    not_applicable=bool(raw.get("not_applicable", False)),
                    help=raw.get("help"),
                )
            )
        return tuple(options)

    def _answer_sets(self, raw_sets: Mapping[str, Any]) -> dict[str, tuple[Option, ...]]:
        return {
            name: self._options(options, f"answer_sets.{name}", raw_sets, path=True)
            for name, options in raw_sets.items()
        }

    def _item(self, raw: dict[str, Any], answer_sets: Mapping[str, tuple[Option, ...]],
              page_index: int, raw_by_id: dict[str, dict[str, Any]]) -> Item | None:
        link_id = raw["linkId"]
        kind = raw["type"]
        if link_id in self.items:
            self.error(link_id, "linkId is used twice in this definition", raw)
            return None

        options: tuple[Option, ...] = ()
        raw_options = raw.get("options")
        if isinstance(raw_options, str):
            if raw_options not in answer_sets:
                known = ", ".join(sorted(answer_sets)) or "none defined"
                self.error(link_id, f"options: unknown answer set '{raw_options}' (answer sets: {known})", raw)
            else:
                options = answer_sets[raw_options]
        elif isinstance(raw_options, list):
            options = self._options(raw_options, link_id, raw, path=False)

        repeats = bool(raw.get("repeats", False))
        if kind == "choice" and not repeats:
            missing = [o.code for o in options if not o.not_applicable and o.value is None]
            if missing:
                self.error(
                    link_id,
                    "options: every option of a single-answer choice needs a number 'value' "
                    f"(unless it is not_applicable); missing on {', '.join(missing)}",
                    raw,
                )
            if options and all(o.not_applicable for o in options):
                self.error(link_id, "options: a choice needs at least one option that is not not_applicable", raw)
        if kind == "scale":
            for option in options:
                if not option.not_applicable:
                    self.error(
                        link_id,
                        f"options: option '{option.code}' on a scale must be not_applicable: true "
                        "(a scale's numbers come from min and max)",
                        raw,
                    )
                if _INTEGER_RE.match(option.code):
                    self.error(link_id, f"options: option code '{option.code}' on a scale must not be a number", raw)
            if raw["min"] >= raw["max"]:
                self.error(link_id, f"min ({raw['min']}) must be less than max ({raw['max']})", raw)
        if kind == "integer" and "min" in raw and "max" in raw and raw["min"] > raw["max"]:
            self.error(link_id, f"min ({raw['min']}) must not be more than max ({raw['max']})", raw)

        children: list[Item] = []
        if kind == "group":
            for child_raw in raw["items"]:
                child = self._item(child_raw, answer_sets, page_index, raw_by_id)
                if child is not None:
                    children.append(child)

        answerable = kind in ANSWERABLE_TYPES
        item = Item(
            link_id=link_id,
            type=kind,
            text=raw["text"],
            help=raw.get("help"),
            required=bool(raw.get("required", kind != "text")) if answerable else False,
            options=options,
            repeats=repeats,
            min=raw.get("min"),
            max=raw.get("max"),
            min_label=raw.get("min_label"),
            max_label=raw.get("max_label"),
            max_length=raw.get("max_length", DEFAULT_MAX_LENGTH) if kind == "text" else None,
            enable_when=tuple(
                EnableWhen(question=c["question"], operator=c["operator"], answer=c["answer"])
                for c in raw.get("enable_when", ())
            ),
            enable_behavior=raw.get("enable_behavior", "all"),
            items=tuple(children),
        )
        self.items[link_id] = item
        self.page_of[link_id] = page_index
        raw_by_id[link_id] = raw
        return item

    def _check_enable_when(self, item: Item, raw: dict[str, Any]) -> None:
        for node, problem in self._condition_problems(item.enable_when, raw.get("enable_when", ()),
                                                      before_page=self.page_of[item.link_id]):
            self.error(item.link_id, problem, node)

    def _condition_problems(self, conditions: Sequence[EnableWhen], nodes: Sequence[object], *,
                            before_page: int | None) -> Iterator[tuple[object, str]]:
        """(node, problem) for every condition that cannot work. With ``before_page``, each
        question must be on an earlier screen (an item's enable_when); without it any question
        in the file will do (a signpost, read once every answer is in)."""
        for index, condition in enumerate(conditions):
            where = f"enable_when[{index}]"
            node = nodes[index]
            question = self.items.get(condition.question)
            if question is None:
                yield node, f"{where}: unknown question '{condition.question}'"
                continue
            if before_page is not None and self.page_of[condition.question] >= before_page:
                yield node, (f"{where}: question '{condition.question}' must be on an earlier screen "
                             "(a top-level item before this one)")
                continue
            if not question.answerable:
                yield node, f"{where}: question '{condition.question}' is a {question.type} item and has no answer"
                continue
            problem = _condition_problem(condition, question)
            if problem:
                yield node, f"{where}: {problem}"

    # -- signposts ---------------------------------------------------------------------------

    def _signposts(self, raw_signposts: Sequence[dict[str, Any]]) -> tuple[Signpost, ...]:
        signposts: list[Signpost] = []
        seen: set[str] = set()
        for index, raw in enumerate(raw_signposts):
            where = f"signposts[{index}]"
            signpost_id = raw["id"]
            if signpost_id in seen:
                self.error(where, f"signpost id '{signpost_id}' is used twice", raw, path=True)
            seen.add(signpost_id)
            conditions = tuple(
                EnableWhen(question=c["question"], operator=c["operator"], answer=c["answer"])
                for c in raw["enable_when"]
            )
            for node, problem in self._condition_problems(conditions, raw["enable_when"], before_page=None):
                self.error(where, f"signpost '{signpost_id}': {problem}", node, path=True)
            text = raw["text"]
            signposts.append(Signpost(
                id=signpost_id,
                title=raw["title"],
                text=(text,) if isinstance(text, str) else tuple(text),
                contacts=tuple(
                    Contact(name=c["name"], phone=c.get("phone"), url=c.get("url"), when=c.get("when"))
                    for c in raw.get("contacts", ())
                ),
                staff_note=raw.get("staff_note"),
                enable_when=conditions,
                enable_behavior=raw.get("enable_behavior", "all"),
            ))
        return tuple(signposts)

    # -- scoring -----------------------------------------------------------------------------

    def _scorable_problem(self, link_id: str) -> str | None:
        item = self.items.get(link_id)
        if item is None:
            return f"unknown item '{link_id}'"
        if not item.answerable:
            return f"item '{link_id}' is a {item.type} item and has no answer"
        if item.type == "choice" and item.repeats:
            return f"item '{link_id}' is a choice with repeats (a list of answers) and cannot be scored"
        if item.type in ("text", "boolean"):
            return f"item '{link_id}' is a {item.type} item and cannot be scored"
        if item.type == "integer" and (item.min is None or item.max is None):
            return f"item '{link_id}' is an integer item without both min and max and cannot be scored"
        if scoring.item_range(item) is None:
            return f"item '{link_id}' has no option with a value"
        return None

    def _scoring(self, raw: dict[str, Any]) -> ScoringDefinition:
        scales: list[ScaleDefinition] = []
        seen: set[str] = set()
        for index, raw_scale in enumerate(raw.get("scales") or []):
            where = f"scoring.scales[{index}]"
            if raw_scale["id"] in seen:
                self.error(where, f"scale id '{raw_scale['id']}' is used twice", raw_scale, path=True)
            seen.add(raw_scale["id"])
            scale = self._scale(raw_scale, where)
            if scale is not None:
                scales.append(scale)
        headline = raw.get("headline")
        if headline is not None and headline not in seen:
            known = ", ".join(sorted(seen)) or "none defined"
            self.error("scoring.headline", f"unknown scale '{headline}' (scales: {known})", raw, path=True)
        profile = self._profile(raw["profile"]) if "profile" in raw else None
        return ScoringDefinition(version=raw["version"], headline=headline, scales=tuple(scales), profile=profile)

    def _scale(self, raw: dict[str, Any], where: str) -> ScaleDefinition | None:
        scale_id = raw["id"]
        method = raw["method"]
        errors_before = len(self.errors)

        def problem(text: str) -> None:
            self.error(where, f"scale '{scale_id}': {text}", raw, path=True)

        items = tuple(raw["items"])
        duplicates = sorted({i for i in items if items.count(i) > 1})
        if duplicates:
            problem(f"items: listed more than once: {', '.join(duplicates)}")
        for link_id in dict.fromkeys(items):
            message = self._scorable_problem(link_id)
            if message:
                problem(f"items: {message}")
        if method == "value_set":
            for link_id in dict.fromkeys(items):
                item = self.items.get(link_id)
                if item is not None and item.type != "choice":
                    problem(f"items: value_set items must be choice items; '{link_id}' is a {item.type} item")
        if len(self.errors) > errors_before:
            return None

        reverse = tuple(raw.get("reverse", ()))
        for link_id in reverse:
            if link_id not in items:
                problem(f"reverse: '{link_id}' is not one of this scale's items")
        if reverse and method == "value_set":
            problem("reverse: cannot be used with value_set (put the reversed values in 'values')")

        min_answered = raw.get("min_answered", len(items))
        if min_answered > len(items):
            problem(f"min_answered ({min_answered}) is more than the number of items ({len(items)})")

        values: dict[str, dict[str, float]] | None = None
        ranges: list[tuple[float, float]] = []
        if method == "value_set":
            values = {}
            raw_values = raw["values"]
            for link_id in raw_values:
                if link_id not in items:
                    problem(f"values: '{link_id}' is not one of this scale's items")
            for link_id in items:
                item = self.items[link_id]
                given = raw_values.get(link_id)
                if given is None:
                    problem(f"values: no values for item '{link_id}'")
                    continue
                codes = {o.code for o in item.options if not o.not_applicable}
                for code in given:
                    option = item.option(code)
                    if option is None:
                        problem(f"values: item '{link_id}' has no option '{code}'")
                    elif option.not_applicable:
                        problem(f"values: option '{code}' of item '{link_id}' is not_applicable and cannot have a value")
                missing = sorted(codes - set(given))
                if missing:
                    problem(f"values: item '{link_id}' has no value for option(s) {', '.join(missing)}")
                values[link_id] = dict(given)
                numbers = [v for c, v in given.items() if c in codes]
                if numbers:
                    ranges.append((min(numbers), max(numbers)))
        else:
            ranges = [scoring.item_range(self.items[link_id]) for link_id in items]  # type: ignore[misc]

        constant = raw.get("constant", 0.0)
        prorate = bool(raw.get("prorate", False))
        raw_min = raw_max = None
        if len(ranges) == len(items):
            raw_min, raw_max = scoring.theoretical_range(method, ranges, min_answered, prorate, constant)

        rescale = tuple(raw["rescale"]) if "rescale" in raw else None
        lookup: dict[float, float] | None = None
        if "lookup" in raw:
            if rescale is not None:
                problem("lookup and rescale cannot be used together")
            if prorate:
                problem("lookup cannot be used with prorate (the table must list every raw sum)")
            lookup = {}
            for key, value in raw["lookup"].items():
                number = scoring.number_key(float(key))
                if number in lookup:
                    problem(f"lookup: raw score {key} is listed more than once")
                lookup[number] = value
            if not prorate:
                self._check_lookup_coverage(items, reverse, min_answered, lookup, problem)
        if rescale is not None:
            if rescale[0] == rescale[1]:
                problem("rescale: the two ends must differ")
            if raw_min is not None and raw_min == raw_max:
                problem("rescale: the raw score can only take one value, so it cannot be rescaled")

        cut_points = tuple(raw.get("cut_points", ()))
        if any(b <= a for a, b in zip(cut_points, cut_points[1:])):
            problem(f"cut_points: must be in ascending order, each larger than the one before: {list(cut_points)}")
        levels: dict[int, dict[str, str | None]] = {}
        raw_levels = raw.get("levels") or {}
        if raw_levels and not cut_points:
            problem("levels: need cut_points")
        for key, text in raw_levels.items():
            level = int(key)
            if cut_points and not 1 <= level <= len(cut_points) + 1:
                problem(f"levels: level {level} cannot occur with {len(cut_points)} cut point(s) "
                        f"(levels run from 1 to {len(cut_points) + 1})")
            levels[level] = {
                "label": text["label"],
                "summary": text.get("summary"),
                "what_helps": text.get("what_helps"),
            }

        bands = tuple(
            BandDefinition(code=b["code"], label=b["label"], min=b["min"], max=b["max"])
            for b in raw.get("bands", ())
        )
        codes_seen: set[str] = set()
        for band in bands:
            if band.min > band.max:
                problem(f"bands: band '{band.code}' has min ({band.min}) above max ({band.max})")
            if band.code in codes_seen:
                problem(f"bands: band code '{band.code}' is used twice")
            codes_seen.add(band.code)
        for i, first in enumerate(bands):
            for second in bands[i + 1:]:
                if first.min <= second.max and second.min <= first.max:
                    problem(
                        f"bands: '{first.code}' ({first.min} to {first.max}) overlaps "
                        f"'{second.code}' ({second.min} to {second.max})"
                    )

        if len(self.errors) > errors_before:
            return None
        return ScaleDefinition(
            id=scale_id,
            label=raw["label"],
            method=method,
            items=items,
            reverse=reverse,
            min_answered=min_answered,
            prorate=prorate,
            rescale=rescale,  # type: ignore[arg-type]
            lookup=lookup,
            cut_points=cut_points,
            levels=levels,
            bands=bands,
            values=values,
            constant=constant,
            decimals=raw.get("decimals", 1),
            raw_min=raw_min,
            raw_max=raw_max,
        )

    def _check_lookup_coverage(self, items: Sequence[str], reverse: Sequence[str], min_answered: int,
                               lookup: Mapping[float, float], problem: Any) -> None:
        """Every raw sum that can occur (with min_answered or more answers) must be in the table."""
        per_item: list[set[float]] = []
        for link_id in items:
            item = self.items[link_id]
            if item.type == "choice":
                numbers = {o.value for o in item.options if not o.not_applicable and o.value is not None}
            else:
                numbers = set(range(item.min, item.max + 1))  # type: ignore[arg-type]
            if link_id in reverse:
                low, high = min(numbers), max(numbers)
                numbers = {low + high - v for v in numbers}
            per_item.append({scoring.number_key(v) for v in numbers})
        # sums[k] = the sums reachable with exactly k answered items
        sums: list[set[float]] = [{0.0}]
        for numbers in per_item:
            following: list[set[float]] = [set(s) for s in sums] + [set()]
            for count, reachable in enumerate(sums):
                for total in reachable:
                    for number in numbers:
                        following[count + 1].add(scoring.number_key(total + number))
            sums = following
            if sum(len(s) for s in sums) > LOOKUP_CHECK_LIMIT:
                return
        reachable = set().union(*sums[min_answered:])
        missing = sorted(reachable - set(lookup))
        if missing:
            shown = ", ".join(_number_text(v) for v in missing[:12])
            more = f" and {len(missing) - 12} more" if len(missing) > 12 else ""
            low, high = min(reachable), max(reachable)
            problem(
                f"lookup: no calibrated score for raw score(s) {shown}{more}; every raw sum that can "
                f"occur ({_number_text(low)} to {_number_text(high)} with at least {min_answered} answers) needs one"
            )

    # -- profile -----------------------------------------------------------------------------

    def _profile(self, raw: dict[str, Any]) -> ProfileDefinition:
        where = "scoring.profile"
        low, high = raw["scale"]
        if low >= high:
            self.error(where, f"scale: [{low}, {high}] must run from low to high", raw, path=True)
        for key in ("matters_high", "free_low", "free_high", "actual_low"):
            if not low <= raw[key] <= high:
                self.error(where, f"{key} ({raw[key]}) is outside scale [{low}, {high}]", raw, path=True)
        if raw["free_low"] >= raw["free_high"]:
            self.error(where, f"free_low ({raw['free_low']}) must be less than free_high ({raw['free_high']})",
                       raw, path=True)

        what_matters = raw.get("what_matters")
        if what_matters is not None:
            item = self.items.get(what_matters)
            if item is None:
                self.error(where, f"what_matters: unknown item '{what_matters}'", raw, path=True)
            elif item.type != "text":
                self.error(where, f"what_matters: item '{what_matters}' must be a text item, not {item.type}",
                           raw, path=True)

        domains: list[DomainDefinition] = []
        seen: set[str] = set()
        barrier_codes: set[str] = set()
        any_barriers = False
        for index, d in enumerate(raw["domains"]):
            dwhere = f"{where}.domains[{index}]"
            if d["id"] in seen:
                self.error(dwhere, f"domain id '{d['id']}' is used twice", d, path=True)
            seen.add(d["id"])
            for role in ("matters", "free", "actual"):
                link_id = d[role]
                item = self.items.get(link_id)
                if item is None:
                    self.error(dwhere, f"domain '{d['id']}': {role}: unknown item '{link_id}'", d, path=True)
                    continue
                message = self._scorable_problem(link_id)
                if message:
                    self.error(dwhere, f"domain '{d['id']}': {role}: {message}", d, path=True)
                    continue
                item_low, item_high = scoring.item_range(item)  # type: ignore[misc]
                if item_low < low or item_high > high:
                    self.error(
                        dwhere,
                        f"domain '{d['id']}': {role}: item '{link_id}' gives values {item_low} to {item_high}, "
                        f"outside the profile scale [{low}, {high}]",
                        d,
                        path=True,
                    )
            barriers = d.get("barriers")
            if barriers is not None:
                any_barriers = True
                item = self.items.get(barriers)
                if item is None:
                    self.error(dwhere, f"domain '{d['id']}': barriers: unknown item '{barriers}'", d, path=True)
                elif item.type != "choice" or not item.repeats:
                    self.error(
                        dwhere,
                        f"domain '{d['id']}': barriers: item '{barriers}' must be a choice with repeats: true",
                        d,
                        path=True,
                    )
                else:
                    barrier_codes.update(o.code for o in item.options)
            domains.append(
                DomainDefinition(id=d["id"], label=d["label"], matters=d["matters"], free=d["free"],
                                 actual=d["actual"], barriers=barriers)
            )
        outside = tuple(raw.get("outside_barriers", ()))
        if any_barriers and barrier_codes:
            unknown = [code for code in outside if code not in barrier_codes]
            if unknown:
                self.error(where, f"outside_barriers: no barriers item has the option(s) {', '.join(unknown)}",
                           raw, path=True)
        return ProfileDefinition(
            scale_min=low,
            scale_max=high,
            matters_high=raw["matters_high"],
            free_low=raw["free_low"],
            free_high=raw["free_high"],
            actual_low=raw["actual_low"],
            outside_barriers=outside,
            what_matters=what_matters,
            domains=tuple(domains),
        )


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _condition_problem(condition: EnableWhen, question: Item) -> str | None:
    """Why a condition cannot work with its question, or ``None``."""
    operator, answer, kind = condition.operator, condition.answer, question.type
    if operator == "exists":
        return None if isinstance(answer, bool) else "operator 'exists' needs answer true or false"
    if isinstance(answer, bool):
        if kind != "boolean":
            return f"answer {str(answer).lower()} only fits a boolean question; '{question.link_id}' is a {kind} item"
        if operator not in ("=", "!="):
            return f"operator '{operator}' cannot compare true/false; use '=' or '!='"
        return None
    if isinstance(answer, str):
        if operator not in ("=", "!="):
            return f"operator '{operator}' needs a number; a text answer (an option code) works with '=' and '!=' only"
        if kind != "choice":
            return f"answer '{answer}' is an option code, but '{question.link_id}' is a {kind} item"
        option = question.option(answer)
        if option is None:
            codes = ", ".join(o.code for o in question.options)
            return f"'{question.link_id}' has no option '{answer}' (options: {codes})"
        if option.not_applicable:
            return (f"option '{answer}' is not_applicable and counts as unanswered; "
                    "use operator 'exists' with answer false")
        return None
    # a number
    if kind == "choice":
        if question.repeats:
            return (f"'{question.link_id}' allows several answers; compare it with an option code "
                    "('=' means the list contains it)")
        return None
    if kind in ("scale", "integer"):
        return None
    return f"a number cannot be compared with the {kind} item '{question.link_id}'"


# --------------------------------------------------------------------------------------------
# Loading


def _display_path(path: Path) -> str:
    return str(path)


def _read_definition(path: Path) -> tuple[str | None, object]:
    """Read a YAML file and return its kind and data. Raises DefinitionErrors."""
    file = _display_path(path)
    data = _read_yaml(path, file)
    if not isinstance(data, dict):
        what = "empty" if data is None else f"a {type(data).__name__}, not a mapping"
        raise DefinitionErrors([DefinitionError(file, None, f"the file is {what}; expected 'kind: questionnaire' and the definition")])
    kind = data.get("kind")
    if kind == KIND:
        return kind, data
    if isinstance(kind, str) and kind in OTHER_KINDS:
        return kind, data
    known = ", ".join([KIND, *sorted(OTHER_KINDS)])
    if kind is None:
        problem = f"no 'kind' (expected one of: {known})"
    else:
        problem = f"unknown kind {kind!r} (expected one of: {known})"
    raise DefinitionErrors([DefinitionError(file, None, problem, _line(data))])


def _build(data: dict[str, Any], file: str) -> Questionnaire:
    errors = sorted(
        _validator().iter_errors(data),
        key=lambda e: ([str(p) for p in e.absolute_path], e.message),
    )
    if errors:
        found: list[DefinitionError] = []
        seen: set[str] = set()
        for error in errors:
            converted = _schema_error(file, data, error)
            if str(converted) not in seen:
                seen.add(str(converted))
                found.append(converted)
        raise DefinitionErrors(found)
    return _Builder(data, file).build()


def load_definition(path: Path | str) -> Questionnaire:
    """Load one questionnaire definition. Raises :class:`DefinitionErrors` listing every
    problem found in the file."""
    path = Path(path)
    kind, data = _read_definition(path)
    if kind != KIND:
        raise DefinitionErrors(
            [DefinitionError(_display_path(path), None, f"kind is {kind!r}, not 'questionnaire'")]
        )
    return _build(data, _display_path(path))  # type: ignore[arg-type]


def definition_files(folder: Path) -> list[Path]:
    """The ``*.yaml`` / ``*.yml`` files under a folder, recursively, sorted; hidden files and
    folders (names starting with ".") are skipped."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            if name.endswith((".yaml", ".yml")):
                found.append(Path(root) / name)
    return found


def load_catalogue(folders: Iterable[Path | str]) -> Catalogue:
    """Load every questionnaire definition under the folders (recursively).

    Files of another known kind (``goal-library``) are skipped. Raises
    :class:`DefinitionErrors` listing every problem in every file, including a missing folder
    and an ``(id, version)`` defined twice.
    """
    errors: list[DefinitionError] = []
    loaded: list[Questionnaire] = []
    for folder in folders:
        folder = Path(folder)
        if not folder.is_dir():
            what = "is not a folder" if folder.exists() else "does not exist"
            errors.append(DefinitionError(str(folder), None, f"questionnaire folder {what}"))
            continue
        for path in definition_files(folder):
            try:
                kind, data = _read_definition(path)
                if kind != KIND:
                    continue
                loaded.append(_build(data, _display_path(path)))  # type: ignore[arg-type]
            except DefinitionErrors as exc:
                errors.extend(exc.errors)
    first_source: dict[tuple[str, str], str] = {}
    unique: list[Questionnaire] = []
    for questionnaire in loaded:
        key = (questionnaire.id, questionnaire.version)
        if key in first_source:
            errors.append(
                DefinitionError(
                    questionnaire.source,
                    None,
                    f"id '{questionnaire.id}' version '{questionnaire.version}' is already defined in "
                    f"{first_source[key]} (give a changed definition a new version)",
                )
            )
            continue
        first_source[key] = questionnaire.source
        unique.append(questionnaire)
    if errors:
        raise DefinitionErrors(errors)
    return Catalogue(unique)
