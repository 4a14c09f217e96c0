"""Forms for administration: teams and staff accounts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, EmailField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from webapp.auth.forms import strip_spaces

NO_ROLE = "none"


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class TeamForm(FlaskForm):
    name = StringField(
        _l("Team name"),
        description=_l("For example, North Hill link workers."),
        filters=[strip_spaces],
        validators=[DataRequired(message=_l("Enter the team's name")),
                    Length(max=120, message=_l("Team name must be 120 characters or fewer"))],
    )


class PlainSelectField(SelectField):
    """A select whose "not one of the choices" error is plain words."""

    def __init__(self, *args, choice_message=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.choice_message = choice_message

    def pre_validate(self, form):
        if (self.data or "") not in {str(choice.value) for choice in self.choices}:
            raise ValidationError(self.choice_message or _l("Choose one of the options shown"))


class PlainRadioField(RadioField):
    def pre_validate(self, form):
        if self.data is not None and self.data not in {choice.value for choice in self.choices}:
            raise ValidationError(_l("Choose one of the roles shown"))


class StaffIdentityForm(FlaskForm):
    """Who a new staff member is (declared first, so these come first on the page)."""

    display_name = StringField(
        _l("Name"),
        filters=[strip_spaces],
        validators=[DataRequired(message=_l("Enter their name")),
                    Length(max=80, message=_l("Name must be 80 characters or fewer"))],
    )
    email = EmailField(
        _l("Work email address"),
        filters=[strip_spaces],
        validators=[
            DataRequired(message=_l("Enter their email address")),
            Length(max=254, message=_l("Email address must be 254 characters or fewer")),
            Email(message=_l("Enter an email address in the right format, like name@example.org"),
                  check_deliverability=False),
        ],
    )


class StaffRoleForm(FlaskForm):
    """What a staff member does: their team, role, job title and whether they are an admin."""

    team = PlainSelectField(_l("Team"), choices=[], choice_message=_l("Choose one of the teams shown"))
    role = PlainRadioField(
        _l("Role"),
        choices=[SelectChoice("coach", _l("Coach")), SelectChoice("team_lead", _l("Team lead")),
                 SelectChoice(NO_ROLE, _l("None (admin only)"))],
        validators=[DataRequired(message=_l("Choose a role"))],
    )
    job_title = StringField(
        _l("Job title (optional)"),
        description=_l("For example, health and wellbeing coach, or social prescribing link worker."),
        filters=[strip_spaces],
        validators=[Optional(), Length(max=120, message=_l("Job title must be 120 characters or fewer"))],
    )
    is_admin = BooleanField(_l("Admin: can add and change staff and teams, and read the audit log"))

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.team.choices = [SelectChoice("", _l("No team")), *(SelectChoice(str(team.id), team.name) for team in teams)]

    def validate_team(self, field) -> None:
        if self.role.data in ("coach", "team_lead") and not field.data:
            raise ValidationError(_l("Choose a team: coaches and team leads work in a team"))

    def validate_is_admin(self, field) -> None:
        if self.role.data == NO_ROLE and not field.data:
            raise ValidationError(_l("Tick admin, or choose coach or team lead: someone with no role must be an admin"))


class PlainDateField(DateField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(_l("Enter a real date, like 2025-03-31")) from error


class AuditSearchForm(FlaskForm):
    """The audit log's search: every field optional. A GET form, so no CSRF token."""

    class Meta:
        csrf = False

    action = PlainSelectField(_l("What was done"), choices=[], choice_message=_l("Choose one of the actions shown"))
    who = StringField(
        _l("Who did it (email address)"),
        filters=[strip_spaces],
        validators=[Optional(), Length(max=254, message=_l("Email address must be 254 characters or fewer"))],
    )
    person = StringField(
        _l("Person id"),
        filters=[strip_spaces],
        validators=[Optional(), Length(max=12, message=_l("Enter a person id as a number, like 42"))],
    )
    start = PlainDateField(_l("From"), validators=[Optional()], format="%Y-%m-%d")
    end = PlainDateField(_l("To"), validators=[Optional()], format="%Y-%m-%d")

    def __init__(self, *args, actions: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.action.choices = [SelectChoice("", _l("Any action")),
                               *(SelectChoice(action, words) for action, words in actions.items())]

    def validate_person(self, field) -> None:
        if field.data and not (field.data.isascii() and field.data.isdigit() and len(field.data) <= 12):
            raise ValidationError(_l("Enter a person id as a number, like 42"))

    def validate_end(self, field) -> None:
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError(_l("The 'to' date must be the same as or after the 'from' date"))

    @property
    def person_id(self) -> int | None:
        if not (self.person.data and self.person.data.isascii() and self.person.data.isdigit()):
            return None
        return int(self.person.data)


class NewStaffForm(StaffIdentityForm, StaffRoleForm):
    """A new staff member: who they are and what they do."""
