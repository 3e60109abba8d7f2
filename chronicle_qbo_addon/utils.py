"""Small helpers the models, wizards and controllers share: checks of what a person typed, the
notifications buttons return, and the messages a person reads about a QuickBooks failure."""
import ipaddress
from urllib.parse import urlsplit

from odoo import models
from odoo.exceptions import UserError, ValidationError

from .const import REALM_ID_PATTERN


class RealmMismatch(UserError):
    """An authorization code was exchanged for another company file than the Realm ID given."""

    def __init__(self, message, tokens):
        super().__init__(message)
        self.tokens = tokens


def check_local_base_url(env, url):
    """A local sandbox runs on this machine: its URL must name a loopback address.

    :raise ValidationError: for any other URL
    """
    parts = urlsplit((url or "").strip())
    host = parts.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if parts.scheme not in ("http", "https") or not loopback:
        raise ValidationError(
            env._(
                "The local sandbox URL must be an http address on this machine, such as "
                "http://127.0.0.1:8765 (got %(url)s).",
                url=url or "",
            )
        )


def check_realm_id(env, realm_id):
    """:raise UserError: unless the Realm ID is ASCII digits, as Intuit gives it."""
    if not REALM_ID_PATTERN.fullmatch(realm_id or ""):
        raise UserError(
            env._(
                "The Realm ID is the company ID Intuit shows with the authorization code: "
                "digits only, such as 9341453050298551."
            )
        )


def notification(kind, title, message, next_action=None):
    """A notification for the person, then ``next_action`` (default: reload the screen)."""
    return {
        "type": "ir.actions.client",
        "tag": "display_notification",
        "params": {
            "type": kind,
            "title": title,
            "message": message,
            "sticky": kind == "danger",
            "next": next_action or {"type": "ir.actions.client", "tag": "soft_reload"},
        },
    }


def error_message(env, error):
    """What a person reads about a QuickBooks failure: translated where its code is known, with
    the id Intuit support asks for.

    :param error: a :class:`..services.errors.QboError`
    """
    known = {
        "3001": env._("QuickBooks asked the bridge to slow down (too many requests); it tries again later."),
    }
    message = known.get(error.code) or error.message or str(error)
    if error.intuit_tid:
        return env._("%(message)s (intuit_tid: %(tid)s)", message=message, tid=error.intuit_tid)
    return message


def stored_value(record, name):
    """A field's value as ``write`` takes it: a relation's id (or False), else the value."""
    value = record[name]
    if isinstance(value, models.BaseModel):
        return value.id or False
    return value
