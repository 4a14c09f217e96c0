"""Goal ideas: the goal library (YAML), the suggestion engine and the coaching rules.

A goal library is a YAML file (``kind: goal-library``) described in
``questionnaires/coaching/README.md`` and checked against
``questionnaires/schema/goal-library.schema.json`` and then by the checks in this module that a
schema cannot express. Every problem is reported as a :class:`GoalLibraryError` naming the
file, the goal (its id, or a path such as ``goals[3]``) and the problem, like the questionnaire
loader does.

The suggestion engine (:func:`suggest`) turns what a person told us (activation stage and
blocks, capability profile, what matters to them, their past goals) into 3 to 5 *offers*, each
with structured reasons that name what the person said. It never decides for the person: the
web layer shows the offers next to "something else", and the person chooses.

The coaching rules (:func:`confidence_next_move`, :func:`progression_offer`,
:func:`preparatory_step`) follow Brief Action Planning: confidence decides the next move, and
repeated success or difficulty changes the size of the step offered, without blame.

Pure: standard library, PyYAML and jsonschema only; no Flask, no database.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

import jsonschema

from .capability import CLASSIFICATIONS
from .content_files import ContentFileError, ContentFileErrors
from .questionnaires import (
    DefinitionErrors,
    _format_path,
    _line,
    _read_yaml,
    _schema_message,
    definition_files,
)

ROOT = Path(__file__).resolve().parent.parent.parent
SCHEMA_PATH = ROOT / "questionnaires" / "schema" / "goal-library.schema.json"
BUILTIN_GOALS_DIR = ROOT / "questionnaires" / "coaching"
ENV_VAR = "CAPABLE_GOAL_DIRS"

KIND = "goal-library"
SKIPPED_KINDS = frozenset({"questionnaire"})
GOAL_KINDS = ("behaviour", "support")
TIERS = (1, 2, 3, 4)
BLOCKS = ("ownership", "knowhow", "acting", "sustaining")
OUTSIDE_BARRIERS = ("money", "transport", "caring", "housing", "work", "discrimination")
GOAL_STATUSES = ("thinking", "active", "paused", "achieved", "abandoned")
CURRENT_STATUSES = frozenset({"thinking", "active", "paused"})
OUTCOMES = ("done", "partly", "not_yet")

#: A domain that is neither ``priority`` nor ``barrier`` (classification ``none``) is still
#: offered a goal when the person said it matters at least this much (3 = "a lot" on 0-4).
MATTERS_A_LOT = 3

#: Confidence (0-10) at or above which a check-in counts as "confident".
CONFIDENT = 7
#: A "partly" check-in with confidence below this counts as hard.
LOW_CONFIDENCE = 4


# --------------------------------------------------------------------------------------------
# Errors


class GoalLibraryError(ContentFileError):
    """One problem in one goal library file.

    ``goal`` is the id of the goal at fault, or a path such as ``goals[3]`` when the goal has no
    usable id or the problem is elsewhere (``goal_is_path`` is then true), or ``None``.
    """

    subject_word = "goal"

    def __init__(self, file: str, goal: str | None, problem: str, line: int | None = None, *,
                 goal_is_path: bool = False) -> None:
        super().__init__(file, goal, problem, line, subject_is_path=goal_is_path)

    @property
    def goal(self) -> str | None:
        return self.subject

    @property
    def goal_is_path(self) -> bool:
        return self.subject_is_path


class GoalLibraryErrors(ContentFileErrors):
    """One or more goal library files are broken. ``errors`` lists every problem found."""


# --------------------------------------------------------------------------------------------
# The model


@dataclass(frozen=True)
class Plan:
    """A starting SMART plan the person can edit."""

    what: str | None = None
    how_much: str | None = None
    when: str | None = None
    how_often: str | None = None


@dataclass(frozen=True)
class GoalIdea:
    id: str
    kind: str
    tier: int
    text: str
    why: str | None = None
    domains: tuple[str, ...] = ()
    blocks: tuple[str, ...] = ()
    smaller: str | None = None
    bigger: str | None = None
    plan: Plan | None = None
    barriers: tuple[str, ...] = ()
    library: str = ""
    version: str = ""

    def __post_init__(self) -> None:
        if self.kind not in GOAL_KINDS:
            raise ValueError(f"goal {self.id!r}: kind must be one of {', '.join(GOAL_KINDS)}, not {self.kind!r}")
        if isinstance(self.tier, bool) or self.tier not in TIERS:
            raise ValueError(f"goal {self.id!r}: tier must be 1, 2, 3 or 4, not {self.tier!r}")
        for name in ("domains", "blocks", "barriers"):
            value = getattr(self, name)
            if not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))

    @property
    def is_support(self) -> bool:
        return self.kind == "support"


@dataclass(frozen=True)
class LibraryInfo:
    """One loaded library file (for an "about these goal ideas" page)."""

    id: str
    version: str
    title: str
    licence: str
    priority: int
    source: str
    attribution: str | None = None


class GoalLibrary:
    """Every goal idea, by id, in a stable order (see :func:`load_goal_library`)."""

    def __init__(self, ideas: Iterable[GoalIdea] = (), libraries: Iterable[LibraryInfo] = ()) -> None:
        self._ideas: list[GoalIdea] = []
        self._by_id: dict[str, GoalIdea] = {}
        for idea in ideas:
            if idea.id in self._by_id:
                raise ValueError(f"goal id {idea.id!r} is given twice")
            self._by_id[idea.id] = idea
            self._ideas.append(idea)
        self.libraries: tuple[LibraryInfo, ...] = tuple(libraries)

    def get(self, id: str | None) -> GoalIdea | None:
        if id is None:
            return None
        return self._by_id.get(id)

    def smaller_of(self, idea: GoalIdea) -> GoalIdea | None:
        return self.get(idea.smaller)

    def bigger_of(self, idea: GoalIdea) -> GoalIdea | None:
        return self.get(idea.bigger)

    def index(self, idea: GoalIdea) -> int:
        """The idea's position in the library order (used to break ties deterministically)."""
        return self._ideas.index(self._by_id[idea.id])

    def __iter__(self) -> Iterator[GoalIdea]:
        return iter(self._ideas)

    def __len__(self) -> int:
        return len(self._ideas)

    def __contains__(self, id: object) -> bool:
        return id in self._by_id


# --------------------------------------------------------------------------------------------
# Loading


_schema_validator: jsonschema.protocols.Validator | None = None


def schema() -> dict[str, Any]:
    """The JSON Schema of the format (``questionnaires/schema/goal-library.schema.json``)."""
    with SCHEMA_PATH.open(encoding="utf-8") as handle:
        return json.load(handle)


def _validator() -> jsonschema.protocols.Validator:
    global _schema_validator
    if _schema_validator is None:
        loaded = schema()
        jsonschema.Draft202012Validator.check_schema(loaded)
        _schema_validator = jsonschema.Draft202012Validator(loaded)
    return _schema_validator


def _schema_error(file: str, data: object, error: jsonschema.ValidationError) -> GoalLibraryError:
    """Turn a schema error into a GoalLibraryError naming the goal (by id when it has one)."""
    path = list(error.absolute_path)
    node: object = data
    line = _line(data)
    goal_id: str | None = None
    goal_end = 0
    for index, part in enumerate(path):
        try:
            node = node[part]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict):
            line = _line(node) or line
            if index == 1 and path[0] == "goals" and isinstance(part, int):
                goal_end = 2
                if isinstance(node.get("id"), str) and node["id"]:
                    goal_id = node["id"]
    message = _schema_message(error)
    if goal_id is not None:
        rest = _format_path(path[goal_end:])
        return GoalLibraryError(file, goal_id, f"{rest}: {message}" if rest else message, line)
    if path:
        return GoalLibraryError(file, _format_path(path), message, line, goal_is_path=True)
    return GoalLibraryError(file, None, message, line)


def _from_definition_errors(exc: DefinitionErrors) -> list[GoalLibraryError]:
    return [GoalLibraryError(e.file, None, e.problem, e.line) for e in exc.errors]


def _read_library(path: Path) -> dict[str, Any] | None:
    """Read one file: its data if it is a goal library, ``None`` if it is a questionnaire
    (skipped). Raises GoalLibraryErrors."""
    file = str(path)
    try:
        data = _read_yaml(path, file)
    except DefinitionErrors as exc:
        raise GoalLibraryErrors(_from_definition_errors(exc)) from None
    if not isinstance(data, dict):
        what = "empty" if data is None else f"a {type(data).__name__}, not a mapping"
        raise GoalLibraryErrors(
            [GoalLibraryError(file, None, f"the file is {what}; expected 'kind: goal-library' and the goals")]
        )
    kind = data.get("kind")
    if kind == KIND:
        return data
    if isinstance(kind, str) and kind in SKIPPED_KINDS:
        return None
    known = ", ".join([KIND, *sorted(SKIPPED_KINDS)])
    if kind is None:
        problem = f"no 'kind' (expected one of: {known})"
    else:
        problem = f"unknown kind {kind!r} (expected one of: {known})"
    raise GoalLibraryErrors([GoalLibraryError(file, None, problem, _line(data))])


@dataclass
class _Entry:
    idea: GoalIdea
    file: str
    line: int | None
    priority: int


def _parse_library(data: dict[str, Any], file: str) -> tuple[LibraryInfo, list[_Entry]]:
    """Check one goal library file and build its entries. Raises GoalLibraryErrors."""
    schema_errors = sorted(
        _validator().iter_errors(data), key=lambda e: ([str(p) for p in e.absolute_path], e.message)
    )
    if schema_errors:
        found: list[GoalLibraryError] = []
        seen: set[str] = set()
        for error in schema_errors:
            converted = _schema_error(file, data, error)
            if str(converted) not in seen:
                seen.add(str(converted))
                found.append(converted)
        raise GoalLibraryErrors(found)
    priority = data.get("priority", 0)
    info = LibraryInfo(
        id=data["id"],
        version=data["version"],
        title=data["title"],
        licence=data["licence"],
        priority=priority,
        source=file,
        attribution=data.get("attribution"),
    )
    errors: list[GoalLibraryError] = []
    entries: list[_Entry] = []
    first_line: dict[str, int | None] = {}
    for raw in data["goals"]:
        goal_id = raw["id"]
        line = _line(raw)
        problems: list[str] = []
        if goal_id in first_line:
            where = f" (first on line {first_line[goal_id]})" if first_line[goal_id] else ""
            problems.append(f"id '{goal_id}' is used twice in this file{where}")
        else:
            first_line[goal_id] = line
        for link in ("smaller", "bigger"):
            if raw.get(link) == goal_id:
                problems.append(f"{link}: a goal cannot be its own {link} variant")
        if raw.get("smaller") is not None and raw.get("smaller") == raw.get("bigger"):
            problems.append(f"smaller and bigger both name '{raw['smaller']}'")
        domains = tuple(raw.get("domains") or ())
        blocks = tuple(raw.get("blocks") or ())
        barriers = tuple(raw.get("barriers") or ())
        if raw["kind"] == "support":
            if not barriers and not domains:
                problems.append("a support entry needs 'barriers' or 'domains' (what it helps with)")
        else:
            if not domains and not blocks:
                problems.append("a behaviour entry needs 'domains' or 'blocks' (what it serves)")
            if barriers:
                problems.append("'barriers' are for support entries only (kind: support)")
        if problems:
            errors.extend(GoalLibraryError(file, goal_id, problem, line) for problem in problems)
            continue
        plan = None
        if raw.get("plan"):
            raw_plan = raw["plan"]
            plan = Plan(
                what=raw_plan.get("what"),
                how_much=raw_plan.get("how_much"),
                when=raw_plan.get("when"),
                how_often=raw_plan.get("how_often"),
            )
        idea = GoalIdea(
            id=goal_id,
            kind=raw["kind"],
            tier=raw["tier"],
            text=raw["text"].strip(),
            why=raw["why"].strip() if raw.get("why") else None,
            domains=domains,
            blocks=blocks,
            smaller=raw.get("smaller"),
            bigger=raw.get("bigger"),
            plan=plan,
            barriers=barriers,
            library=info.id,
            version=info.version,
        )
        entries.append(_Entry(idea, file, line, priority))
    if errors:
        raise GoalLibraryErrors(errors)
    return info, entries


def load_goal_library(folders: Iterable[Path | str]) -> GoalLibrary:
    """Load every goal library under the folders (recursively, ``*.yaml`` / ``*.yml``; hidden
    files and folders skipped).

    Files of ``kind: questionnaire`` are skipped (they belong to the questionnaire loader); any
    other kind, a missing kind, a missing folder and every check failure is an error. When two
    libraries define the same goal id, the one with the higher ``priority`` wins; the same id
    at the same priority is an error. ``smaller`` and ``bigger`` are checked after that, against
    the goals that won.

    Order: folders in the order given, files sorted within a folder, goals in file order; a goal
    replaced by a higher-priority library keeps the place where its id first appeared.

    Raises :class:`GoalLibraryErrors` listing every problem in every file.
    """
    errors: list[GoalLibraryError] = []
    libraries: list[LibraryInfo] = []
    entries: list[_Entry] = []
    for folder in folders:
        folder = Path(folder)
        if not folder.is_dir():
            what = "is not a folder" if folder.exists() else "does not exist"
            errors.append(GoalLibraryError(str(folder), None, f"goal library folder {what}"))
            continue
        for path in definition_files(folder):
            try:
                data = _read_library(path)
                if data is None:
                    continue
                info, found = _parse_library(data, str(path))
            except GoalLibraryErrors as exc:
                errors.extend(exc.errors)
                continue
            libraries.append(info)
            entries.extend(found)

    winners: dict[str, _Entry] = {}
    order: list[str] = []
    for entry in entries:
        goal_id = entry.idea.id
        current = winners.get(goal_id)
        if current is None:
            winners[goal_id] = entry
            order.append(goal_id)
        elif entry.priority > current.priority:
            winners[goal_id] = entry
        elif entry.priority == current.priority:
            errors.append(
                GoalLibraryError(
                    entry.file,
                    goal_id,
                    f"id '{goal_id}' is already defined in {current.file} with the same priority "
                    f"({entry.priority}); to replace it, give this library a higher 'priority'",
                    entry.line,
                )
            )
    for goal_id in order:
        entry = winners[goal_id]
        for link in ("smaller", "bigger"):
            target = getattr(entry.idea, link)
            if target is not None and target not in winners:
                errors.append(
                    GoalLibraryError(entry.file, goal_id, f"{link}: there is no goal '{target}'", entry.line)
                )
    if errors:
        raise GoalLibraryErrors(errors)
    return GoalLibrary((winners[goal_id].idea for goal_id in order), libraries)


def goal_folders(environ: Mapping[str, str] | None = None) -> list[Path]:
    """The built-in folder followed by every folder in ``CAPABLE_GOAL_DIRS`` (separated by
    ``os.pathsep``; empty parts ignored)."""
    environ = os.environ if environ is None else environ
    extra = [Path(part) for part in environ.get(ENV_VAR, "").split(os.pathsep) if part.strip()]
    return [BUILTIN_GOALS_DIR, *extra]


# --------------------------------------------------------------------------------------------
# The person's picture


@dataclass(frozen=True)
class DomainView:
    id: str
    label: str
    matters: int | float | None = None
    free: int | float | None = None
    actual: int | float | None = None
    classification: str = "none"
    outside_barriers: tuple[str, ...] = ()
    barriers: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.classification not in CLASSIFICATIONS:
            raise ValueError(
                f"unknown classification {self.classification!r}; expected one of {', '.join(CLASSIFICATIONS)}"
            )
        for name in ("outside_barriers", "barriers"):
            value = getattr(self, name)
            if not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))


@dataclass(frozen=True)
class PastGoal:
    idea_id: str | None
    status: str
    domain: str | None = None

    def __post_init__(self) -> None:
        if self.status not in GOAL_STATUSES:
            raise ValueError(f"unknown goal status {self.status!r}; expected one of {', '.join(GOAL_STATUSES)}")


@dataclass(frozen=True)
class PersonPicture:
    stage: int | None = None
    block_scores: Mapping[str, float | None] = field(default_factory=dict)
    domains: tuple[DomainView, ...] = ()
    what_matters: str | None = None
    past_goals: tuple[PastGoal, ...] = ()


@dataclass(frozen=True)
class Reason:
    code: str
    params: Mapping[str, str | int] = field(default_factory=dict)


@dataclass(frozen=True)
class Suggestion:
    idea: GoalIdea
    domain: str | None
    reasons: tuple[Reason, ...]


def _plain_number(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def picture_domains_from_profile(profile: Any) -> tuple[DomainView, ...]:
    """DomainViews from a :class:`webapp.domain.capability.CapabilityProfile` (or ``None``).

    Whole-number floats become ints. A ``priority`` domain with an outside barrier ticked is
    passed on as ``barrier`` (the profile already does this; rule 2 of :func:`suggest`).
    """
    if profile is None:
        return ()
    views = []
    for domain in profile.domains:
        classification = domain.classification
        if classification == "priority" and domain.outside_barriers:
            classification = "barrier"
        views.append(
            DomainView(
                id=domain.id,
                label=domain.label,
                matters=_plain_number(domain.matters),  # type: ignore[arg-type]
                free=_plain_number(domain.free),  # type: ignore[arg-type]
                actual=_plain_number(domain.actual),  # type: ignore[arg-type]
                classification=classification,
                outside_barriers=tuple(domain.outside_barriers),
                barriers=tuple(domain.barriers),
            )
        )
    return tuple(views)


# --------------------------------------------------------------------------------------------
# Tiers and reasons


def tier_for_stage(stage: int | None) -> int:
    """The tier of goal ideas that fits an activation stage: stage 1 -> tier 1 (notice and
    prepare), 2 -> 2 (small steps), 3 -> 3 (act), 4 -> 4 (sustain). A person never assessed
    (``None``) starts at tier 1: small, highly attainable steps."""
    if stage is None:
        return 1
    if isinstance(stage, bool) or not isinstance(stage, int) or stage not in TIERS:
        raise ValueError(f"stage must be 1, 2, 3, 4 or None, not {stage!r}")
    return stage


def tier_order(tier: int) -> tuple[int, ...]:
    """The tiers behaviour ideas are taken from, best first: the tier itself, then every lower
    tier, nearest first, then the next higher tier (never more than one step above).

    ``tier_order(3) == (3, 2, 1, 4)``; ``tier_order(1) == (1, 2)``; ``tier_order(4) == (4, 3, 2, 1)``.
    """
    if isinstance(tier, bool) or tier not in TIERS:
        raise ValueError(f"tier must be 1, 2, 3 or 4, not {tier!r}")
    order = list(range(tier, 0, -1))
    if tier + 1 <= TIERS[-1]:
        order.append(tier + 1)
    return tuple(order)


BLOCK_WORDS = {
    "ownership": "ownership (knowing your own actions make a difference)",
    "knowhow": "know-how",
    "acting": "taking action",
    "sustaining": "keeping going",
}

BARRIER_WORDS = {
    "money": "money",
    "transport": "transport",
    "health": "your health",
    "caring": "caring for someone",
    "housing": "your home or housing",
    "work": "work",
    "discrimination": "being treated unfairly",
    "confidence": "confidence",
    "information": "not knowing what help is out there",
    "other": "something else",
}

REASON_CODES = (
    "matters_little_freedom",
    "outside_barrier",
    "matters_a_lot",
    "lowest_block",
    "block_to_grow",
    "stage_fit",
    "bigger_after_success",
    "smaller_after_difficulty",
    "what_matters",
)


def _in_sentence(label: object) -> str:
    """A domain label inside a sentence: "My health and body" -> "my health and body"
    (left alone when the second letter is a capital, as in "NHS")."""
    text = str(label)
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def reason_text_en(reason: Reason) -> str:
    """Plain English for a reason (tests, command-line tools). The web layer has its own,
    translated wording for each code."""
    p = reason.params
    code = reason.code
    if code == "matters_little_freedom":
        return f"You said {_in_sentence(p.get('domain_label', 'this'))} matters a lot to you, and you feel little free to do it."
    if code == "outside_barrier":
        label = _in_sentence(p.get("domain_label", "this"))
        barrier = p.get("barrier")
        if barrier:
            words = BARRIER_WORDS.get(str(barrier), str(barrier))
            return f"You said {label} matters a lot to you, and {words} makes it hard: support may help."
        return f"You said {label} matters a lot to you, and things outside your control make it hard: support may help."
    if code == "matters_a_lot":
        return f"You said {_in_sentence(p.get('domain_label', 'this'))} matters a lot to you."
    if code == "lowest_block":
        block = BLOCK_WORDS.get(str(p.get("block")), str(p.get("block")))
        return f"This builds on {block}, your area with most room to grow."
    if code == "block_to_grow":
        block = BLOCK_WORDS.get(str(p.get("block")), str(p.get("block")))
        return f"This builds on {block}, an area with room to grow."
    if code == "stage_fit":
        if p.get("stage") is not None:
            return "A step that fits where you are now."
        return "A small first step, as a place to start."
    if code == "bigger_after_success":
        return f"You managed \u201c{p.get('previous_text', '')}\u201d, so this is a next, bigger step."
    if code == "smaller_after_difficulty":
        return f"\u201c{p.get('previous_text', '')}\u201d was hard going, so this is a smaller step."
    if code == "what_matters":
        return "It links to what you said matters to you."
    raise ValueError(f"unknown reason code {code!r}")


# --------------------------------------------------------------------------------------------
# What matters: simple word overlap

STOP_WORDS = frozenset(
    """
    about after again also away back been before being both come could does doing done down
    each even every feel from going good have here into just keep know like little make more
    most much need only other over really some still such than that their them then there
    these they thing things this those time very want well were what when where which while
    will with would your yours
    """.split()
)


def _words(text: str | None) -> frozenset[str]:
    """Lower-case words of 4 letters or more, not in the stop list; a plural "s" is dropped
    from words longer than 4 letters ("walks" -> "walk")."""
    if not text:
        return frozenset()
    found = set()
    for word in re.findall(r"[a-z]+", text.lower()):
        if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]  # before the stop list, so "feels" is caught as "feel"
        if len(word) < 4 or word in STOP_WORDS:
            continue
        found.add(word)
    return frozenset(found)


def idea_words(idea: GoalIdea) -> frozenset[str]:
    return _words(idea.text) | _words(idea.why)


# --------------------------------------------------------------------------------------------
# The suggestion engine


def _effective_class(domain: DomainView) -> str:
    """Rule 2: a priority domain with an outside barrier ticked is a barrier domain."""
    if domain.classification == "priority" and domain.outside_barriers:
        return "barrier"
    return domain.classification


class _Engine:
    def __init__(self, library: GoalLibrary, picture: PersonPicture) -> None:
        self.library = library
        self.picture = picture
        self.tier = tier_for_stage(picture.stage)
        self.order = tier_order(self.tier)
        self.position = {idea.id: index for index, idea in enumerate(library)}
        self.wanted = _words(picture.what_matters)
        self.result: list[Suggestion] = []
        self.used_ideas: set[str] = set()
        self.used_domains: set[str] = set()
        # history: a current status (thinking/active/paused) wins; otherwise the last one given
        self.history: dict[str, str] = {}
        current_domains: set[str] = set()
        for past in picture.past_goals:
            if past.status in CURRENT_STATUSES and past.domain:
                current_domains.add(past.domain)
            if past.idea_id is None:
                continue
            if self.history.get(past.idea_id) in CURRENT_STATUSES and past.status not in CURRENT_STATUSES:
                continue
            self.history[past.idea_id] = past.status
        self.current_domains = current_domains
        self.classes = {d.id: _effective_class(d) for d in picture.domains}
        self.closed_domains = {d for d, c in self.classes.items() if c in ("choice", "barrier")}

    # -- helpers ---------------------------------------------------------------------------

    def _rank(self, idea: GoalIdea) -> int | None:
        return self.order.index(idea.tier) if idea.tier in self.order else None

    def _matters_overlap(self, idea: GoalIdea) -> bool:
        return bool(self.wanted and (idea_words(idea) & self.wanted))

    def _offerable(self, idea: GoalIdea) -> tuple[GoalIdea, Reason | None] | None:
        """Rule 6: the idea itself, or what replaces it given the person's past goals, or None.
        Achieved -> its bigger variant; abandoned -> its smaller variant (followed along the
        chain); thinking/active/paused -> never."""
        seen: set[str] = set()
        current, reason = idea, None
        while True:
            if current.id in seen:
                return None
            seen.add(current.id)
            status = self.history.get(current.id)
            if status is None:
                break
            if status == "achieved":
                following, code = self.library.bigger_of(current), "bigger_after_success"
            elif status == "abandoned":
                following, code = self.library.smaller_of(current), "smaller_after_difficulty"
            else:
                return None
            if following is None:
                return None
            reason = Reason(code, {"previous_text": current.text})
            current = following
        if current.id in self.used_ideas:
            return None
        return current, reason

    def _extra_reasons(self, idea: GoalIdea, progress: Reason | None) -> list[Reason]:
        reasons: list[Reason] = []
        if progress is not None:
            reasons.append(progress)
        if not idea.is_support and self.picture.stage is not None and idea.tier == self.tier:
            reasons.append(Reason("stage_fit", {"stage": self.picture.stage}))
        if self._matters_overlap(idea):
            reasons.append(Reason("what_matters", {}))
        return reasons

    def _add(self, idea: GoalIdea, domain: str | None, reasons: list[Reason]) -> None:
        self.result.append(Suggestion(idea=idea, domain=domain, reasons=tuple(reasons)))
        self.used_ideas.add(idea.id)
        if domain is not None:
            self.used_domains.add(domain)
        self.used_domains.update(idea.domains)

    # -- domains (rules 2 to 5) --------------------------------------------------------------

    def domains_in_order(self) -> list[DomainView]:
        """Rule 4 and 5: the domains that may get a suggestion, most important first."""
        eligible = []
        for index, domain in enumerate(self.picture.domains):
            cls = self.classes[domain.id]
            if domain.id in self.current_domains:
                continue
            if cls in ("priority", "barrier"):
                first = 0
            elif cls == "none" and domain.matters is not None and domain.matters >= MATTERS_A_LOT:
                first = 1
            else:
                continue  # choice (rule 5), strength, or does not matter much
            matters = domain.matters if domain.matters is not None else -1
            eligible.append(((-matters, first, index), domain))
        eligible.sort(key=lambda pair: pair[0])
        return [domain for _, domain in eligible]

    def _support_for(self, domain: DomainView, barriers: Sequence[str]) -> tuple[GoalIdea, Reason | None] | None:
        outside = set(domain.outside_barriers)
        ticked = set(barriers)
        candidates = []
        for idea in self.library:
            if not idea.is_support:
                continue
            helps = set(idea.barriers)
            serves = domain.id in idea.domains
            if not serves and not (helps & ticked):
                continue
            key = (not (helps & outside), not serves, not (helps & ticked), not self._matters_overlap(idea),
                   self.position[idea.id])
            candidates.append((key, idea))
        for _, idea in sorted(candidates, key=lambda pair: pair[0]):
            found = self._offerable(idea)
            if found is not None and found[0].is_support:
                return found
        return None

    def _behaviour_for(self, domain: DomainView) -> tuple[GoalIdea, Reason | None] | None:
        candidates = []
        for idea in self.library:
            if idea.is_support or domain.id not in idea.domains:
                continue
            rank = self._rank(idea)
            if rank is None:
                continue
            # Nearest tier first; then ideas that echo the person's words; then ideas mainly about
            # this domain (first listed) before those that only touch it; then library order.
            primary = idea.domains[0] == domain.id
            candidates.append(((rank, not self._matters_overlap(idea), not primary, self.position[idea.id]), idea))
        for _, idea in sorted(candidates, key=lambda pair: pair[0]):
            found = self._offerable(idea)
            if found is not None:
                return found
        return None

    def from_domains(self, limit: int) -> None:
        for domain in self.domains_in_order():
            if len(self.result) >= limit:
                return
            cls = self.classes[domain.id]
            if cls == "barrier":
                found = self._support_for(domain, (*domain.outside_barriers, *domain.barriers))
                if found is None:
                    continue
                helps = set(found[0].barriers)
                named = [b for b in domain.outside_barriers if b in helps] or list(domain.outside_barriers) \
                    or list(domain.barriers)
                params: dict[str, str | int] = {"domain_label": domain.label}
                if named:
                    params["barrier"] = named[0]
                first = Reason("outside_barrier", params)
            else:
                found = self._behaviour_for(domain)
                if found is None:
                    found = self._support_for(domain, domain.barriers)
                if found is None:
                    continue
                code = "matters_little_freedom" if cls == "priority" else "matters_a_lot"
                first = Reason(code, {"domain_label": domain.label})
            idea, progress = found
            self._add(idea, domain.id, [first, *self._extra_reasons(idea, progress)])

    # -- filling (rule 8) --------------------------------------------------------------------

    def _fill_candidates(self, block: str | None) -> list[GoalIdea]:
        candidates = []
        for idea in self.library:
            if idea.is_support:
                continue
            if block is not None and block not in idea.blocks:
                continue
            rank = self._rank(idea)
            if rank is None:
                continue
            if set(idea.domains) & (self.closed_domains | self.current_domains):
                continue
            overlaps_used = bool(set(idea.domains) & self.used_domains)
            candidates.append(((rank, overlaps_used, not self._matters_overlap(idea), self.position[idea.id]), idea))
        return [idea for _, idea in sorted(candidates, key=lambda pair: pair[0])]

    def _first_fill(self, block: str | None) -> tuple[GoalIdea, Reason | None] | None:
        for idea in self._fill_candidates(block):
            found = self._offerable(idea)
            if found is None:
                continue
            replacement = found[0]
            if replacement.is_support or set(replacement.domains) & (self.closed_domains | self.current_domains):
                continue
            return found
        return None

    def blocks_in_order(self) -> list[str]:
        """The person's activation blocks with a score, lowest score first (ties: ownership,
        knowhow, acting, sustaining, then any other block alphabetically)."""
        scored = []
        for block, score in self.picture.block_scores.items():
            if score is None or isinstance(score, bool):
                continue
            canonical = BLOCKS.index(block) if block in BLOCKS else len(BLOCKS)
            scored.append(((score, canonical, block), block))
        scored.sort(key=lambda pair: pair[0])
        return [block for _, block in scored]

    def fill(self, minimum: int) -> None:
        blocks = self.blocks_in_order()
        progress = True
        while len(self.result) < minimum and blocks and progress:
            progress = False
            for position, block in enumerate(blocks):
                if len(self.result) >= minimum:
                    return
                found = self._first_fill(block)
                if found is None:
                    continue
                idea, step = found
                code = "lowest_block" if position == 0 else "block_to_grow"
                self._add(idea, None, [Reason(code, {"block": block}), *self._extra_reasons(idea, step)])
                progress = True
        while len(self.result) < minimum:
            found = self._first_fill(None)
            if found is None:
                return
            idea, step = found
            stage_params: dict[str, str | int] = {}
            if self.picture.stage is not None:
                stage_params["stage"] = self.picture.stage
            reasons = [Reason("stage_fit", stage_params)]
            reasons += [r for r in self._extra_reasons(idea, step) if r.code != "stage_fit"]
            self._add(idea, None, reasons)


def suggest(library: GoalLibrary, picture: PersonPicture, limit: int = 5, minimum: int = 3) -> list[Suggestion]:
    """Offer up to ``limit`` goal ideas (at least ``minimum`` when the library has enough).

    Deterministic: the same library and picture always give the same list. The rules, in
    order (questionnaires/coaching/README.md says the same in plain words):

    1. Behaviour ideas come from the tier for the person's stage (:func:`tier_for_stage`),
       then lower tiers, nearest first, then one tier higher (:func:`tier_order`).
    2. A barrier domain (or a priority domain with an outside barrier) gets a support entry
       (serving the domain or helping with one of its barriers), never a behaviour goal.
    3. At most one suggestion per domain; a domain where the person already has a goal they
       are thinking about, doing or have paused gets none.
    4. Domains that matter most come first (matters, highest first; ties: priority and barrier
       domains first; then profile order). Priority and barrier domains are eligible, and
       ``none`` domains that matter at least :data:`MATTERS_A_LOT`.
    5. Choice domains (and strengths) never get a suggestion.
    6. Past goals: achieved -> its bigger variant instead; abandoned -> its smaller variant;
       thinking/active/paused -> not offered.
    7. Support entries are offered whatever the stage or tier.
    8. When the domains give fewer than ``minimum``, fill with behaviour ideas for the person's
       activation blocks, lowest score first (one per block per round), then with any idea
       that fits the tier. Fill ideas never touch a choice or barrier domain.
    9. Every suggestion has at least one reason naming what the person said.
    Within the same tier, ideas that share words with what matters to the person come first,
    then library order.
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError(f"limit must be a whole number of at least 1, not {limit!r}")
    if isinstance(minimum, bool) or not isinstance(minimum, int) or not 0 <= minimum <= limit:
        raise ValueError(f"minimum must be a whole number from 0 to limit ({limit}), not {minimum!r}")
    engine = _Engine(library, picture)
    engine.from_domains(limit)
    engine.fill(minimum)
    return engine.result


# --------------------------------------------------------------------------------------------
# Coaching rules


def confidence_next_move(confidence: int) -> str:
    """Brief Action Planning: what to do after the confidence ruler (0-10).

    - 7 to 10: ``"commit"``: agree the plan and a follow-up;
    - 4 to 6: ``"shrink"``: make the plan smaller or solve the barrier, then ask again;
    - 0 to 3: ``"not_yet"``: a preparatory step, and revisit what matters.
    """
    if isinstance(confidence, bool) or not isinstance(confidence, int):
        raise ValueError(f"confidence must be a whole number from 0 to 10, not {confidence!r}")
    if not 0 <= confidence <= 10:
        raise ValueError(f"confidence must be from 0 to 10, not {confidence}")
    if confidence >= CONFIDENT:
        return "commit"
    if confidence >= LOW_CONFIDENCE:
        return "shrink"
    return "not_yet"


@dataclass(frozen=True)
class CheckInView:
    outcome: str
    confidence: int

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}, not {self.outcome!r}")
        confidence = self.confidence
        if isinstance(confidence, bool) or not isinstance(confidence, int) or not 0 <= confidence <= 10:
            raise ValueError(f"confidence must be a whole number from 0 to 10, not {confidence!r}")

    @property
    def went_well(self) -> bool:
        """Done, with confidence 7 or more."""
        return self.outcome == "done" and self.confidence >= CONFIDENT

    @property
    def was_hard(self) -> bool:
        """Not yet (whatever the confidence), or partly with confidence below 4."""
        return self.outcome == "not_yet" or (self.outcome == "partly" and self.confidence < LOW_CONFIDENCE)


def progression_offer(check_ins: Sequence[CheckInView]) -> str | None:
    """What size of step to *offer* next, from the check-ins on one goal (newest last).

    - ``"bigger"``: the last two were both done with confidence 7 or more;
    - ``"smaller"``: the last two were both hard (not yet, or partly with confidence below 4);
    - ``None`` otherwise, including fewer than two check-ins.

    It only chooses what to offer; the person decides, and nothing here blames anyone.
    """
    if len(check_ins) < 2:
        return None
    last_two = list(check_ins)[-2:]
    if all(check.went_well for check in last_two):
        return "bigger"
    if all(check.was_hard for check in last_two):
        return "smaller"
    return None


def preparatory_step(
    library: GoalLibrary, idea: GoalIdea | None, domain: str | None, tier: int
) -> GoalIdea | None:
    """A preparatory step for confidence 0 to 3 ("not yet").

    ``tier`` is the tier of the step the person did not feel ready for; the target tier is
    one lower (never below 1). In order:

    1. the idea's ``smaller`` variant, when its tier is the target tier or lower;
    2. otherwise the first behaviour idea (library order) in the target tier that serves the
       domain (``domain``, or the idea's domains when ``domain`` is None);
    3. otherwise the first behaviour idea in the target tier sharing one of the idea's blocks;
    4. otherwise ``None``.

    The idea itself is never returned.
    """
    if isinstance(tier, bool) or tier not in TIERS:
        raise ValueError(f"tier must be 1, 2, 3 or 4, not {tier!r}")
    target = max(1, tier - 1)
    if idea is not None:
        smaller = library.smaller_of(idea)
        if smaller is not None and smaller.tier <= target:
            return smaller
    own_id = idea.id if idea is not None else None
    domains = {domain} if domain is not None else set(idea.domains if idea is not None else ())
    blocks = set(idea.blocks) if idea is not None else set()
    candidates = [c for c in library if not c.is_support and c.tier == target and c.id != own_id]
    for wanted, attribute in ((domains, "domains"), (blocks, "blocks")):
        if not wanted:
            continue
        for candidate in candidates:
            if wanted & set(getattr(candidate, attribute)):
                return candidate
    return None
