"""Constants of the bridge's host side: settings keys, routes, delays and lists the models share."""
import re
from datetime import timedelta

# === SETTINGS (ir.config_parameter) === #
PARAM_ENABLED = "chronicle_qbo.enabled"
PARAM_CLIENT_ID = "chronicle_qbo.client_id"
PARAM_CLIENT_SECRET = "chronicle_qbo.client_secret"
PARAM_LOCAL_BASE_URL = "chronicle_qbo.local_base_url"
PARAM_WEBHOOK_VERIFIER = "chronicle_qbo.webhook_verifier"
PARAM_LOG_RETENTION_DAYS = "chronicle_qbo.log_retention_days"
DEFAULT_LOCAL_BASE_URL = "http://127.0.0.1:8765"
DEFAULT_LOG_RETENTION_DAYS = 180
# Readable by system administrators only, by every path that could hand them out.
SECRET_SETTINGS = ("qbo_client_secret", "qbo_webhook_verifier")

# === CONNECTION === #
CALLBACK_PATH = "/qbo/oauth/callback"
WEBHOOK_PATH = "/qbo/webhook"
OAUTH_STATE_SCOPE = "chronicle_qbo_oauth"
REALM_ID_PATTERN = re.compile(r"[0-9]{1,32}")
# Where the tokens are sent: only a system administrator may change it.
ENDPOINT_FIELDS = ("environment", "local_base_url")
# Refresh a little ahead of Intuit's deadlines so a slow cron never lets a token lapse.
ACCESS_TOKEN_MARGIN = timedelta(minutes=35)
REFRESH_TOKEN_MARGIN = timedelta(days=30)
# Rotated tokens wait this long for the company's row, this many times, in their own transaction.
TOKEN_LOCK_TIMEOUT_MS = 5000
TOKEN_STORE_ATTEMPTS = 4

# === PUSH === #
# Changing one of these changes what QuickBooks holds for the job, or for its customer.
JOB_PUSH_FIELDS = {"name", "job_number", "partner_id", "site_partner_id", "department_ids", "description"}
# Failures that can pass later (throttling, outages) are tried again after 5, 10, 20... minutes,
# six hours apart at most: an outage costs a few requests, not one every run.
RETRY_FIRST_DELAY = timedelta(minutes=5)
RETRY_MAX_DELAY = timedelta(hours=6)

# === ACCOUNTING LOG === #
# What the host itself does; the services' own events extend it (services.events).
HOST_OPERATIONS = [
    ("connect", "Connect"),
    ("refresh", "Token refresh"),
    ("link", "Link job"),
    ("department", "Department"),
    ("cron_push", "Job push run"),
    ("cron_bridge", "Bridge run"),
    ("cron_pull", "Pull of job costs"),
]

# === PULL (the whole bridge) === #
EXPENSE_CLASSIFICATION = "Expense"  # QuickBooks' classification of expense and cost-of-goods accounts
# A newly mirrored expense account's first cost category (a person's to change): by its detail
# type, else by a word of its name.
COST_CATEGORY_BY_SUBTYPE = {
    "SuppliesMaterialsCogs": "material",
    "SuppliesMaterials": "material",
    "CostOfLaborCos": "labor",
    "CostOfLabor": "labor",
    "EquipmentRental": "equipment",
    "EquipmentRentalCos": "equipment",
}
COST_CATEGORY_BY_WORD = (
    ("subcontract", "subcontract"),
    ("material", "material"),
    ("equipment", "equipment"),
    ("labor", "labor"),
    ("labour", "labor"),
)
DEFAULT_MEMO_EXCLUSIONS = "REFUND, IGNORE, TEMP LABOR"
# Job cost lines landed, or looked up, in one go.
COST_LINES_PER_FLUSH = 1000
