from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from webapp.services.accounts import MIN_PASSWORD_LENGTH, is_common_password


def strip_spaces(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class SignUpForm(FlaskForm):
    display_name = StringField(
        _l("What should we call you? (optional)"),
        filters=[strip_spaces],
        validators=[Optional(), Length(max=80, message=_l("Name must be 80 characters or fewer"))],
    )
    email = EmailField(
        _l("Email address"),
        filters=[strip_spaces],
        validators=[
            DataRequired(message=_l("Enter your email address")),
            Length(max=254, message=_l("Email address must be 254 characters or fewer")),
            Email(message=_l("Enter an email address in the right format, like name@example.com"),
                  check_deliverability=False),
        ],
    )
    password = PasswordField(
        _l("Create a password"),
        description=_l("Use at least %(count)s characters. A few words together are easy to remember.",
                       count=MIN_PASSWORD_LENGTH),
        validators=[
            DataRequired(message=_l("Create a password")),
            Length(min=MIN_PASSWORD_LENGTH, max=200,
                   message=_l("Password must be between %(min)s and 200 characters", min=MIN_PASSWORD_LENGTH)),
        ],
    )
    confirm = PasswordField(
        _l("Type your password again"),
        validators=[
            DataRequired(message=_l("Type your password again")),
            EqualTo("password", message=_l("The passwords do not match")),
        ],
    )


    def validate_password(self, field) -> None:
        if is_common_password(field.data):
            raise ValidationError(_l("This password is too easy to guess. Try three or four words that mean something to you."))
        if self.email.data and field.data.strip().lower() == self.email.data.strip().lower():
            raise ValidationError(_l("Your password cannot be your email address"))


class SignInForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        filters=[strip_spaces],
        validators=[DataRequired(message=_l("Enter your email address")), Length(max=254)],
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("Enter your password")), Length(max=200)],
    )


class SignOutForm(FlaskForm):
    """Only the CSRF token: signing out is a POST."""


class DeleteAccountForm(FlaskForm):
    password = PasswordField(
        _l("Your password"),
        description=_l("So we know it is really you."),
        validators=[DataRequired(message=_l("Enter your password")), Length(max=200)],
    )
    understood = BooleanField(
        _l("I understand that this deletes my account and all my answers, results and goals, and cannot be undone"),
        validators=[DataRequired(message=_l("Tick the box to say you understand"))],
    )
