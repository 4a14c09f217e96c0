"""Exports of one person and of a team: CSV row by row against the stored answers, FHIR R4
validated, access and audit."""

from __future__ import annotations

import csv
import io
import json

import pytest
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tests.conftest import add_assessment, make_person, make_staff, make_team, share_with, sign_in
from webapp.catalogue import get_catalogue
from webapp.extensions import db
from webapp.models import AuditEvent, Consent, Response
from webapp.services.consent import withdraw
from webapp.services.exports import CSV_COLUMNS


@pytest.fixture
def world(app):
    north = make_team(app, "North Hill link workers")
    south = make_team(app, "South Vale coaches")
    make_staff(app, "lee@example.org", team_id=north, role="team_lead", name="Lee")
    coach = make_staff(app, "casey@example.org", team_id=north, role="coach")
    make_staff(app, "ada@example.org", role=None, is_admin=True)
    alex = make_person(app, "alex@example.org", name="Alex")
    bo = make_person(app, "bo@example.org", name="Bo")
    other = make_person(app, "other@example.org", name="Other")
    gone = make_person(app, "gone@example.org", name="Gone")
    for person in (alex, bo, gone):
        share_with(app, person, north, coach)
    share_with(app, other, south)
    add_assessment(app, alex, "capable-activation", wellness=0.3, days_ago=30, seed=1)
    add_assessment(app, alex, "capable-activation", wellness=0.7, days_ago=2, seed=2)
    add_assessment(app, alex, "capable-capability", wellness=0.2, days_ago=2, seed=3)
    add_assessment(app, bo, "capable-capability", wellness=0.8, days_ago=5, seed=4)
    add_assessment(app, other, "capable-activation", wellness=0.5, days_ago=5, seed=5)
    add_assessment(app, gone, "capable-activation", wellness=0.5, days_ago=5, seed=6)
    with app.app_context():
        consent = db.session.scalar(select(Consent).where(Consent.person_id == gone))
        withdraw(db.session, consent, consent.person)
        db.session.commit()
    return {"north": north, "south": south, "alex": alex, "bo": bo, "other": other, "gone": gone}


def stored(app, person_ids) -> list[Response]:
    with app.app_context():
        return db.session.scalars(
            select(Response).where(Response.person_id.in_(person_ids))
            .order_by(Response.person_id, Response.authored_at, Response.id)
            .options(selectinload(Response.answers), selectinload(Response.scores))
        ).all()


def expected_rows(app, person_ids) -> list[dict[str, str]]:
    """What the CSV should hold, worked out from the stored answers and the definitions."""
    rows = []
    with app.app_context():
        catalogue = get_catalogue()
        for response in stored(app, person_ids):
            questionnaire = catalogue.get(response.questionnaire_id, response.questionnaire_version)
            for answer in response.answers:
                item = questionnaire.item(answer.link_id)
                value = answer.value
                if isinstance(value, list):
                    shown, words = "; ".join(value), "; ".join(item.option(code).text for code in value)
                elif item.type == "choice":
                    shown, words = value, item.option(value).text
                else:
                    shown, words = str(value), ""
                rows.append({
                    "person_id": str(response.person_id), "questionnaire_id": response.questionnaire_id,
                    "questionnaire_version": response.questionnaire_version, "response_id": str(response.uuid),
                    "authored_at": response.authored_at.isoformat(), "received_at": response.received_at.isoformat(),
                    "link_id": answer.link_id, "question": item.text, "value": shown, "display": words,
                })
    return rows


def read_csv(reply) -> list[dict[str, str]]:
    assert reply.status_code == 200, reply.get_data(as_text=True)[:500]
    assert reply.mimetype == "text/csv"
    assert reply.headers["Cache-Control"] == "no-store"
    assert "attachment" in reply.headers["Content-Disposition"]
    reader = csv.DictReader(io.StringIO(reply.get_data(as_text=True)))
    assert tuple(reader.fieldnames) == CSV_COLUMNS
    return list(reader)


def audit_events(app, action):
    with app.app_context():
        return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


def check_bundle(data: dict, responses: list[Response]) -> None:
    """Valid FHIR R4, each questionnaire canonical found in the bundle, observation values equal
    the stored scores, subjects only as pseudonymous references."""
    assert data["resourceType"] == "Bundle" and data["type"] == "collection"
    Bundle.model_validate(data)
    by_type: dict[str, list[dict]] = {}
    for entry in data["entry"]:
        resource = entry["resource"]
        by_type.setdefault(resource["resourceType"], []).append(resource)
        # Each entry also validates as its own resource type.
        module = __import__(f"fhir.resources.R4B.{resource['resourceType'].lower()}",
                            fromlist=[resource["resourceType"]])
        getattr(module, resource["resourceType"]).model_validate(resource)
    canonicals = {f"{q['url']}|{q['version']}": q for q in by_type.get("Questionnaire", [])}
    full_urls = {entry["fullUrl"] for entry in data["entry"]}
    answers_by_uuid = {str(r.uuid): r for r in responses}
    assert {qr["id"] for qr in by_type.get("QuestionnaireResponse", [])} == set(answers_by_uuid)
    for qr in by_type["QuestionnaireResponse"]:
        response = answers_by_uuid[qr["id"]]
        questionnaire = canonicals[qr["questionnaire"]]  # resolves inside the bundle
        assert questionnaire["version"] == response.questionnaire_version
        assert qr["questionnaire"].split("|")[0].endswith("/Questionnaire/" + response.questionnaire_id)
        assert qr["status"] == "completed"
        assert qr["subject"] == {"reference": f"Patient/{response.person_id}"}
        # Every stored answer is in the response, nested as in the questionnaire.
        linked = {}

        def walk(items):
            for item in items:
                if "answer" in item:
                    linked[item["linkId"]] = item["answer"]
                walk(item.get("item", []))

        walk(qr["item"])
        assert set(linked) == {a.link_id for a in response.answers}
        for answer in response.answers:
            fhir_answers = linked[answer.link_id]
            if isinstance(answer.value, list):
                assert [a["valueCoding"]["code"] for a in fhir_answers] == answer.value
            elif isinstance(answer.value, str) and "valueCoding" in fhir_answers[0]:
                assert fhir_answers[0]["valueCoding"]["code"] == answer.value
            elif isinstance(answer.value, str):
                assert fhir_answers[0]["valueString"] == answer.value
            else:
                assert list(fhir_answers[0].values())[0] == answer.value
    observations = by_type.get("Observation", [])
    assert len(observations) == sum(len(r.scores) for r in responses)
    by_code = {}
    for observation in observations:
        assert observation["status"] == "final"
        reference = observation["derivedFrom"][0]["reference"]
        assert reference in full_urls
        by_code[(reference.removeprefix("urn:uuid:"), observation["code"]["coding"][0]["code"])] = observation
    for response in responses:
        for score in response.scores:
            observation = by_code[(str(response.uuid), f"{response.questionnaire_id}.{score.scale_id}")]
            assert observation["effectiveDateTime"] == response.authored_at.isoformat()
            if score.value is not None:
                assert observation["valueQuantity"]["value"] == score.value
            if score.level is not None:
                assert observation["component"][0]["valueInteger"] == score.level
    text = json.dumps(data)
    assert "@example.org" not in text and '"Patient"' not in text.replace('"subjectType": ["Patient"]', "")


# -- one person ---------------------------------------------------------------------------------


def test_person_csv_matches_the_stored_answers_row_by_row(client, app, world):
    sign_in(client, "casey@example.org")
    rows = read_csv(client.get(f"/staff/people/{world['alex']}/export.csv"))
    expected = expected_rows(app, [world["alex"]])
    assert len(expected) > 30  # two activation assessments and a capability one
    assert rows == expected
    assert {row["person_id"] for row in rows} == {str(world["alex"])}
    events = audit_events(app, "person.export")
    assert [(e.person_id, e.team_id, e.detail) for e in events] == [(world["alex"], world["north"], {"format": "csv"})]


def test_person_fhir_bundle_is_valid_and_matches_the_scores(client, app, world):
    sign_in(client, "casey@example.org")
    reply = client.get(f"/staff/people/{world['alex']}/export.fhir.json")
    assert reply.status_code == 200 and reply.mimetype == "application/fhir+json"
    assert reply.headers["Cache-Control"] == "no-store"
    data = reply.get_json(force=True)
    responses = stored(app, [world["alex"]])
    check_bundle(data, responses)
    kinds = [entry["resource"]["resourceType"] for entry in data["entry"]]
    assert kinds.count("Questionnaire") == 2  # activation and capability, version 1 each
    assert kinds.count("QuestionnaireResponse") == 3
    activation = next(e["resource"] for e in data["entry"]
                      if e["resource"]["resourceType"] == "Questionnaire" and e["resource"]["url"].endswith("/capable-activation"))
    first = activation["item"][0]
    assert first["linkId"] == "ownership-1" and first["type"] == "choice"
    assert first["answerOption"][0]["valueCoding"]["code"] == "disagree-strongly"
    assert first["answerOption"][0]["valueCoding"]["display"] == "I strongly disagree"
    events = audit_events(app, "person.export")
    assert [e.detail for e in events] == [{"format": "fhir"}]


@pytest.mark.parametrize("who", ["other", "gone"])
def test_other_teams_and_withdrawn_people_are_404(client, app, world, who):
    sign_in(client, "casey@example.org")
    for suffix in ("export.csv", "export.fhir.json"):
        assert client.get(f"/staff/people/{world[who]}/{suffix}").status_code == 404
    assert client.get("/staff/people/99999/export.csv").status_code == 404
    assert audit_events(app, "person.export") == []


def test_person_exports_need_a_coach(client, app, world):
    assert client.get(f"/staff/people/{world['alex']}/export.csv").status_code == 302
    sign_in(client, "ada@example.org")  # admin without a role sees no one's record
    assert client.get(f"/staff/people/{world['alex']}/export.csv").status_code == 403
    person = app.test_client()
    sign_in(person, "alex@example.org")
    assert person.get(f"/staff/people/{world['alex']}/export.fhir.json").status_code == 403


# -- a team -------------------------------------------------------------------------------------


def test_team_csv_has_the_team_only(client, app, world):
    sign_in(client, "lee@example.org")
    reply = client.get("/staff/team/export.csv")
    assert reply.is_streamed
    rows = read_csv(reply)
    assert rows == expected_rows(app, [world["alex"], world["bo"]])
    assert {row["person_id"] for row in rows} == {str(world["alex"]), str(world["bo"])}
    events = audit_events(app, "team.export")
    assert [(e.team_id, e.person_id, e.detail) for e in events] == [(world["north"], None, {"format": "csv"})]


def test_team_fhir_has_the_team_only(client, app, world):
    sign_in(client, "lee@example.org")
    reply = client.get("/staff/team/export.fhir.json")
    assert reply.status_code == 200
    data = reply.get_json(force=True)
    check_bundle(data, stored(app, [world["alex"], world["bo"]]))
    subjects = {e["resource"]["subject"]["reference"] for e in data["entry"] if "subject" in e["resource"]}
    assert subjects == {f"Patient/{world['alex']}", f"Patient/{world['bo']}"}
    assert [e.detail for e in audit_events(app, "team.export")] == [{"format": "fhir"}]


def test_team_exports_are_for_team_leads(client, app, world):
    sign_in(client, "casey@example.org")
    assert client.get("/staff/team/export.csv").status_code == 403
    assert client.get("/staff/team/export.fhir.json").status_code == 403
    admin = app.test_client()
    sign_in(admin, "ada@example.org")
    assert admin.get("/staff/team/export.csv").status_code == 403
    assert audit_events(app, "team.export") == []


def test_the_person_page_links_to_both_exports_and_a_set_fhir_base_is_used(client, app, world):
    sign_in(client, "casey@example.org")
    page = client.get(f"/staff/people/{world['alex']}").get_data(as_text=True)
    assert f'href="/staff/people/{world["alex"]}/export.csv"' in page
    assert f'href="/staff/people/{world["alex"]}/export.fhir.json"' in page
    app.config["FHIR_BASE_URL"] = "https://capable.example.nhs.uk/fhir"
    data = client.get(f"/staff/people/{world['alex']}/export.fhir.json").get_json(force=True)
    urls = {e["resource"]["url"] for e in data["entry"] if e["resource"]["resourceType"] == "Questionnaire"}
    assert urls == {"https://capable.example.nhs.uk/fhir/Questionnaire/capable-activation",
                    "https://capable.example.nhs.uk/fhir/Questionnaire/capable-capability"}
