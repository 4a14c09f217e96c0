from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import DataRequired


class ConsentForm(FlaskForm):
    """The person agrees, in so many words, to share their record with one team. The label
    names the team, so it is set when the form is made."""

    agree = BooleanField(validators=[DataRequired(message=_l("Tick the box if you agree to share your record"))])

    def __init__(self, team_name: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.agree.label.text = _l("I agree to share my Capable record with %(team)s", team=team_name)


class StopSharingForm(FlaskForm):
    """Only the CSRF token: stopping is a POST."""
