"""A local QuickBooks Online: Intuit's OAuth 2.0 server and Accounting API v3, stateful,
with seeded restoration companies, Intuit's faults and throttles, and a control API.

    from qbo_sandbox import SandboxServer
    srv = SandboxServer(port=0).start()
    ...
    srv.stop()
"""

from .control import Control, ControlError
from .seed import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_REDIRECT_URIS,
    REALM_BLUE_RIDGE,
    REALM_COASTAL,
    REALM_SUMMIT,
)
from .server import SandboxServer

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_REDIRECT_URIS",
    "REALM_BLUE_RIDGE",
    "REALM_COASTAL",
    "REALM_SUMMIT",
    "Control",
    "ControlError",
    "SandboxServer",
]
