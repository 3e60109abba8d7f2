import logging
import time

import psycopg2
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from ..const import (
    ACCESS_TOKEN_MARGIN,
    CALLBACK_PATH,
    DEFAULT_LOCAL_BASE_URL,
    ENDPOINT_FIELDS,
    PARAM_CLIENT_ID,
    PARAM_CLIENT_SECRET,
    PARAM_ENABLED,
    PARAM_LOCAL_BASE_URL,
    REFRESH_TOKEN_MARGIN,
    TOKEN_LOCK_TIMEOUT_MS,
    TOKEN_STORE_ATTEMPTS,
)

from ..services.client import (
    INTERACTIVE_RETRIES,
    INTERACTIVE_TIMEOUT,
    QboApp,
    QboAuthError,
    QboClient,
    QboError,
    QboTokens,
)
from ..services.mapping import (
    CUSTOMER_TEMPLATE_FIELDS,
    JOB_TEMPLATE_FIELDS,
    check_template,
    qb_version_from_company_info,
)
from ..services.ratelimit import RateLimiter
from ..utils import RealmMismatch, check_local_base_url, error_message, notification

_logger = logging.getLogger(__name__)

class QboCompany(models.Model):
    """One QuickBooks Online company file connected to this database."""

    _name = "qbo.company"
    _description = "QuickBooks Online Company"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "sequence, name, id"
    _check_company_auto = True

    name = fields.Char(
        required=True,
        tracking=True,
        help="The name this company file goes by here; it does not have to be the QuickBooks file's name.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    qb_version = fields.Selection(
        [
            ("simple_start", "Simple Start"),
            ("essentials", "Essentials"),
            ("plus", "Plus"),
            ("advanced", "Advanced"),
        ],
        string="QB Version",
        required=True,
        default="plus",
        help="The QuickBooks Online edition this company file is subscribed to.",
    )
    environment = fields.Selection(
        [("production", "Production"), ("sandbox", "Intuit sandbox"), ("local", "Local sandbox")],
        required=True,
        default="production",
        help="Production for real company files; Intuit sandbox for Intuit developer sandbox "
        "companies; Local sandbox for the bundled emulator.",
    )
    local_base_url = fields.Char(
        string="Local sandbox URL",
        default=lambda self: self._qbo_local_base_url_setting(),
        help="Base URL of the local QuickBooks sandbox (python -m qbo_sandbox); a system "
        "administrator sets it in Settings > QuickBooks.",
    )
    realm_id = fields.Char(
        string="Realm ID",
        copy=False,
        index=True,
        readonly=True,
        help="The company ID Intuit assigned to the company file (Account and Settings > "
        "Billing & Subscription in QuickBooks Online).",
    )
    state = fields.Selection(
        [
            ("draft", "Not connected"),
            ("connected", "Connected"),
            ("needs_reauth", "Needs reconnection"),
            ("disconnected", "Disconnected"),
        ],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
    )
    jobs_only = fields.Boolean(
        string="Push jobs only",
        tracking=True,
        help="Only push customers and jobs to this company file; otherwise the whole bridge runs "
        "(the push, then the nightly pull of costs and revenue).",
    )
    qbo_detected_version = fields.Selection(
        selection=lambda self: self._fields["qb_version"].selection,
        string="Edition at Intuit",
        readonly=True,
        copy=False,
        help="The edition Intuit's CompanyInfo names (OfferingSku), read at each connection.",
    )
    qbo_company_name = fields.Char(string="QuickBooks company name", readonly=True, copy=False)
    qbo_legal_name = fields.Char(string="Legal name", readonly=True, copy=False)
    connected_date = fields.Datetime(string="Connected on", readonly=True, copy=False)
    connected_uid = fields.Many2one("res.users", string="Connected by", readonly=True, copy=False)
    reauth_reason = fields.Text(string="Reason", readonly=True, copy=False)

    access_token = fields.Char(groups="base.group_system", copy=False)
    refresh_token = fields.Char(groups="base.group_system", copy=False)
    access_token_expires_at = fields.Datetime(string="Access token expires", readonly=True, copy=False)
    refresh_token_expires_at = fields.Datetime(string="Refresh token expires", readonly=True, copy=False)
    refresh_token_hard_expires_at = fields.Datetime(
        string="Refresh token hard expiry", readonly=True, copy=False
    )

    department_mapping_ids = fields.One2many(
        "qbo.department.mapping", "qbo_company_id", string="Associated departments"
    )
    department_count = fields.Integer(compute="_compute_department_count")
    customer_name_template = fields.Char(
        default="{customer} - {customer_ref}",
        required=True,
        help="QuickBooks display name of a customer. Fields: {customer}, {customer_ref}, "
        "{first_name}, {last_name}, {company_name}.",
    )
    job_name_template = fields.Char(
        default="{job_number} - {job_name}",
        required=True,
        help="QuickBooks display name of a job. Fields: {job_number}, {job_name}, {job_description}, "
        "{customer}, {customer_ref}. The job number always leads.",
    )

    _realm_uniq = models.UniqueIndex(
        "(realm_id) WHERE realm_id IS NOT NULL AND active IS TRUE",
        "This QuickBooks company file is already connected.",
    )

    @api.constrains("customer_name_template", "job_name_template")
    def _check_name_templates(self):
        for company in self:
            try:
                check_template(company.customer_name_template, CUSTOMER_TEMPLATE_FIELDS)
                check_template(company.job_name_template, JOB_TEMPLATE_FIELDS)
            except ValueError as error:
                raise ValidationError(str(error)) from error
            if not company.job_name_template.startswith("{job_number}"):
                raise ValidationError(
                    self.env._("The job name template starts with {job_number}: the job number always leads.")
                )

    @api.constrains("environment", "local_base_url")
    def _check_local_base_url(self):
        for company in self:
            if company.environment == "local":
                check_local_base_url(self.env, company.local_base_url)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._qbo_check_endpoint(vals.get("environment"), vals.get("local_base_url"))
        return super().create(vals_list)

    def write(self, vals):
        if any(
            name in vals and any(company[name] != vals[name] for company in self)
            for name in ENDPOINT_FIELDS
        ):
            self._qbo_check_system()
        return super().write(vals)

    @api.model
    def _qbo_check_endpoint(self, environment, local_base_url):
        """Where a new company's requests go: Intuit's own servers, or the local sandbox a system
        administrator set in Settings; any other server is a system administrator's call.

        :raise AccessError: otherwise
        """
        if environment != "local" or (local_base_url or "").rstrip("/") == self._qbo_local_base_url_setting():
            return
        self._qbo_check_system()

    @api.model
    def _qbo_check_system(self):
        """The endpoint decides where tokens and the app's keys are sent: a system administrator's call."""
        if not (self.env.su or self.env.is_system()):
            raise AccessError(
                self.env._(
                    "Only a system administrator can change where a QuickBooks company's requests "
                    "are sent (its environment, or a local sandbox URL other than the one in Settings)."
                )
            )

    @api.model
    def _qbo_local_base_url_setting(self):
        url = self.env["ir.config_parameter"].sudo().get_param(PARAM_LOCAL_BASE_URL) or DEFAULT_LOCAL_BASE_URL
        return url.rstrip("/")

    @api.depends("department_mapping_ids")
    def _compute_department_count(self):
        for company in self:
            company.department_count = len(company.department_mapping_ids)

    # === ACCESS === #

    def _qbo_check_access(self, group="chronicle_qbo_addon.group_qbo_manager", operation="write"):
        """Refuse a button or wizard before it reaches Intuit: the caller's group, the record's
        access rights and rules, and the caller's allowed companies.

        :raise AccessError: when the caller may not act on these companies
        """
        if self.env.su:
            return
        if not self.env.user.has_group(group):
            raise AccessError(self.env._("This needs the QuickBooks %s group.", self.env.ref(group).name))
        self.check_access(operation)
        foreign = self.filtered(lambda company: company.company_id not in self.env.companies)
        if foreign:
            raise AccessError(
                self.env._(
                    "QuickBooks company %(name)s belongs to %(company)s, which you are not working in.",
                    name=foreign[0].name,
                    company=foreign[0].company_id.name,
                )
            )

    # === CONFIGURATION === #

    @api.model
    def _qbo_is_enabled(self):
        return self.env["ir.config_parameter"].sudo().get_param(PARAM_ENABLED) == "True"

    @api.model
    def _qbo_redirect_uri(self):
        base_url = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        return base_url.rstrip("/") + CALLBACK_PATH

    def _qbo_app(self, environment=None, local_base_url=None):
        """Build the Intuit app client for this company's environment.

        :param environment: overrides the record's environment (the connect wizard has none yet)
        :param local_base_url: overrides the record's local sandbox URL
        :return: a :class:`QboApp`
        :raise UserError: when the Intuit app is not configured in Settings
        """
        params = self.env["ir.config_parameter"].sudo()
        client_id = params.get_param(PARAM_CLIENT_ID)
        client_secret = params.get_param(PARAM_CLIENT_SECRET)
        if not client_id or not client_secret:
            raise UserError(
                self.env._(
                    "Set the Intuit app's client ID and client secret in Settings > QuickBooks first."
                )
            )
        environment = environment or self.environment
        base_url = (local_base_url or self.local_base_url) if environment == "local" else None
        if environment == "local" and not base_url:
            raise UserError(self.env._("Set the URL of the local QuickBooks sandbox."))
        try:
            return QboApp(client_id, client_secret, self._qbo_redirect_uri(), environment, base_url=base_url)
        except QboError as error:
            raise UserError(error_message(self.env, error)) from error

    # === TOKENS === #

    def _qbo_tokens(self):
        self.ensure_one()
        company = self.sudo()
        if not company.refresh_token:
            return None
        return QboTokens(
            access_token=company.access_token,
            refresh_token=company.refresh_token,
            access_expires_at=company.access_token_expires_at,
            refresh_expires_at=company.refresh_token_expires_at,
            refresh_hard_expires_at=company.refresh_token_hard_expires_at,
        )

    @api.model
    def _qbo_token_values(self, tokens):
        return {
            "access_token": tokens.access_token,
            "refresh_token": tokens.refresh_token,
            "access_token_expires_at": tokens.access_expires_at,
            "refresh_token_expires_at": tokens.refresh_expires_at,
            "refresh_token_hard_expires_at": tokens.refresh_hard_expires_at,
        }

    def _qbo_store_tokens(self, tokens):
        """Persist tokens Intuit just returned, committed in a transaction of their own.

        Intuit rotates the refresh token's value and the old value stops working: a rotated token
        rolled back with the caller's work would lock the company out. The row is locked first,
        waiting for whoever holds it and trying again on a serialization failure, with a statement
        that carries no token; the tokens are written only once the row is held, so no failing
        statement (and no line Odoo logs about one) ever contains a token. Only a company the
        caller's transaction created, not committed yet, gets them in the caller's transaction.
        """
        self.ensure_one()
        values = self._qbo_token_values(tokens)
        for attempt in range(1, TOKEN_STORE_ATTEMPTS + 1):
            stored = self._qbo_store_tokens_apart(values)
            if stored is not None:
                break
            _logger.info(
                "QuickBooks company %s: its row is busy, storing the refreshed tokens again (%d/%d)",
                self.id, attempt, TOKEN_STORE_ATTEMPTS,
            )
            time.sleep(0.2 * attempt)
        else:
            _logger.warning(
                "QuickBooks company %s: the refreshed tokens could not be stored, its row stayed locked",
                self.id,
            )
        if stored is False:
            self.sudo().write(values)
        else:
            # This transaction's snapshot predates that commit: reading the row again would give
            # the old tokens back, so the cache takes the new ones.
            self.sudo()._update_cache(values, validate=False)

    def _qbo_store_tokens_apart(self, values):
        """One attempt of :meth:`_qbo_store_tokens` in a new transaction.

        :return: True when committed, False when the row is not committed yet, None when it
            stayed locked or changed under this transaction (try again)
        """
        with self.env.registry.cursor() as cr:
            try:
                cr.execute(SQL("SET LOCAL lock_timeout = %s", f"{TOKEN_LOCK_TIMEOUT_MS}ms"))
                cr.execute(
                    SQL("SELECT id FROM qbo_company WHERE id = %s FOR NO KEY UPDATE", self.id),
                    log_exceptions=False,
                )
            except (psycopg2.errors.LockNotAvailable, psycopg2.errors.SerializationFailure):
                cr.rollback()
                return None
            if not cr.fetchone():
                return False
            self.with_env(self.env(cr=cr)).sudo().write(values)
        return True

    def _qbo_client(self, interactive=False):
        """An Accounting API client for this company that persists every token it refreshes.

        :param interactive: a person waits for the answer: a short time-out and one retry
        :raise UserError: when the company is not connected
        """
        self.ensure_one()
        tokens = self._qbo_tokens()
        if self.state != "connected" or not tokens:
            raise UserError(
                self.env._("QuickBooks company %(name)s is not connected.", name=self.display_name)
            )
        app = self._qbo_app()
        return QboClient(
            app,
            self.realm_id,
            tokens,
            on_tokens=self._qbo_store_tokens,
            rate_limiter=self._qbo_rate_limiter(app),
            **({"timeout": INTERACTIVE_TIMEOUT, "max_retries": INTERACTIVE_RETRIES} if interactive else {}),
        )

    def _qbo_rate_limiter(self, app):
        """Intuit's limits hold per company file, whichever process asks: every worker of every
        Odoo server on this database takes its requests from one budget in the database."""
        self.ensure_one()
        # One limiter per database in this process: each database keeps its own budget.
        return RateLimiter.for_realm(self.realm_id, scope="%s %s" % (self.env.cr.dbname, app.api_url_v3),
                                     shared=self.env["qbo.rate.limit"]._qbo_budget)

    def _qbo_needs_reauth(self, reason):
        """Intuit refused the refresh token: only a person signing in again can fix that."""
        for company in self:
            company.write({"state": "needs_reauth", "reauth_reason": reason})
            company._qbo_alert_managers(
                self.env._("Reconnect QuickBooks company %s", company.name),
                reason,
                headline=self.env._("QuickBooks needs to be reconnected."),
            )

    def _qbo_alert_managers(self, summary, note, headline=None):
        """Tell the company's chatter, and each of its QuickBooks managers through an activity
        (one per manager while it is open).

        :param summary: the activity's summary, and the message's first line unless ``headline``
        """
        manager_group = self.env.ref("chronicle_qbo_addon.group_qbo_manager")
        for company in self:
            company.message_post(body=Markup("<p>%s</p><p>%s</p>") % (headline or summary, note))
            managers = manager_group.all_user_ids.filtered(
                lambda user: company.company_id in user.company_ids and not user.share
            )
            told = company.activity_ids.filtered(lambda activity: activity.summary == summary).user_id
            for user in managers - told:
                company.activity_schedule(
                    "mail.mail_activity_data_warning", summary=summary, note=note, user_id=user.id
                )

    @api.model
    def _qbo_reauth_reason(self, error):
        return self.env._(
            "Intuit no longer accepts the saved authorization (expired, revoked or replaced; "
            "%(code)s): press Reconnect and sign in to Intuit again.",
            code=error.code,
        )

    def _qbo_refresh(self):
        """Refresh this company's tokens now.

        :return: True when refreshed, False when Intuit asked for a person to reconnect
        :raise QboError: when Intuit could not be reached (the cron tries again later)
        """
        self.ensure_one()
        tokens = self._qbo_tokens()
        try:
            new_tokens = self._qbo_app().refresh(tokens.refresh_token)
        except QboAuthError as error:
            self._qbo_needs_reauth(self._qbo_reauth_reason(error))
            return False
        self._qbo_store_tokens(new_tokens)
        return True

    @api.model
    def _cron_refresh_tokens(self):
        """Keep every connection alive: refresh access tokens before they expire and refresh
        tokens before their rolling 100-day window closes."""
        now = fields.Datetime.now()
        companies = self.search(
            [
                ("state", "=", "connected"),
                "|",
                ("access_token_expires_at", "<", now + ACCESS_TOKEN_MARGIN),
                ("refresh_token_expires_at", "<", now + REFRESH_TOKEN_MARGIN),
            ]
        )
        for company in companies:
            try:
                company._qbo_refresh()
            except QboError as error:
                _logger.warning(
                    "QuickBooks token refresh for company %s failed, will retry: %s",
                    company.id,
                    error,
                )

    # === CONNECTION === #

    @api.model
    def _qbo_authorize(self, app, code, realm_id, tokens=None):
        """Exchange an authorization code and read the company file it opens.

        :param app: the :class:`QboApp` the code was obtained with
        :param code: the authorization code from Intuit's redirect or pasted by the person
        :param realm_id: the Realm ID, already validated as digits
        :param tokens: tokens a code already gave, when the person corrected the Realm ID
        :return: (tokens, CompanyInfo dict)
        :raise RealmMismatch: when the authorization is for another company file; it keeps the
            tokens, so that a corrected Realm ID needs no new sign-in
        :raise UserError: with a message for the person; nothing is changed here
        """
        _ = self.env._
        if tokens is None:
            tokens = self._qbo_exchange_code(app, code, realm_id)
        client = QboClient(app, realm_id, tokens)
        try:
            info = client.company_info()
        except QboError as error:
            if error.status in (401, 403):
                raise RealmMismatch(
                    _(
                        "Intuit's authorization is for another company file than Realm ID %(realm)s. "
                        "Correct the Realm ID (the one Intuit showed with the code) and press "
                        "Authenticate again: there is no need to sign in again.",
                        realm=realm_id,
                    ),
                    client.tokens,
                ) from error
            self._qbo_revoke_quietly(app, client.tokens)
            raise UserError(
                _(
                    "Connected to Intuit, but could not read the company file: %(error)s",
                    error=error_message(self.env, error),
                )
            ) from error
        return client.tokens, info

    @api.model
    def _qbo_exchange_code(self, app, code, realm_id):
        """:raise UserError: when Intuit refuses the code or cannot be reached"""
        _ = self.env._
        try:
            return app.exchange_code(code, realm_id)
        except QboAuthError as error:
            raise UserError(
                _(
                    "Intuit did not accept this authorization code (%(code)s): it is wrong, expired "
                    "(codes last a few minutes) or was already used. Press Get authorization code again.",
                    code=error.code,
                )
            ) from error
        except QboError as error:
            raise UserError(
                _(
                    "Could not reach Intuit to exchange the code: %(error)s Check that this server "
                    "reaches Intuit, then press Authenticate again.",
                    error=error_message(self.env, error),
                )
            ) from error

    def _qbo_mark_connected(self, tokens, info, realm_id):
        """Store a fresh authorization and resume what waited for it."""
        self.ensure_one()
        _ = self.env._
        values = dict(
            self._qbo_token_values(tokens),
            realm_id=realm_id,
            state="connected",
            qbo_company_name=info.get("CompanyName"),
            qbo_legal_name=info.get("LegalName") or info.get("CompanyName"),
            qbo_detected_version=qb_version_from_company_info(info) or False,
            connected_date=fields.Datetime.now(),
            connected_uid=self.env.uid,
            reauth_reason=False,
        )
        self.sudo().write(values)
        self.activity_unlink(["mail.mail_activity_data_warning"])
        self.env["qbo.job.sync"]._qbo_resume(self)
        self.message_post(
            body=_(
                "Connected to QuickBooks company file %(name)s (Realm ID %(realm)s).",
                name=values["qbo_legal_name"],
                realm=realm_id,
            )
        )

    @api.model
    def _qbo_revoke_quietly(self, app, tokens):
        try:
            app.revoke(tokens.refresh_token)
        except QboError as error:
            _logger.info("Could not revoke an unused QuickBooks authorization: %s", error)

    # === ACTIONS === #

    def action_qbo_reconnect(self):
        self.ensure_one()
        self._qbo_check_access()
        return self.env["qbo.connect.wizard"].action_open(qbo_company=self)

    def action_qbo_disconnect(self):
        """Forget the tokens, keep the history, then revoke the authorization at Intuit.

        The local change is written (and every access check passed) before Intuit is called; when
        Intuit cannot be reached the whole change is rolled back and the person tries again.
        """
        self._qbo_check_access()
        for company in self:
            tokens = company._qbo_tokens()
            company.sudo().write(
                {
                    "state": "disconnected",
                    "access_token": False,
                    "refresh_token": False,
                    "access_token_expires_at": False,
                    "refresh_token_expires_at": False,
                    "refresh_token_hard_expires_at": False,
                }
            )
            company.message_post(body=self.env._("Disconnected from QuickBooks; the authorization was revoked."))
            self.env.flush_all()
            if not tokens:
                continue
            try:
                company._qbo_app().revoke(tokens.refresh_token)
            except QboAuthError as error:
                # Already revoked or expired at Intuit: nothing is left to revoke.
                _logger.info("QuickBooks company %s: authorization already gone at Intuit: %s", company.id, error)
            except QboError as error:
                raise UserError(
                    self.env._(
                        "Intuit could not be reached to revoke the connection; nothing was "
                        "changed. Try again in a moment. (%(error)s)",
                        error=error_message(self.env, error),
                    )
                ) from error
        return True

    def action_qbo_test_connection(self):
        """Read the company file once and tell the person how it went."""
        self.ensure_one()
        self._qbo_check_access(operation="read")
        _ = self.env._
        try:
            info = self._qbo_client().company_info()
        except QboAuthError as error:
            # Kept, not raised: the reconnect request must survive this transaction.
            reason = self._qbo_reauth_reason(error)
            self._qbo_needs_reauth(reason)
            return notification("danger", _("QuickBooks needs to be reconnected"), reason)
        except QboError as error:
            raise UserError(error_message(self.env, error)) from error
        return notification(
            "success",
            _("Connection works"),
            _("Connected to %s.", info.get("LegalName") or info.get("CompanyName")),
        )

    def action_qbo_run_bridge_now(self):
        """Run bridge now: the scheduled run starts at once instead of tonight."""
        self._qbo_check_access()
        self._qbo_wake(bridge=True)
        return notification(
            "info",
            self.env._("The bridge runs now"),
            self.env._(
                "Pending jobs are pushed in a moment, then costs and revenue are pulled from the companies "
                "that run the whole bridge; Bridge runs and the accounting log show what was done."
            ),
        )

    def action_qbo_associate_departments(self):
        self._qbo_check_access()
        return self.env["qbo.department.wizard"].action_open(qbo_company=self[:1])
