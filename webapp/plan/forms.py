"""The care and support plan form staff fill in with the person."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from webapp.auth.forms import strip_spaces
from webapp.goals.forms import PlainDateField, TodayAwareForm, not_in_the_past


class CarePlanForm(TodayAwareForm):
    what_matters = TextAreaField(
        _l("What matters to them"),
        description=_l("In their own words, as far as you can."),
        filters=[strip_spaces],
        validators=[Optional(), Length(max=2000, message=_l("Keep it to 2000 characters or fewer"))],
    )
    support_agreed = TextAreaField(
        _l("Support agreed"),
        description=_l("What the team, other services and local groups will do, and what they will do themselves."),
        filters=[strip_spaces],
        validators=[Optional(), Length(max=5000, message=_l("Keep it to 5000 characters or fewer"))],
    )
    contacts = TextAreaField(
        _l("Who to contact"),
        description=_l("Names, roles and phone numbers. Put each person on a new line."),
        filters=[strip_spaces],
        validators=[Optional(), Length(max=2000, message=_l("Keep it to 2000 characters or fewer"))],
    )
    review_on = PlainDateField(
        _l("When will the plan be reviewed?"),
        description=_l("For example, in 3 months."),
        validators=[InputRequired(message=_l("Enter the date the plan will be reviewed")), not_in_the_past],
        format="%Y-%m-%d",
    )
