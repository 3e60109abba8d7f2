"""The HTML of Intuit's consent flow: sign in, text-message check, choose a company,
and the page that hands the authorization code back to the app.

Element ids and form field names are stable so tests can drive the pages with plain
HTTP; the look only hints at Intuit's.
"""

from html import escape

_STYLE = """
body{font-family:Avenir,Helvetica,Arial,sans-serif;background:#f4f5f8;margin:0;color:#393a3d}
header{background:#2ca01c;color:#fff;padding:14px 24px;font-size:18px}
header small{opacity:.85;margin-left:8px}
main{max-width:440px;margin:40px auto;background:#fff;border-radius:8px;padding:28px 32px;
box-shadow:0 2px 8px rgba(0,0,0,.08)}
h1{font-size:22px;margin-top:0}
label{display:block;margin:14px 0 4px;font-weight:600}
input[type=email],input[type=password],input[type=text]{width:100%;box-sizing:border-box;padding:10px;
border:1px solid #babec5;border-radius:4px;font-size:15px}
button{margin-top:20px;padding:10px 22px;border:0;border-radius:4px;font-size:15px;cursor:pointer;
background:#0077c5;color:#fff}
button.secondary{background:#fff;color:#0077c5;border:1px solid #0077c5;margin-left:8px}
.error{background:#fdecea;color:#a32016;padding:10px;border-radius:4px}
.sandbox-note{background:#fff8e1;border:1px dashed #e0a800;padding:10px;border-radius:4px;font-size:14px}
.company{display:block;font-weight:400;margin:8px 0}
code.big{display:block;font-size:15px;word-break:break-all;background:#f4f5f8;padding:10px;border-radius:4px}
ul.scopes{padding-left:20px}
"""


def _page(title, body, script=""):
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
        "<header>intuit <small>QuickBooks Online &middot; local sandbox</small></header>"
        f"<main>{body}</main>{script}</body></html>"
    )


def _error(message):
    return f'<p class="error" id="error">{escape(message)}</p>' if message else ""


def error_page(title, message):
    return _page(title, f'<h1>{escape(title)}</h1><p class="error" id="error">{escape(message)}</p>')


def signin_page(consent_id, app_name, error=None, email=""):
    body = (
        "<h1>Sign in</h1>"
        f"<p>One account for everything Intuit. <strong>{escape(app_name)}</strong> wants to connect.</p>"
        f"{_error(error)}"
        '<form id="signin-form" method="post" action="/connect/oauth2/signin">'
        f'<input type="hidden" name="consent" value="{escape(consent_id)}">'
        f'<label for="email">Email or user ID</label><input type="email" id="email" name="email" '
        f'value="{escape(email)}" required autofocus>'
        '<label for="password">Password</label><input type="password" id="password" name="password" required>'
        '<button type="submit">Sign in</button></form>'
        '<p class="sandbox-note">Sandbox users: owner@blueridge.example and bookkeeper@summit.example, '
        "password <code>sandbox</code>.</p>"
    )
    return _page("Sign in - Intuit", body)


def verify_page(consent_id, masked_phone, sandbox_code, error=None):
    body = (
        "<h1>Let's make sure it's you</h1>"
        f'<p>We texted a 6-digit code to <strong id="masked-phone">{escape(masked_phone)}</strong>. '
        "Enter it below.</p>"
        f"{_error(error)}"
        '<form id="verify-form" method="post" action="/connect/oauth2/verify">'
        f'<input type="hidden" name="consent" value="{escape(consent_id)}">'
        '<label for="code">Verification code</label>'
        '<input type="text" id="code" name="code" inputmode="numeric" maxlength="6" required autofocus>'
        '<button type="submit">Continue</button></form>'
        '<p class="sandbox-note" id="sandbox-sms">Sandbox only: no text message is sent. The code is '
        f'<code id="sandbox-sms-code">{escape(sandbox_code)}</code> (also at GET /_sandbox/sms).</p>'
    )
    return _page("Verify your identity - Intuit", body)


def company_page(consent_id, app_name, user_name, companies, scopes, stay, error=None):
    choices = "".join(
        f'<label class="company"><input type="radio" name="realm_id" value="{escape(realm_id)}"'
        f"{' checked' if index == 0 else ''}> {escape(name)} <small>(Realm ID {escape(realm_id)})</small></label>"
        for index, (realm_id, name) in enumerate(companies)
    )
    granted = "".join(f"<li>{escape(label)}</li>" for label in scopes)
    body = (
        f"<h1>Connect {escape(app_name)}</h1>"
        f"<p>Signed in as <strong>{escape(user_name)}</strong>. Choose the company to connect.</p>"
        f"{_error(error)}"
        '<form id="consent-form" method="post" action="/connect/oauth2/consent">'
        f'<input type="hidden" name="consent" value="{escape(consent_id)}">{choices}'
        f'<p>{escape(app_name)} will be able to use:</p><ul class="scopes">{granted}</ul>'
        f'<label class="company"><input type="checkbox" name="stay" value="1"{" checked" if stay else ""}> '
        "Stay on this page and show the authorization code to copy</label>"
        '<button type="submit" name="action" value="connect" id="connect">Connect</button>'
        '<button type="submit" name="action" value="cancel" class="secondary" id="cancel">Cancel</button>'
        "</form>"
    )
    return _page("Choose a company - Intuit", body)


def connected_page(code, realm_id, company_name, redirect_url, stay):
    script = (
        ""
        if stay
        else (
            "<script>setTimeout(function(){window.location.href="
            "document.getElementById('return-to-app').href;},2000);</script>"
        )
    )
    body = (
        f"<h1>Connected to {escape(company_name)}</h1>"
        "<p>Copy these values into the app if it does not receive them by itself.</p>"
        "<label>Authorization code</label>"
        f'<code class="big" id="auth-code">{escape(code)}</code>'
        "<label>Realm ID</label>"
        f'<code class="big" id="realm-id">{escape(realm_id)}</code>'
        f'<p><a id="return-to-app" href="{escape(redirect_url)}">Return to the app</a>'
        f"{'' if stay else ' (automatically in 2 seconds)'}</p>"
        '<p class="sandbox-note">The code is valid once, for 5 minutes of sandbox time.</p>'
    )
    return _page("Connected - Intuit", body, script)
