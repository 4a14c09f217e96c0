"""Locust scenario: people using Capable on their phones, for a load test against one server.

Each simulated person signs up once through the real form, then, over and over:
the home page; the start page of a questionnaire (activation and capability in turn), which
offers "Carry on" when a draft is in progress; start or continue (htmx POST); answer a few
screens (3 to all of them) via htmx POSTs with ``HX-Request`` headers and the CSRF token in
``X-CSRFToken``, following ``HX-Push-Url``; send it if check your answers was reached; then the
history page. A draft left half done is continued on the next turn, as a person coming back
later would. Between screens a person pauses for 1 to 3 seconds (``wait_time``): people read
each question. Answers are made from the questionnaire definitions by
``webapp.services.demo.synthetic_answers``.

Requests are grouped by route (``/responses/[uuid]/questions/[linkId]`` and so on). Any status
other than the expected one, or an htmx step without ``HX-Push-Url``, is a failure.

One simulated user in 20 is a coach (``bench/load.py`` seeds their team and caseload): they sign
in, then over and over open the caseload (sorted or filtered at random, sometimes the next page),
open someone's record from it, now and then add a note (htmx) or open the care plan; coach 1 is the
team lead and also opens the team report.

Run against a server on loopback (the app needs ``CAPABLE_SECURE_COOKIES=0`` over plain HTTP, and
sign-up limits raised because every simulated person comes from 127.0.0.1; ``bench/load.py``
does all of this for you and prints a summary):

    locust -f bench/locustfile.py --headless -u 200 -r 20 -t 60s --host http://127.0.0.1:PORT
"""

from __future__ import annotations

import itertools
import random
import re
import uuid

from locust import HttpUser, between, task

import common
from common import HTMX_HEADERS, QUESTION_URL

MAX_SCREENS = 100  # a questionnaire has fewer screens than this; the loop never runs longer


CASELOAD_LINK = re.compile(r'href="(/staff/people/\d+)"')
COACHES = 10  # as seeded by bench/load.py (--coaches)


class Person(HttpUser):
    weight = 19
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.rng = random.Random()
        self.turn = 0
        self.answers: dict[str, dict] = {}
        page = self.client.get("/sign-up", name="/sign-up")
        token = common.csrf_from(page.text)
        with self.client.post("/sign-up", name="/sign-up", allow_redirects=False, catch_response=True, data={
            "csrf_token": token, "display_name": "Load", "email": f"load-{uuid.uuid4().hex}@example.org",
            "password": common.PASSWORD, "confirm": common.PASSWORD,
        }) as reply:
            if reply.status_code != 302:
                reply.failure(f"sign-up answered {reply.status_code}")

    @task
    def use_the_app(self) -> None:
        home = self.client.get("/", name="/")
        questionnaire_id = (common.ACTIVATION, common.CAPABILITY)[self.turn % 2]
        self.turn += 1
        self.wait()
        start = self.client.get(f"/questionnaires/{questionnaire_id}", name="/questionnaires/[id]")
        if start.status_code != 200 or home.status_code != 200:
            return
        token = common.csrf_from(start.text)
        headers = {**HTMX_HEADERS, "X-CSRFToken": token}
        match = common.RESPONSE_UUID_FIELD.search(start.text)
        response_uuid = match.group(1) if match else str(uuid.uuid4())
        if "Carry on" not in start.text or questionnaire_id not in self.answers:
            self.answers[questionnaire_id] = common.synthetic_answers(questionnaire_id, self.rng)
        answers = self.answers[questionnaire_id]
        self.wait()
        location = self.htmx_post(f"/questionnaires/{questionnaire_id}/start", "/questionnaires/[id]/start",
                                  {"csrf_token": token, "response_uuid": response_uuid}, headers)
        screens = self.rng.randint(3, 25)
        for _ in range(min(screens, MAX_SCREENS)):
            found = QUESTION_URL.search(location or "")
            if not found:
                break
            response_uuid, link_id = found.groups()
            self.wait()
            data = {**common.page_form(questionnaire_id, link_id, answers), "csrf_token": token}
            location = self.htmx_post(f"/responses/{response_uuid}/questions/{link_id}",
                                      "/responses/[uuid]/questions/[linkId]", data, headers)
        if location and location.endswith("/check"):
            self.wait()
            self.htmx_post(f"{location[:-len('/check')]}/submit", "/responses/[uuid]/submit",
                           {"csrf_token": token}, headers)
            self.answers.pop(questionnaire_id, None)
        self.wait()
        self.client.get("/history", name="/history")

    def htmx_post(self, path: str, name: str, data: dict, headers: dict) -> str | None:
        """POST like htmx; returns the pushed URL of the next step (None on failure)."""
        with self.client.post(path, name=name, data=data, headers=headers, allow_redirects=False,
                              catch_response=True) as reply:
            location = reply.headers.get("HX-Push-Url")
            if reply.status_code != 200:
                reply.failure(f"HTTP {reply.status_code}")
                return None
            if not location:
                reply.failure("no HX-Push-Url")
                return None
            return location


_coach_numbers = itertools.cycle(range(1, COACHES + 1))


class Coach(HttpUser):
    weight = 1
    wait_time = between(2, 5)

    def on_start(self) -> None:
        self.rng = random.Random()
        self.number = next(_coach_numbers)
        page = self.client.get("/sign-in", name="/sign-in")
        with self.client.post("/sign-in", name="/sign-in", allow_redirects=False, catch_response=True, data={
            "csrf_token": common.csrf_from(page.text), "email": f"coach-{self.number}@example.org",
            "password": common.PASSWORD,
        }) as reply:
            if reply.status_code != 302:
                reply.failure(f"coach sign-in answered {reply.status_code}")

    @task
    def work_through_the_caseload(self) -> None:
        query = self.rng.choice(["", "?scope=team", "?scope=team&sort=stage", "?scope=team&sort=activity&dir=desc",
                                 "?scope=team&flag=any", "?scope=team&page=2"])
        caseload = self.client.get(f"/staff/{query}", name="/staff/ (caseload)")
        people = CASELOAD_LINK.findall(caseload.text) if caseload.status_code == 200 else []
        if not people:
            return
        self.wait()
        person = self.rng.choice(people)
        record = self.client.get(person, name="/staff/people/[id]")
        if record.status_code != 200:
            return
        if self.rng.random() < 0.3:
            self.wait()
            token = common.csrf_from(record.text)
            with self.client.post(f"{person}/notes", name="/staff/people/[id]/notes", catch_response=True,
                                  data={"csrf_token": token, "note": "Spoke on the phone. Keen to try the walking group."},
                                  headers={**HTMX_HEADERS, "X-CSRFToken": token}) as reply:
                if reply.status_code != 200:
                    reply.failure(f"HTTP {reply.status_code}")
        elif self.rng.random() < 0.3:
            self.wait()
            self.client.get(f"{person}/plan", name="/staff/people/[id]/plan")
        if self.number == 1 and self.rng.random() < 0.2:
            self.wait()
            self.client.get("/staff/reports", name="/staff/reports")
