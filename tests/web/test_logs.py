"""Nothing a person types or scores ends up in the logs."""

from __future__ import annotations

import logging
from datetime import date

from tests.conftest import csrf_token
from tests.web.journey import complete


def test_a_full_journey_logs_no_answers_scores_notes_or_passwords(client, app, caplog):
    password = "Unusual-Pass-Phrase-7731"
    secret_words = "Walking-to-Trefor-Chapel-on-Sundays"
    secret_note = "Knee-pain-after-the-stairs-9921"
    with caplog.at_level(logging.DEBUG):
        token = csrf_token(client, "/sign-up")
        client.post("/sign-up", data={"email": "private@example.org", "password": password,
                                      "confirm": password, "csrf_token": token})

        def pick(item):
            if item.type == "text":
                return secret_words
            if item.type == "choice" and not item.repeats:
                return sorted((o for o in item.options if not o.not_applicable), key=lambda o: o.value)[1].code
            return None

        complete(client, app, "capable-activation", pick)
        complete(client, app, "capable-capability", pick)
        token = csrf_token(client, "/")
        ideas = client.post("/goals/new", data={"csrf_token": token, "own_words": secret_words}).headers["Location"]
        goal = ideas.rsplit("/", 1)[0]
        client.post(ideas, data={"csrf_token": token, "idea": "own"})
        client.post(goal + "/plan", data={"csrf_token": token, "what": secret_words,
                                          "starts_on": date.today().isoformat()})
        client.post(goal + "/rate", data={"csrf_token": token, "importance": "8", "confidence": "8"})
        client.post(goal + "/commit", data={"csrf_token": token, "check_in_on": date.today().isoformat()})
        client.post(goal + "/check-in", data={"csrf_token": token, "outcome": "partly", "confidence": "7",
                                              "next_step": "stop", "got_in_the_way": secret_note})
        client.post("/sign-in", data={"email": "private@example.org", "password": password + "x",
                                      "csrf_token": csrf_token(client, "/")})
        assert client.get("/history").status_code == 200
    logged = "\n".join(f"{record.name} {record.getMessage()} {record.args}" for record in caplog.records)
    for secret in (password, secret_words, secret_note, "private@example.org"):
        assert secret not in logged
