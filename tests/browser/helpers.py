"""What a person does in the browser, written once: sign in, answer a screen, go on, check a page.

Every step waits for something a person would see (a URL, a heading, focus): never a fixed sleep.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

import yaml
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, Response, expect

QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "questionnaires" / "builtin"
ACTIVATION = "capable-activation"
CAPABILITY = "capable-capability"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
PASSWORD = "correct horse battery"


# --- Accessibility ---------------------------------------------------------------------------

_axe = Axe()


def assert_accessible(page: Page, where: str) -> None:
    """axe-core finds no WCAG 2.2 A/AA violation on the page as it is now."""
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    if results.violations_count:
        summary = "\n".join(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} -> "
            + "; ".join(", ".join(node["target"]) for node in violation["nodes"])
            for violation in results.response["violations"]
        )
        raise AssertionError(
            f"axe found {results.violations_count} accessibility violation(s) on {where} ({page.url}):\n"
            f"{summary}\n\n{results.generate_report()}"
        )


# --- The questionnaires, read from their YAML so the tests follow the files --------------------


@dataclass(frozen=True)
class Question:
    link_id: str
    text: str
    options: tuple[dict, ...]

    def option_text(self, code: str) -> str:
        return next(option["text"] for option in self.options if option["code"] == code)

    def value_of(self, text: str) -> int | None:
        option = next(option for option in self.options if option["text"] == text)
        return None if option.get("not_applicable") else option["value"]


@cache
def questionnaire(questionnaire_id: str) -> dict:
    path = QUESTIONNAIRES / f"{questionnaire_id}-1.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _question(definition: dict, item: dict) -> Question:
    options = item.get("options")
    if isinstance(options, str):
        options = definition["answer_sets"][options]
    return Question(item["linkId"], item["text"], tuple(options or ()))


@cache
def activation_questions() -> tuple[Question, ...]:
    definition = questionnaire(ACTIVATION)
    return tuple(_question(definition, item) for item in definition["items"])


@cache
def capability_items() -> dict[str, dict]:
    """Every item of the capability questionnaire (groups and their questions) by linkId."""
    definition = questionnaire(CAPABILITY)
    found: dict[str, dict] = {}

    def walk(items: list[dict]) -> None:
        for item in items:
            found[item["linkId"]] = item
            walk(item.get("items", []))

    walk(definition["items"])
    return found


def capability_question(link_id: str) -> Question:
    return _question(questionnaire(CAPABILITY), capability_items()[link_id])


def round_half_up(value: float) -> int:
    return int(Decimal(repr(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def expected_activation(answer_texts: dict[str, str]) -> tuple[int, str]:
    """(score out of 100, stage label) for these answers, worked out independently of the app:
    the mean of the item values 1-5 with "does not apply" left out, rescaled (mean - 1) / 4 * 100."""
    by_id = {question.link_id: question for question in activation_questions()}
    values = [v for link_id, text in answer_texts.items() if (v := by_id[link_id].value_of(text)) is not None]
    mean = sum(values) / len(values)
    score = round_half_up((mean - 1) / 4 * 100)
    overall = next(scale for scale in questionnaire(ACTIVATION)["scoring"]["scales"] if scale["id"] == "overall")
    cuts = overall["cut_points"]
    assert score not in cuts, "pick answers whose score is not on a cut point, so the stage is not ambiguous"
    level = 1 + sum(1 for cut in cuts if score > cut)
    return score, overall["levels"][level]["label"]


# --- Doing things --------------------------------------------------------------------------------


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/sign-in")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")


def app_content(page: Page):
    return page.locator("#app-content")


def wait_for_focus(page: Page, selector: str, text: str | None = None) -> None:
    """Focus has moved to the element matching ``selector`` (whose text contains ``text``)."""
    page.wait_for_function(
        """([selector, text]) => {
            const active = document.activeElement;
            if (!active || !active.matches(selector)) return false;
            return !text || active.textContent.replace(/\\s+/g, " ").includes(text);
        }""",
        arg=[selector, text],
    )


def wait_for_question(page: Page, link_id: str, heading: str, *, focus: bool = True) -> None:
    """The screen for ``link_id`` is shown, its URL is in the address bar and (with JavaScript)
    focus is on its heading: the h1 in the legend or label, or the element with data-autofocus."""
    page.wait_for_url(re.compile(rf"/questions/{re.escape(link_id)}(\?|$)"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    expect(page).to_have_title(re.compile(re.escape(heading)))  # htmx swaps the <title> too
    if focus:
        wait_for_focus(page, "legend h1, h1:has(label), [data-autofocus]", heading)


def item_scope(page: Page, link_id: str | None = None):
    return page.locator(f'.app-item[data-link-id="{link_id}"]') if link_id else app_content(page)


def choose(page: Page, text: str, link_id: str | None = None) -> None:
    """Tap an answer by its label text (the large target a person would tap)."""
    scope = item_scope(page, link_id)
    label = scope.locator("label").filter(has_text=re.compile(rf"^\s*{re.escape(text)}\s*$"))
    expect(label).to_have_count(1)
    label.click()
    expect(scope.get_by_label(text, exact=True)).to_be_checked()


def expect_chosen(page: Page, text: str, link_id: str | None = None) -> None:
    expect(item_scope(page, link_id).get_by_label(text, exact=True)).to_be_checked()


def press_continue(page: Page, name: str = "Continue") -> None:
    page.get_by_role("button", name=name).click()


def press_and_get_response(page: Page, button: str, url_part: str) -> Response:
    """Press a form's button and return the server's answer to the POST it sends."""
    with page.expect_response(lambda r: r.request.method == "POST" and url_part in r.url) as info:
        page.get_by_role("button", name=button).click()
    return info.value


def open_questionnaire(page: Page, title: str) -> None:
    page.goto("/")
    page.get_by_role("link", name=title, exact=True).click()
    page.wait_for_url(re.compile(r"/questionnaires/[\w-]+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def wait_for_check_page(page: Page, *, focus: bool = True) -> None:
    page.wait_for_url(re.compile(r"/responses/[0-9a-f-]{36}/check$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers")
    if focus:
        wait_for_focus(page, "h1[data-autofocus]", "Check your answers")


def wait_for_results(page: Page, *, focus: bool = True) -> None:
    page.wait_for_url(re.compile(r"/responses/[0-9a-f-]{36}/results$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your results")
    if focus:
        wait_for_focus(page, "h1[data-autofocus]", "Your results")


def answer_activation(page: Page, answers: dict[str, str], *, javascript: bool = True, start_at: int = 0) -> None:
    """Answer the activation screens in order from ``start_at``, checking the progress caption."""
    questions = activation_questions()
    for number, question in enumerate(questions[start_at:], start=start_at + 1):
        wait_for_question(page, question.link_id, question.text, focus=javascript)
        expect(page.locator("h1 .nhsuk-caption-l")).to_have_text(f"Question {number} of {len(questions)}")
        choose(page, answers[question.link_id])
        press_continue(page)
    wait_for_check_page(page, focus=javascript)


def complete_activation(page: Page, answers: dict[str, str], *, javascript: bool = True) -> None:
    """From the home page to the results page, without detours."""
    open_questionnaire(page, questionnaire(ACTIVATION)["title"])
    page.get_by_role("button", name="Start now").click()
    answer_activation(page, answers, javascript=javascript)
    page.get_by_role("button", name="Send my answers").click()
    wait_for_results(page, focus=javascript)


def all_answers(text: str, **overrides: str) -> dict[str, str]:
    answers = {question.link_id: text for question in activation_questions()}
    answers.update({link_id.replace("_", "-"): value for link_id, value in overrides.items()})
    return answers


def summary_rows(page: Page) -> list[tuple[str, str]]:
    """(question, answer) for each row of check your answers, whitespace tidied."""
    rows = page.locator(".nhsuk-summary-list__row")
    found = []
    for index in range(rows.count()):
        row = rows.nth(index)
        key = " ".join(row.locator(".nhsuk-summary-list__key").inner_text().split())
        value = " ".join(row.locator(".nhsuk-summary-list__value").inner_text().split())
        found.append((key, value))
    return found


def list_after_heading(page: Page, heading: str):
    """The bulleted list that follows an h2 on the results page."""
    return page.locator("h2", has_text=heading).locator("xpath=following-sibling::ul[1]")
