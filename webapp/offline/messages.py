"""Every string the offline scripts (``static/app/offline/*.js``) show to a person, from the
translation catalogue, for ``GET /offline/messages.json``.

The strings are written here with ``gettext``/``ngettext`` so that ``pybabel extract`` (see
``webapp/babel.cfg``) finds them. Placeholders are left for the script as ``{name}``. A message
with a count is sent as its plural forms keyed by CLDR plural category (``one``, ``few``,
``other``...), each worked out by ``ngettext`` for a number in that category, so the script picks
the form with ``Intl.PluralRules``, as the catalogue would.

``static/app/offline/messages_en.js`` holds the same messages in English, for a page that cannot
load them; ``python -m webapp.offline.messages`` writes it again (a test checks it is current).
"""

from __future__ import annotations

import json
from collections.abc import Callable

from babel import Locale
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import ngettext

FALLBACK_GLOBAL = "CapableMessagesEnglish"


def plural_forms(make: Callable[[int], str]) -> dict[str, str]:
    """``make(n)`` for one whole number in each plural category of the current locale."""
    locale = get_locale() or Locale.parse("en_GB")
    rule = locale.plural_form
    forms: dict[str, str] = {}
    for category in sorted(rule.tags | {"other"}):
        sample = next((n for n in range(0, 1001) if rule(n) == category), None)
        if sample is not None:  # some categories hold only fractions; counts are whole numbers
            forms[category] = make(sample)
    return forms


def offline_messages() -> dict[str, str | dict[str, str]]:
    """The messages, keyed as the scripts ask for them (``msg("key")``, ``msgPlural("key", n)``)."""
    return {
        # client.js: the banner with the count of answers waiting on this phone
        "banner.unsent": plural_forms(lambda n: ngettext(
            "%(count)s set of answers is saved on this phone and not sent yet.",
            "%(count)s sets of answers are saved on this phone and not sent yet.", n, count="{count}")),
        "banner.sign_in_again": _("Sign in again to send them."),
        "banner.when_online": _("They will be sent when you are online."),
        "banner.sending": _("Sending when we can reach Capable."),
        "banner.stuck": plural_forms(lambda n: ngettext(
            "%(count)s of them could not be accepted and needs you to look at it.",
            "%(count)s of them could not be accepted and need you to look at them.", n, count="{count}")),
        "banner.see_saved": _("See answers saved on this phone"),
        "banner.send_now": _("Send now"),
        # client.js: a new version of the app
        "update.title": _("Update available"),
        "update.text": _("A new version of Capable is ready. Your answers saved on this phone are kept."),
        "update.button": _("Update now"),
        # client.js: signing out with answers not sent
        "sign_out.title": _("Your answers have not been sent"),
        "sign_out.count": plural_forms(lambda n: ngettext(
            "%(count)s set of answers is saved on this phone and has not been sent.",
            "%(count)s sets of answers are saved on this phone and have not been sent.", n, count="{count}")),
        "sign_out.warning": _("If you sign out now, they are deleted from this phone. "
                              "Stay signed in and go online to send them first."),
        "sign_out.see": _("See the answers that have not been sent"),
        "sign_out.stay": _("Stay signed in"),
        "sign_out.delete": _("Sign out and delete them"),
        # outbox_page.js: the list of answers saved on this phone
        "outbox.nothing": _("Nothing is waiting to be sent."),
        "outbox.waiting": plural_forms(lambda n: ngettext(
            "%(count)s set of answers is waiting to be sent.",
            "%(count)s sets of answers are waiting to be sent.", n, count="{count}")),
        "outbox.item_title": _("%(title)s, %(date)s", title="{title}", date="{date}"),
        "outbox.state_waiting": _("Waiting to be sent. It will be sent when you are online."),
        "outbox.state_signed_out": _("Not sent: sign in again to send it."),
        "outbox.state_conflict": _("Not accepted: different answers were already sent with this id. "
                                   "Download it and talk to your care team before deleting it."),
        "outbox.state_rejected": _("Not accepted: these answers do not fit the questionnaire any more. "
                                   "Download them and talk to your care team before deleting them."),
        "outbox.check_in_conflict": _("Not accepted: this check-in could not be added to the goal. "
                                      "Download it and talk to your care team before deleting it."),
        "outbox.check_in_rejected": _("Not accepted: this check-in does not fit the goal any more. "
                                      "Download it and talk to your care team before deleting it."),
        "outbox.not_answered": _("Not answered"),
        "outbox.view": _("View the answers"),
        "outbox.download": _("Download as a file"),
        "outbox.delete": _("Delete from this phone"),
        "outbox.results_sent": _("Results sent %(date)s", date="{date}"),
        "outbox.check_in_sent": _("Check-in sent %(date)s", date="{date}"),
        # pager.js: the offline questionnaire (its other words are in the page itself)
        "pager.error_prefix": _("Error:"),
        "pager.saved_to_account": _("Your answers are also saved to your account, so you can carry on "
                                    "on another device."),
    }


def locale_tag(locale: Locale | str) -> str:
    """en_GB -> en-GB, as HTML's lang attribute, Intl and the messages URL write it."""
    return str(locale).replace("_", "-")


def english_fallback_source() -> str:
    """The text of ``static/app/offline/messages_en.js`` (call inside an English request)."""
    body = json.dumps({"locale": "en-GB", "messages": offline_messages()}, ensure_ascii=False, indent=2, sort_keys=True)
    return (
        "// The offline scripts' messages in English, used only when /offline/messages.json cannot be\n"
        "// loaded. Made from the translation catalogue by `python -m webapp.offline.messages`; do not edit.\n"
        f"window.{FALLBACK_GLOBAL} = {body};\n"
    )


if __name__ == "__main__":  # pragma: no cover - a maintenance command
    import sys

    from flask_babel import force_locale

    from webapp import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_ENGINES": {"default": "sqlite://"}, "DEMO_DATA": False})
    with app.test_request_context(), force_locale("en_GB"):
        sys.stdout.write(english_fallback_source())
