"""A person's record as staff see it: activation over time, capability now against the first
assessment, priorities and barriers, goals with check-ins, coach notes, and the care and
support plan. Every route checks the person's consent to the staff member's team (anyone else
is a 404) and audits what it shows or changes."""

from __future__ import annotations

from flask import abort, current_app, redirect, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from webapp.auth.forms import strip_spaces
from webapp.catalogue import get_catalogue
from webapp.charts import BarPair, ChartBand, LinePoint, bar_chart, line_chart
from webapp.clock import today
from webapp.db import utcnow
from webapp.extensions import db
from webapp.htmx import is_htmx_request, redirect_after_post, render
from webapp.models import CoachNote, Consent, GoalStatus, User
from webapp.plan.forms import CarePlanForm
from webapp.services import audit, care_plans
from webapp.services import goals as goal_service
from webapp.services import notes as note_service
from webapp.services.person_record import PersonRecord, latest_what_matters, person_name, person_record
from webapp.staff.access import consented_person_or_404, current_staff, records_required
from webapp.staff.blueprint import bp


class NoteForm(FlaskForm):
    note = TextAreaField(
        _l("Add a note"),
        description=_l("Only staff in your team can read notes. The person cannot see them."),
        filters=[strip_spaces],
        validators=[DataRequired(message=_l("Write the note")),
                    Length(max=note_service.MAX_LENGTH, message=_l("Keep the note to 5000 characters or fewer"))],
    )


def _label(person: User, consent: Consent) -> str:
    return person_name(db.session, person, consent) or _("Person %(id)s", id=person.id)


def _note_or_404(person: User, consent: Consent, note_id: int) -> CoachNote:
    note = note_service.get_note(db.session, note_id, person.id, consent.team_id)
    if note is None:
        abort(404)
    return note


# --- The record -------------------------------------------------------------------------------


def _charts(record: PersonRecord) -> dict:
    charts = {}
    name = record.name or _("this person")
    activation = record.activation
    if activation is not None and activation.results:
        latest = activation.latest
        description = _("%(count)s results. Latest score %(score)s out of %(max)s: %(stage)s.",
                        count=len(activation.results), score=_number(latest.score), max=_number(activation.maximum),
                        stage=latest.level_label or _("no stage"))
        if activation.change is not None:
            description += " " + _("Change since the first result: %(change)s.", change=_signed(activation.change))
        charts["activation"] = line_chart(
            "activation-chart",
            [LinePoint(result.when, result.score, format_date(result.when, "d MMM yyyy")) for result in activation.results],
            title=_("Activation score over time for %(name)s", name=name),
            description=description,
            bands=[ChartBand(stage.low, stage.high, stage.label) for stage in activation.stages],
            y_min=activation.minimum,
            y_max=activation.maximum,
        )
    capability = record.capability
    if capability is not None:
        first_label = _("First, %(date)s", date=format_date(capability.first_at, "d MMM yyyy"))
        now_label = _("Now, %(date)s", date=format_date(capability.now_at, "d MMM yyyy"))
        charts["capability"] = bar_chart(
            "capability-chart",
            [BarPair(domain.label, domain.first if capability.repeated else None, domain.now)
             for domain in capability.domains],
            title=_("How free %(name)s feels in each part of life", name=name),
            description=_("For each part of life, how free they feel to have or do it, from 0 (not at all) to "
                          "%(max)s (completely), now and at the first assessment.", max=_number(capability.scale_max))
            if capability.repeated else
            _("For each part of life, how free they feel to have or do it, from 0 (not at all) to %(max)s "
              "(completely). There is one assessment so far.", max=_number(capability.scale_max)),
            before_label=first_label,
            now_label=now_label,
            scale_min=capability.scale_min,
            scale_max=capability.scale_max,
        )
    return charts


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _signed(value: float) -> str:
    value = round(value, 1)
    if value == 0:
        return "0"
    return ("+" if value > 0 else "\u2212") + _number(abs(value))


def _render_person(person: User, consent: Consent, note_form: NoteForm, status: int = 200):
    """The whole record. The caller audits the view."""
    config = current_app.config
    record = person_record(db.session, person, consent, get_catalogue(),
                           activation_id=config["ACTIVATION_QUESTIONNAIRE"],
                           capability_id=config["CAPABILITY_QUESTIONNAIRE"])
    return render("staff/person/_person.html", status=status, title=record.name or _("Person %(id)s", id=person.id),
                  record=record, charts=_charts(record), **_notes_context(person, consent, note_form))


def _notes_context(person: User, consent: Consent, note_form: NoteForm) -> dict:
    return {
        "person": person,
        "consent": consent,
        "notes": note_service.notes_for(db.session, person.id, consent.team_id),
        "note_form": note_form,
        "staff": current_staff(),
        "can_edit": note_service.can_edit,
        "now": utcnow(),
    }


def _audit_view(person: User, consent: Consent) -> None:
    audit.record(db.session, "person.view", actor=current_staff().user, person_id=person.id, team_id=consent.team_id)
    db.session.commit()


@bp.get("/people/<int:person_id>")
@records_required
def person(person_id: int):
    person, consent = consented_person_or_404(person_id)
    _audit_view(person, consent)
    return _render_person(person, consent, NoteForm())


# --- Notes ------------------------------------------------------------------------------------


def _person_url(person: User, anchor: str = "notes") -> str:
    return url_for("staff.person", person_id=person.id, _anchor=anchor)


@bp.post("/people/<int:person_id>/notes")
@records_required
def note_add(person_id: int):
    person, consent = consented_person_or_404(person_id)
    form = NoteForm()
    if not form.validate_on_submit():
        _audit_view(person, consent)  # the notes (or the whole record) are shown again
        if is_htmx_request():
            return render("staff/person/_notes.html", status=422, **_notes_context(person, consent, form))
        return _render_person(person, consent, form, status=422)
    note_service.add_note(db.session, person, consent.team_id, current_staff(), form.note.data)
    db.session.commit()
    if is_htmx_request():
        return render("staff/person/_notes.html", added=True,
                      **_notes_context(person, consent, NoteForm(formdata=None)))
    return redirect(_person_url(person), code=303)


def _render_note_page(template: str, person: User, consent: Consent, note: CoachNote, form: NoteForm,
                      title: str, status: int = 200):
    """A page about one note (it shows the note or its words in the form), audited as a view."""
    audit.record(db.session, "note.view", actor=current_staff().user, person_id=person.id, team_id=consent.team_id,
                 detail={"note_id": note.id})
    db.session.commit()
    return render(template, status=status, title=title, person=person, person_label=_label(person, consent),
                  note=note, form=form)


def _locked(person: User, consent: Consent, note: CoachNote):
    """Says the note can no longer be corrected; shows nothing of it, so it is not a view."""
    return render("staff/person/_note_locked.html", status=403, title=_("This note can no longer be changed"),
                  person=person, person_label=_label(person, consent), note=note)


@bp.get("/people/<int:person_id>/notes/<int:note_id>/edit")
@records_required
def note_edit(person_id: int, note_id: int):
    person, consent = consented_person_or_404(person_id)
    note = _note_or_404(person, consent, note_id)
    if not note_service.can_edit(note, current_staff()):
        return _locked(person, consent, note)
    return _render_note_page("staff/person/_note_edit.html", person, consent, note,
                             NoteForm(data={"note": note.body}), _("Correct your note"))


@bp.post("/people/<int:person_id>/notes/<int:note_id>/edit")
@records_required
def note_edit_post(person_id: int, note_id: int):
    person, consent = consented_person_or_404(person_id)
    note = _note_or_404(person, consent, note_id)
    if not note_service.can_edit(note, current_staff()):
        return _locked(person, consent, note)
    form = NoteForm()
    if not form.validate_on_submit():
        return _render_note_page("staff/person/_note_edit.html", person, consent, note, form,
                                 _("Correct your note"), status=422)
    try:
        note_service.edit_note(db.session, note, current_staff(), form.note.data)
    except note_service.NoteLocked:  # the window closed while the form was open
        db.session.rollback()
        return _locked(person, consent, note)
    db.session.commit()
    return redirect_after_post(_person_url(person, f"note-{note.id}"))


@bp.get("/people/<int:person_id>/notes/<int:note_id>/annotate")
@records_required
def note_annotate(person_id: int, note_id: int):
    person, consent = consented_person_or_404(person_id)
    note = _note_or_404(person, consent, note_id)
    return _render_note_page("staff/person/_note_annotate.html", person, consent, note,
                             NoteForm(formdata=None), _("Add a note under this one"))


@bp.post("/people/<int:person_id>/notes/<int:note_id>/annotate")
@records_required
def note_annotate_post(person_id: int, note_id: int):
    person, consent = consented_person_or_404(person_id)
    note = _note_or_404(person, consent, note_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return _render_note_page("staff/person/_note_annotate.html", person, consent, note, form,
                                 _("Add a note under this one"), status=422)
    note_service.annotate(db.session, note, current_staff(), form.note.data)
    db.session.commit()
    return redirect_after_post(_person_url(person, f"note-{note.annotates_id or note.id}"))


# --- The care and support plan ----------------------------------------------------------------


def _render_plan(person: User, consent: Consent, form: CarePlanForm, status: int = 200):
    plan = care_plans.plan_for(db.session, person.id, consent.team_id)
    goals = [goal for goal in _goals(person) if goal.status in (GoalStatus.ACTIVE, GoalStatus.PAUSED)]
    audit.record(db.session, "plan.view", actor=current_staff().user, person_id=person.id, team_id=consent.team_id)
    db.session.commit()
    return render("staff/person/_plan.html", status=status, title=_("Care and support plan"),
                  person=person, person_label=_label(person, consent), consent=consent, plan=plan, goals=goals,
                  form=form)


def _goals(person: User):
    return goal_service.goals_of(db.session, person)


@bp.get("/people/<int:person_id>/plan")
@records_required
def care_plan(person_id: int):
    person, consent = consented_person_or_404(person_id)
    plan = care_plans.plan_for(db.session, person.id, consent.team_id)
    if plan is not None:
        form = CarePlanForm(obj=plan, today=today())
    else:
        # A first plan starts from what the person said matters to them, in their words.
        what_matters = latest_what_matters(db.session, person, current_app.config["CAPABILITY_QUESTIONNAIRE"])
        form = CarePlanForm(data={"what_matters": what_matters}, today=today())
    return _render_plan(person, consent, form)


@bp.post("/people/<int:person_id>/plan")
@records_required
def care_plan_post(person_id: int):
    person, consent = consented_person_or_404(person_id)
    form = CarePlanForm(today=today())
    if not form.validate_on_submit():
        return _render_plan(person, consent, form, status=422)
    care_plans.save_plan(db.session, person, consent.team_id, current_staff(), care_plans.PlanFields(
        what_matters=form.what_matters.data or None, support_agreed=form.support_agreed.data or None,
        contacts=form.contacts.data or None, review_on=form.review_on.data))
    db.session.commit()
    return redirect_after_post(url_for("staff.care_plan", person_id=person.id))
