"""Walk the sandbox's consent pages over plain HTTP, the way a person's browser does.

Tests, the demo and the browser tests use it to play the person at Intuit's sign-in: open the
authorize URL the app produced, sign in, type the texted code when asked (read off the page's
"sandbox only" note, as a person reads their phone), choose the company and press Connect.
"""

from html.parser import HTMLParser
from urllib.parse import urljoin

import requests

SANDBOX_PASSWORD = "sandbox"


class Page(HTMLParser):
    """Just enough of an HTML page: forms and their fields, texts and links by element id."""

    def __init__(self, text):
        super().__init__()
        self.forms, self.by_id, self.links, self._open = {}, {}, {}, []
        self._form = None
        self.text = text
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"action": attrs["action"], "fields": {}, "radios": [], "checkboxes": []}
            self.forms[attrs["id"]] = self._form
        elif tag == "input" and self._form is not None:
            kind = attrs.get("type", "text")
            if kind == "radio":
                self._form["radios"].append((attrs["name"], attrs["value"]))
            elif kind == "checkbox":
                self._form["checkboxes"].append((attrs["name"], attrs["value"], "checked" in attrs))
            else:
                self._form["fields"][attrs["name"]] = attrs.get("value", "")
        if tag == "a" and "id" in attrs:
            self.links[attrs["id"]] = attrs["href"]
        if "id" in attrs:
            self._open.append((tag, attrs["id"]))
            self.by_id.setdefault(attrs["id"], "")
        else:
            self._open.append((tag, None))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        while self._open:
            opened, _ = self._open.pop()
            if opened == tag:
                break

    def handle_data(self, data):
        for _, element_id in self._open:
            if element_id:
                self.by_id[element_id] += data


def submit(browser, base, page, form_id, **values):
    """Post one of the page's forms with its hidden fields and the given values."""
    form = page.forms[form_id]
    data = dict(form["fields"], **values)
    return browser.post(urljoin(base, form["action"]), data=data, allow_redirects=False, timeout=10)


def sign_in(authorize_url, email, realm_id=None, password=SANDBOX_PASSWORD, timeout=10):
    """Go through sign-in, the text-message check when it comes, and the company choice.

    :param authorize_url: the URL the app opened for "Get authorization code"
    :param email: a seeded sandbox user
    :param realm_id: the company to connect (default: the first one offered)
    :return: dict with ``code``, ``realm_id`` and ``redirect_url`` (the app's redirect URI with
        code, state and realmId), as the final page shows them
    :raise RuntimeError: when a page is not the one expected, with that page's error text
    """
    browser = requests.Session()
    response = browser.get(authorize_url, timeout=timeout)
    page = Page(response.text)
    _expect(page, "signin-form")
    page = Page(submit(browser, response.url, page, "signin-form", email=email, password=password).text)
    if "verify-form" in page.forms:
        texted = page.by_id.get("sandbox-sms-code", "").strip()
        page = Page(submit(browser, response.url, page, "verify-form", code=texted).text)
    _expect(page, "consent-form")
    offered = [value for name, value in page.forms["consent-form"]["radios"] if name == "realm_id"]
    chosen = realm_id or offered[0]
    done = Page(submit(browser, response.url, page, "consent-form", realm_id=chosen, action="connect", stay="1").text)
    if "auth-code" not in done.by_id:
        raise RuntimeError("Intuit's consent did not end on the code page: %s" % done.by_id.get("error", done.text[:200]))
    return {
        "code": done.by_id["auth-code"].strip(),
        "realm_id": done.by_id["realm-id"].strip(),
        "redirect_url": done.links["return-to-app"],
    }


def _expect(page, form_id):
    if form_id not in page.forms:
        raise RuntimeError("Expected Intuit's %s, got: %s" % (form_id, page.by_id.get("error", page.text[:200])))
