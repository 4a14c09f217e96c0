"""The goal library: YAML format, loader checks, priority overrides and the built-in content."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from webapp.domain.goals import (
    BLOCKS,
    BUILTIN_GOALS_DIR,
    GoalIdea,
    GoalLibrary,
    GoalLibraryError,
    GoalLibraryErrors,
    Plan,
    goal_folders,
    load_goal_library,
    schema,
)
from webapp.domain.questionnaires import load_definition

ROOT = Path(__file__).resolve().parent.parent.parent
BUILTIN_QUESTIONNAIRES = ROOT / "questionnaires" / "builtin"


def goal(id: str, kind: str = "behaviour", tier: int = 1, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"id": id, "kind": kind, "tier": tier, "text": f"Do the {id} thing."}
    if kind == "behaviour" and "domains" not in extra and "blocks" not in extra:
        data["domains"] = ["health"]
    if kind == "support" and "domains" not in extra and "barriers" not in extra:
        data["barriers"] = ["money"]
    data.update(extra)
    return data


def library(*goals: dict[str, Any], **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "goal-library",
        "id": "synthetic-goals",
        "version": "1",
        "title": "Synthetic goal ideas",
        "licence": "Test data.",
        "goals": list(goals) or [goal("only")],
    }
    data.update(extra)
    return data


def write(folder: Path, data: dict[str, Any] | str, name: str = "goals.yaml") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    return path


def errors_for(*folders: Path) -> list[str]:
    with pytest.raises(GoalLibraryErrors) as caught:
        load_goal_library(folders)
    assert all(isinstance(e, GoalLibraryError) for e in caught.value.errors)
    return [str(e) for e in caught.value.errors]


# --- loading a valid library -------------------------------------------------------------


def test_schema_is_valid_draft_2020_12():
    jsonschema.Draft202012Validator.check_schema(schema())


def test_full_goal_is_loaded(tmp_path):
    write(tmp_path, library(
        goal("walk-notice", tier=1, domains=["health"], blocks=["ownership"], bigger="walk-short"),
        goal("walk-short", tier=2, why="  Moving helps.  ", domains=["health", "getting-around"],
             blocks=["acting"], smaller="walk-notice",
             plan={"what": "Walk to the end of the road", "how_much": "5 minutes", "when": "After lunch",
                   "how_often": "3 days this week"}),
        goal("bus-pass", kind="support", tier=1, barriers=["transport", "money"], domains=["getting-around"]),
        version="2.1",
    ))
    lib = load_goal_library([tmp_path])
    assert [idea.id for idea in lib] == ["walk-notice", "walk-short", "bus-pass"]
    assert len(lib) == 3 and "walk-short" in lib and "nothing" not in lib
    short = lib.get("walk-short")
    assert short == GoalIdea(
        id="walk-short", kind="behaviour", tier=2, text="Do the walk-short thing.", why="Moving helps.",
        domains=("health", "getting-around"), blocks=("acting",), smaller="walk-notice", bigger=None,
        plan=Plan("Walk to the end of the road", "5 minutes", "After lunch", "3 days this week"),
        barriers=(), library="synthetic-goals", version="2.1",
    )
    assert lib.smaller_of(short) == lib.get("walk-notice")
    assert lib.bigger_of(lib.get("walk-notice")) is short
    assert lib.bigger_of(short) is None and lib.get(None) is None and lib.get("nothing") is None
    support = lib.get("bus-pass")
    assert support.is_support and support.barriers == ("transport", "money") and support.plan is None
    (info,) = lib.libraries
    assert (info.id, info.version, info.priority, info.source) == (
        "synthetic-goals", "2.1", 0, str(tmp_path / "goals.yaml"))


def test_order_follows_folders_then_sorted_files_then_file_order(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    write(one, library(goal("b1"), goal("b2"), id="b"), "b.yaml")
    write(one, library(goal("a1"), id="a"), "nested/a.yml")
    write(one, library(goal("c1"), id="c"), "c.yaml")
    write(two, library(goal("z1"), id="z"), "a.yaml")
    lib = load_goal_library([two, one])
    assert [idea.id for idea in lib] == ["z1", "b1", "b2", "c1", "a1"]


def test_questionnaires_hidden_files_and_other_files_are_skipped(tmp_path):
    write(tmp_path, library(goal("g1")))
    # a real questionnaire definition, and one that is only a kind (never parsed by this loader)
    questionnaire = (BUILTIN_QUESTIONNAIRES / "capable-activation-1.yaml").read_text(encoding="utf-8")
    write(tmp_path, questionnaire, "activation.yaml")
    write(tmp_path, "kind: questionnaire\nanything: [1, 2]\n", "sub/other.yml")
    write(tmp_path, "kind: [broken", ".backup.yaml")
    write(tmp_path, "kind: [broken", ".hidden/goals.yaml")
    write(tmp_path, "this is not yaml: [", "notes.txt")
    write(tmp_path, "# Notes\n", "README.md")
    assert [idea.id for idea in load_goal_library([tmp_path])] == ["g1"]


def test_empty_folder_gives_empty_library(tmp_path):
    lib = load_goal_library([tmp_path])
    assert len(lib) == 0 and list(lib) == [] and lib.libraries == ()


def test_links_may_point_to_another_library(tmp_path):
    write(tmp_path, library(goal("ours", bigger="theirs")), "a.yaml")
    write(tmp_path, library(goal("theirs", tier=2, smaller="ours"), id="local"), "b.yaml")
    lib = load_goal_library([tmp_path])
    assert lib.bigger_of(lib.get("ours")).library == "local"


# --- priority ----------------------------------------------------------------------------


@pytest.mark.parametrize("local_first", [False, True], ids=["builtin-folder-first", "local-folder-first"])
def test_priority_override_between_two_folders(tmp_path, local_first):
    builtin, local = tmp_path / "builtin", tmp_path / "local"
    write(builtin, library(goal("walk", text="Builtin walk."), goal("rest", domains=["rest"]), id="capable-goals"))
    write(local, library(goal("walk", tier=2, text="Local walk with the Tuesday group."),
                         goal("extra", blocks=["knowhow"]), id="local-goals", version="7", priority=10))
    folders = [local, builtin] if local_first else [builtin, local]
    lib = load_goal_library(folders)
    walk = lib.get("walk")
    assert (walk.text, walk.tier, walk.library, walk.version) == ("Local walk with the Tuesday group.", 2,
                                                                  "local-goals", "7")
    expected = ["walk", "extra", "rest"] if local_first else ["walk", "rest", "extra"]
    assert [idea.id for idea in lib] == expected
    assert len(lib) == 3
    assert {info.id: info.priority for info in lib.libraries} == {"capable-goals": 0, "local-goals": 10}


def test_lower_priority_duplicate_is_ignored_even_with_broken_links(tmp_path):
    write(tmp_path / "a", library(goal("walk", bigger="missing"), priority=-1), "old.yaml")
    write(tmp_path / "b", library(goal("walk", text="Winner.")))
    lib = load_goal_library([tmp_path / "a", tmp_path / "b"])
    assert lib.get("walk").text == "Winner."


def test_links_are_checked_against_the_winners(tmp_path):
    write(tmp_path / "a", library(goal("walk", bigger="walk-more"), goal("walk-more", tier=2)))
    write(tmp_path / "b", library(goal("walk", bigger="walk-far"), priority=5))
    messages = errors_for(tmp_path / "a", tmp_path / "b")
    assert messages == [f"{tmp_path / 'b' / 'goals.yaml'}: goal 'walk': bigger: there is no goal 'walk-far' (line 7)"]


# --- errors ------------------------------------------------------------------------------

# (name, goals or library overrides, expected message fragments after "<file>: ")
ERROR_CASES = [
    pytest.param([goal("walk", tier=5)],
                 "goal 'walk': tier: tier must be a whole number from 1 to 4", id="schema-tier-names-goal"),
    pytest.param([goal("walk", kind="habit")],
                 "goal 'walk': kind: kind must be 'behaviour' or 'support'", id="schema-goal-kind"),
    pytest.param([goal("walk", colour="red")],
                 "goal 'walk': Additional properties are not allowed ('colour' was unexpected)",
                 id="schema-unknown-field"),
    pytest.param([goal("walk", text="   ")], "goal 'walk': text: '   ' does not match", id="schema-blank-text"),
    pytest.param([goal("walk", domains=["Health"])],
                 "goal 'walk': domains[0]: use lower-case letters, digits and hyphens only", id="schema-bad-slug"),
    pytest.param([goal("walk", plan={"what": "x", "where": "y"})],
                 "goal 'walk': plan: Additional properties are not allowed ('where' was unexpected)",
                 id="schema-plan-field"),
    pytest.param([{"kind": "behaviour", "tier": 1, "text": "No id.", "domains": ["health"]}],
                 "goals[0]: 'id' is a required property", id="schema-missing-id-uses-path"),
    pytest.param([goal("walk"), goal("walk", tier=2)],
                 "goal 'walk': id 'walk' is used twice in this file (first on line 7)", id="duplicate-id"),
    pytest.param([goal("walk", smaller="walk-tiny")],
                 "goal 'walk': smaller: there is no goal 'walk-tiny'", id="unknown-smaller"),
    pytest.param([goal("walk", bigger="walk-far")],
                 "goal 'walk': bigger: there is no goal 'walk-far'", id="unknown-bigger"),
    pytest.param([goal("walk", smaller="walk")],
                 "goal 'walk': smaller: a goal cannot be its own smaller variant", id="self-smaller"),
    pytest.param([goal("walk", bigger="walk")],
                 "goal 'walk': bigger: a goal cannot be its own bigger variant", id="self-bigger"),
    pytest.param([goal("walk", smaller="run", bigger="run"), goal("run")],
                 "goal 'walk': smaller and bigger both name 'run'", id="smaller-equals-bigger"),
    pytest.param([{"id": "advice", "kind": "support", "tier": 1, "text": "Get advice."}],
                 "goal 'advice': a support entry needs 'barriers' or 'domains'", id="support-without-barriers"),
    pytest.param([{"id": "advice", "kind": "support", "tier": 1, "text": "Get advice.", "barriers": [],
                   "domains": []}],
                 "goal 'advice': a support entry needs 'barriers' or 'domains'", id="support-empty-lists"),
    pytest.param([{"id": "walk", "kind": "behaviour", "tier": 1, "text": "Walk."}],
                 "goal 'walk': a behaviour entry needs 'domains' or 'blocks'", id="behaviour-without-domains"),
    pytest.param([goal("walk", barriers=["money"])],
                 "goal 'walk': 'barriers' are for support entries only", id="behaviour-with-barriers"),
]


@pytest.mark.parametrize("goals, expected", ERROR_CASES)
def test_goal_errors_name_file_goal_and_problem(tmp_path, goals, expected):
    path = write(tmp_path, library(*goals))
    messages = errors_for(tmp_path)
    assert any(m.startswith(f"{path}: {expected}") for m in messages), messages
    assert all(m.startswith(str(path)) for m in messages)
    assert all(m.endswith(")") and "(line " in m for m in messages), messages


LIBRARY_ERROR_CASES = [
    pytest.param({"priority": "high"}, "priority: 'high' is not of type 'integer'", id="priority-type"),
    pytest.param({"version": 1}, "version: 1 is not of type 'string' (put it in quotes", id="version-number"),
    pytest.param({"goals": []}, "goals: [] should be non-empty", id="no-goals"),
    pytest.param({"licence": None}, "licence: None is not of type 'string'", id="licence-missing"),
    pytest.param({"owner": "me"}, "Additional properties are not allowed ('owner' was unexpected)",
                 id="unknown-top-field"),
]


@pytest.mark.parametrize("extra, expected", LIBRARY_ERROR_CASES)
def test_library_level_schema_errors(tmp_path, extra, expected):
    path = write(tmp_path, library(**extra))
    messages = errors_for(tmp_path)
    assert any(m.startswith(f"{path}: {expected}") for m in messages), messages


FILE_ERROR_CASES = [
    pytest.param("kind: goal-library\ngoals: [\n  - id: x\n", "YAML syntax error", 3, id="yaml-syntax"),
    pytest.param("kind: goal-library\nid: a\nid: b\n", "YAML syntax error at column 1: while reading a mapping: "
                 "duplicate key 'id'", 3, id="yaml-duplicate-key"),
    pytest.param("kind: goals\nid: x\n", "unknown kind 'goals' (expected one of: goal-library, questionnaire)", 1,
                 id="unknown-kind"),
    pytest.param("id: x\n", "no 'kind' (expected one of: goal-library, questionnaire)", 1, id="missing-kind"),
    pytest.param("", "the file is empty; expected 'kind: goal-library' and the goals", None, id="empty-file"),
    pytest.param("- 1\n- 2\n", "the file is a list, not a mapping", None, id="list-file"),
]


@pytest.mark.parametrize("text, expected, line", FILE_ERROR_CASES)
def test_file_errors(tmp_path, text, expected, line):
    path = write(tmp_path, text)
    (message,) = errors_for(tmp_path)
    assert message.startswith(f"{path}: {expected}"), message
    if line is None:
        assert "(line " not in message
    else:
        assert message.endswith(f"(line {line})"), message


def test_same_id_same_priority_in_two_folders(tmp_path):
    write(tmp_path / "a", library(goal("walk")))
    second = write(tmp_path / "b", library(goal("run"), goal("walk"), id="other"))
    (message,) = errors_for(tmp_path / "a", tmp_path / "b")
    assert message == (
        f"{second}: goal 'walk': id 'walk' is already defined in {tmp_path / 'a' / 'goals.yaml'} with the same "
        "priority (0); to replace it, give this library a higher 'priority' (line 13)"
    )


def test_missing_folder_is_an_error(tmp_path):
    missing = tmp_path / "not-there"
    afile = write(tmp_path, "x", "file.txt")
    assert errors_for(missing, afile) == [
        f"{missing}: goal library folder does not exist",
        f"{afile}: goal library folder is not a folder",
    ]


def test_every_problem_in_every_file_is_listed(tmp_path):
    # schema problems are reported first; the further checks run on files that pass the schema
    write(tmp_path, library(goal("a", tier=9), goal("b", kind="support", barriers=[])), "1.yaml")
    write(tmp_path, library(goal("d", kind="support", barriers=[]), goal("e", smaller="e")), "2.yaml")
    write(tmp_path, "kind: nonsense\n", "3.yaml")
    write(tmp_path, library(goal("c", bigger="nowhere"), id="four"), "4.yaml")
    messages = errors_for(tmp_path)
    assert [(Path(m.split(": ")[0]).name, m.split(": ")[1]) for m in messages] == [
        ("1.yaml", "goal 'a'"), ("2.yaml", "goal 'd'"), ("2.yaml", "goal 'e'"), ("3.yaml", "unknown kind 'nonsense' "
        "(expected one of"), ("4.yaml", "goal 'c'")], messages


def test_error_objects_carry_their_parts(tmp_path):
    path = write(tmp_path, library(goal("walk", bigger="far")))
    with pytest.raises(GoalLibraryErrors) as caught:
        load_goal_library([tmp_path])
    (error,) = caught.value.errors
    assert (error.file, error.goal, error.problem, error.line) == (str(path), "walk", "bigger: there is no goal 'far'", 7)
    assert str(caught.value) == str(error)


# --- the model ---------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs, fragment", [
    pytest.param({"kind": "habit"}, "kind must be one of", id="bad-kind"),
    pytest.param({"tier": 0}, "tier must be 1, 2, 3 or 4", id="tier-0"),
    pytest.param({"tier": 5}, "tier must be 1, 2, 3 or 4", id="tier-5"),
    pytest.param({"tier": True}, "tier must be 1, 2, 3 or 4", id="tier-bool"),
])
def test_goal_idea_validates(kwargs, fragment):
    values = {"id": "x", "kind": "behaviour", "tier": 1, "text": "X."} | kwargs
    with pytest.raises(ValueError, match=fragment):
        GoalIdea(**values)


def test_goal_idea_lists_become_tuples():
    idea = GoalIdea("x", "behaviour", 1, "X.", domains=["health"], blocks=["acting"])  # type: ignore[arg-type]
    assert idea.domains == ("health",) and idea.blocks == ("acting",)


def test_library_rejects_duplicate_ids():
    with pytest.raises(ValueError, match="given twice"):
        GoalLibrary([GoalIdea("x", "behaviour", 1, "X."), GoalIdea("x", "behaviour", 2, "Y.")])


@pytest.mark.parametrize("value, expected", [
    pytest.param(None, [], id="unset"),
    pytest.param("", [], id="empty"),
    pytest.param("/srv/goals", ["/srv/goals"], id="one"),
    pytest.param(f"/srv/a{os.pathsep}{os.pathsep}/srv/b", ["/srv/a", "/srv/b"], id="two-and-empty-part"),
])
def test_goal_folders_from_environment(value, expected):
    environ = {} if value is None else {"CAPABLE_GOAL_DIRS": value}
    assert goal_folders(environ) == [BUILTIN_GOALS_DIR, *map(Path, expected)]


# --- the built-in library ----------------------------------------------------------------


def _builtin_library_files() -> list[Path]:
    return sorted(BUILTIN_GOALS_DIR.glob("*.y*ml"))


@pytest.mark.skipif(not _builtin_library_files(), reason="the built-in goal library is not written yet")
def test_builtin_goal_library():
    lib = load_goal_library([BUILTIN_GOALS_DIR])
    ideas = list(lib)
    assert len(ideas) >= 40
    capability = load_definition(BUILTIN_QUESTIONNAIRES / "capable-capability-1.yaml")
    domain_ids = {d.id for d in capability.scoring.profile.domains}
    activation = load_definition(BUILTIN_QUESTIONNAIRES / "capable-activation-1.yaml")
    block_ids = {s.id for s in activation.scoring.scales} - {"overall"}
    assert block_ids == set(BLOCKS)
    behaviour = [i for i in ideas if i.kind == "behaviour"]
    support = [i for i in ideas if i.kind == "support"]
    assert domain_ids - {d for i in behaviour for d in i.domains} == set(), "domains without a behaviour idea"
    assert block_ids - {b for i in behaviour for b in i.blocks} == set(), "blocks without a behaviour idea"
    assert {i.tier for i in behaviour} == {1, 2, 3, 4}
    assert support, "no support entries"
    for idea in ideas:
        for link in (idea.smaller, idea.bigger):
            assert link is None or lib.get(link) is not None, f"{idea.id} links to {link}"
        assert idea.library and idea.version


def test_loader_does_not_change_its_input(tmp_path):
    data = library(goal("walk"))
    before = copy.deepcopy(data)
    write(tmp_path, data)
    load_goal_library([tmp_path])
    assert data == before
