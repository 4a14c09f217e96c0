"""How the suggestion engine's reasons are said to the person (translatable)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.domain.goals import Reason

BLOCKS = {
    "ownership": _l("believing your actions make a difference"),
    "knowhow": _l("knowing about your health"),
    "acting": _l("taking action"),
    "sustaining": _l("keeping going"),
}
BARRIERS = {
    "money": _l("money"),
    "transport": _l("transport"),
    "health": _l("your health"),
    "caring": _l("caring for someone"),
    "housing": _l("your home or housing"),
    "work": _l("work"),
    "discrimination": _l("being treated unfairly"),
    "confidence": _l("confidence"),
    "information": _l("not knowing what help is out there"),
    "other": _l("something else"),
}


def in_sentence(label: object) -> str:
    """ "My health and body" -> "my health and body" inside a sentence (but "NHS" stays)."""
    text = str(label)
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def reason_text(reason: Reason) -> str:
    params = reason.params
    domain = in_sentence(params.get("domain_label", ""))
    if reason.code == "matters_little_freedom":
        return _("You said %(domain)s matters a lot to you, and you feel little free to do it.", domain=domain)
    if reason.code == "outside_barrier":
        barrier = params.get("barrier")
        if barrier:
            return _("You said %(domain)s matters a lot to you, and %(barrier)s makes it hard. Support may help.",
                     domain=domain, barrier=BARRIERS.get(str(barrier), str(barrier)))
        return _("You said %(domain)s matters a lot to you, and things outside your control make it hard. Support may help.",
                 domain=domain)
    if reason.code == "matters_a_lot":
        return _("You said %(domain)s matters a lot to you.", domain=domain)
    if reason.code == "lowest_block":
        return _("This builds on %(block)s, the area with most room to grow.",
                 block=BLOCKS.get(str(params.get("block")), params.get("block")))
    if reason.code == "block_to_grow":
        return _("This builds on %(block)s.", block=BLOCKS.get(str(params.get("block")), params.get("block")))
    if reason.code == "stage_fit":
        return _("A step that fits where you are now.") if params.get("stage") is not None else _("A small first step, as a place to start.")
    if reason.code == "bigger_after_success":
        return _("You managed \u201c%(previous)s\u201d, so this is a next, bigger step.", previous=params.get("previous_text", ""))
    if reason.code == "smaller_after_difficulty":
        return _("\u201c%(previous)s\u201d was hard going, so this is a smaller step.", previous=params.get("previous_text", ""))
    if reason.code == "what_matters":
        return _("It links to what you said matters to you.")
    return ""
