from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from webapp.services.accounts import MIN_PASSWORD_LENGTH, is_common_password


def strip_spaces(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def new_password_field(label, *, required):
    """A new password, with the same length rules wherever one is chosen."""
    return PasswordField(
        label,
        description=_l("Use at least %(count)s characters. A few words together are easy to remember.",
                       count=MIN_PASSWORD_LENGTH),
        validators=[
            DataRequired(message=required),
            Length(min=MIN_PASSWORD_LENGTH, max=200,
                   message=_l("Password must be between %(min)s and 200 characters", min=MIN_PASSWORD_LENGTH)),
        ],
    )


def confirm_password_field(label, *, mismatch):
    """The new password typed again; must match the ``password`` field."""
    return PasswordField(label, validators=[DataRequired(message=label), EqualTo("password", message=mismatch)])


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
    password = new_password_field(_l("Create a password"), required=_l("Create a password"))
    confirm = confirm_password_field(_l("Type your password again"), mismatch=_l("The passwords do not match"))

    def validate_password(self, field) -> None:
        check_new_password(field.data, self.email.data)


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


def check_new_password(password: str, email: str | None) -> None:
    """What sign-up asks of a password: not a common one, and not the email address."""
    if is_common_password(password):
        raise ValidationError(_l("This password is too easy to guess. Try three or four words that mean something to you."))
    if email and password.strip().lower() == email.strip().lower():
        raise ValidationError(_l("Your password cannot be your email address"))


class ChangePasswordForm(FlaskForm):
    current = PasswordField(
        _l("Your current password"),
        validators=[DataRequired(message=_l("Enter your current password")), Length(max=200)],
    )
    password = new_password_field(_l("New password"), required=_l("Create a new password"))
    confirm = confirm_password_field(_l("Type your new password again"),
                                     mismatch=_l("The new passwords do not match"))

    def __init__(self, *args, email: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.account_email = email

    def validate_password(self, field) -> None:
        check_new_password(field.data, self.account_email)
        if self.current.data and field.data == self.current.data:
            raise ValidationError(_l("Your new password must be different from your current one"))


class SignInCodeForm(FlaskForm):
    code = StringField(
        _l("Code"),
        description=_l("The 6-digit code from your authenticator app, or one of your recovery codes."),
        filters=[strip_spaces],
        validators=[DataRequired(message=_l("Enter the code from your authenticator app")),
                    Length(max=40, message=_l("Enter the 6-digit code from your authenticator app"))],
    )


class TwoFactorSetupForm(FlaskForm):
    code = StringField(
        _l("Code from your app"),
        description=_l("Type the 6-digit code your authenticator app shows now."),
        filters=[strip_spaces],
        validators=[DataRequired(message=_l("Enter the 6-digit code from your authenticator app")),
                    Length(max=20, message=_l("Enter the 6-digit code from your authenticator app"))],
    )


class TwoFactorOffForm(FlaskForm):
    password = PasswordField(
        _l("Your password"),
        description=_l("So we know it is really you."),
        validators=[DataRequired(message=_l("Enter your password")), Length(max=200)],
    )
