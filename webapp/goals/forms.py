"""Forms for setting goals and checking in. Limits keep plans short enough to read on a phone."""

from __future__ import annotations

import uuid as uuid_module
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from webapp.auth.forms import strip_spaces
from webapp.models import CheckInOutcome, NextStep
from webapp.services.goals import CheckInFields

RULER = [SelectChoice(str(n)) for n in range(0, 11)]


class PlainRadioField(RadioField):
    """Radio buttons whose "not one of the choices" error is the field's own plain message."""

    def __init__(self, *args, choice_message=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.choice_message = choice_message

    def pre_validate(self, form):
        if self.data is not None and self.data not in {choice.value for choice in self.choices}:
            raise ValidationError(self.choice_message or _l("Choose one of the answers shown"))


class PlainDateField(DateField):
    """A date box whose error says what to type, in plain words."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(_l("Enter a real date")) from error


NOT_IN_THE_PAST = _l("Choose today or a date in the future")


def not_in_the_past(form, field) -> None:
    if field.data is not None and field.data < form.today:
        raise ValidationError(NOT_IN_THE_PAST)


class TodayAwareForm(FlaskForm):
    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today


class OwnWordsForm(FlaskForm):
    own_words = TextAreaField(
        _l("What would you like to work on?"),
        description=_l("Say it in your own words. It can be big or small."),
        filters=[strip_spaces],
        validators=[
            DataRequired(message=_l("Say what you would like to work on")),
            Length(max=500, message=_l("Keep it to 500 characters or fewer")),
        ],
    )


class PlanForm(TodayAwareForm):
    what = StringField(
        _l("What will you do?"),
        filters=[strip_spaces],
        validators=[DataRequired(message=_l("Say what you will do")),
                    Length(max=300, message=_l("Keep it to 300 characters or fewer"))],
    )
    how_much = StringField(_l("How much? (optional)"), description=_l("For example, 10 minutes, or to the end of the road."),
                           filters=[strip_spaces], validators=[Optional(), Length(max=200, message=_l("Keep it to 200 characters or fewer"))])
    when = StringField(_l("When? (optional)"), description=_l("For example, after lunch."),
                       filters=[strip_spaces], validators=[Optional(), Length(max=200, message=_l("Keep it to 200 characters or fewer"))])
    how_often = StringField(_l("How often? (optional)"), description=_l("For example, 3 days this week."),
                            filters=[strip_spaces], validators=[Optional(), Length(max=200, message=_l("Keep it to 200 characters or fewer"))])
    starts_on = PlainDateField(_l("From when?"), validators=[InputRequired(message=_l("Enter the date you will start")), not_in_the_past],
                          format="%Y-%m-%d")


class RatingForm(FlaskForm):
    importance = PlainRadioField(_l("How important is this to you?"), choices=RULER,
                            choice_message=_l("Choose a number from 0 to 10"),
                            description=_l("0 means not at all important, 10 means very important."),
                            validators=[InputRequired(message=_l("Choose a number from 0 to 10"))])
    confidence = PlainRadioField(_l("How sure are you that you can do it?"), choices=RULER,
                            choice_message=_l("Choose a number from 0 to 10"),
                            description=_l("0 means not at all sure, 10 means completely sure."),
                            validators=[InputRequired(message=_l("Choose a number from 0 to 10"))])


class InTheWayForm(FlaskForm):
    in_the_way = TextAreaField(_l("What might get in the way?"),
                               description=_l("Naming it is the first step to getting round it."),
                               filters=[strip_spaces],
                               validators=[DataRequired(message=_l("Say what might get in the way")),
                                           Length(max=500, message=_l("Keep it to 500 characters or fewer"))])


class CommitForm(TodayAwareForm):
    check_in_on = PlainDateField(_l("When shall we ask how it went?"),
                            description=_l("Pick a day soon. A few days to a week works well."),
                            validators=[InputRequired(message=_l("Enter a date to check in")), not_in_the_past],
                            format="%Y-%m-%d")


class CheckInForm(TodayAwareForm):
    # Made when the form is shown (and again by the page's script for each form it shows), so a
    # form sent twice is stored once. Anything that is not a UUID is ignored: a new one is used.
    uuid = HiddenField(default=lambda: str(uuid_module.uuid4()))
    outcome = PlainRadioField(_l("How did it go?"), choices=[
        SelectChoice(CheckInOutcome.DONE.value, _l("I did it")),
        SelectChoice(CheckInOutcome.PARTLY.value, _l("I did some of it")),
        SelectChoice(CheckInOutcome.NOT_YET.value, _l("Not yet")),
    ], validators=[InputRequired(message=_l("Say how it went"))])
    helped = TextAreaField(_l("What helped? (optional)"), filters=[strip_spaces],
                           validators=[Optional(), Length(max=1000, message=_l("Keep it to 1000 characters or fewer"))])
    got_in_the_way = TextAreaField(_l("What got in the way? (optional)"), filters=[strip_spaces],
                                   validators=[Optional(), Length(max=1000, message=_l("Keep it to 1000 characters or fewer"))])
    confidence = PlainRadioField(_l("How sure are you now that you can keep going?"), choices=RULER,
                            choice_message=_l("Choose a number from 0 to 10"),
                            description=_l("0 means not at all sure, 10 means completely sure."),
                            validators=[InputRequired(message=_l("Choose a number from 0 to 10"))])
    next_step = PlainRadioField(_l("What next?"), choices=[
        SelectChoice(NextStep.KEEP.value, _l("Keep going with this")),
        SelectChoice(NextStep.SMALLER.value, _l("Make it smaller")),
        SelectChoice(NextStep.BIGGER.value, _l("Take a bigger step")),
        SelectChoice(NextStep.STOP.value, _l("Stop this goal")),
    ], validators=[InputRequired(message=_l("Choose what to do next"))])
    next_check_in_on = PlainDateField(_l("If you keep going: when shall we ask again?"), validators=[Optional(), not_in_the_past],
                                 format="%Y-%m-%d")
    KEEP_NEEDS_A_DATE = _l("Enter a date to check in again")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        field = self.next_check_in_on
        if self.next_step.data == NextStep.KEEP.value and field.data is None and not field.errors:
            field.errors = [*field.errors, self.KEEP_NEEDS_A_DATE]
            return False
        return valid

    def client_uuid(self) -> uuid_module.UUID | None:
        try:
            return uuid_module.UUID(str(self.uuid.data or ""))
        except ValueError:
            return None

    def fields(self) -> CheckInFields:
        """What was given, once the form is valid."""
        return CheckInFields(
            outcome=CheckInOutcome(self.outcome.data), helped=self.helped.data or None,
            got_in_the_way=self.got_in_the_way.data or None, confidence=int(self.confidence.data),
            next_step=NextStep(self.next_step.data), next_check_in_on=self.next_check_in_on.data)

    def messages_for_offline(self) -> dict[str, str]:
        """The messages a phone shows for a missing answer when it checks the form without a
        signal (the server checks everything again when the check-in arrives)."""
        return {
            "outcome": str(self.outcome.validators[0].message),
            "confidence": str(self.confidence.validators[0].message),
            "next_step": str(self.next_step.validators[0].message),
            "next_check_in_on": str(self.KEEP_NEEDS_A_DATE),
            "in_the_past": str(NOT_IN_THE_PAST),
        }
