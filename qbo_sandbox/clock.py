"""The sandbox clock and Intuit's timestamp formats.

Token lifetimes, refresh-token rotation and rate-limit windows all read this clock, so a
test can jump a day ahead (``advance``) and a benchmark can compress a minute
(``time_scale``) without sleeping. Injected latency and "slow" faults are the only things
that spend real seconds.
"""

import math
import threading
import time
from datetime import datetime, timezone

try:
    from zoneinfo import ZoneInfo

    COMPANY_TZ = ZoneInfo("America/Los_Angeles")
except (ImportError, KeyError):  # pragma: no cover - a machine without tz data
    from datetime import timedelta

    COMPANY_TZ = timezone(timedelta(hours=-8))

# The clock stays well before datetime's year 9999: expiries years ahead of it must still render.
LATEST = datetime(9000, 1, 1, tzinfo=timezone.utc).timestamp()
# A day in under nine real seconds; a faster clock would run into LATEST within months.
MAX_TIME_SCALE = 10000


class Clock:
    """Sandbox time = start + real elapsed * time_scale + manual advances (epoch seconds)."""

    def __init__(self, time_scale=1.0, start=None):
        if isinstance(time_scale, bool) or not 0 < time_scale <= MAX_TIME_SCALE:
            raise ValueError(f"time_scale must be a number above 0 and at most {MAX_TIME_SCALE}")
        self.time_scale = float(time_scale)
        self._lock = threading.Lock()
        self._start = time.time() if start is None else float(start)
        self._mono0 = time.monotonic()
        self._advanced = 0.0

    def now(self):
        with self._lock:
            return self._now()

    def _now(self):
        return self._start + (time.monotonic() - self._mono0) * self.time_scale + self._advanced

    def advance(self, seconds):
        if not 0 <= seconds < math.inf:
            raise ValueError("the sandbox clock only moves forward, by a finite number of seconds")
        with self._lock:
            if seconds > LATEST - self._now():
                raise ValueError(f"the sandbox clock cannot go past {utc_iso(LATEST)}")
            self._advanced += float(seconds)

    def resume_from(self, saved_now):
        """Continue from a persisted instant so stored expiries keep their meaning."""
        gap = float(saved_now) - self.now()
        if gap > 0:
            self.advance(gap)


def qbo_datetime(epoch):
    """``2015-07-23T10:58:12-07:00``: the format of MetaData times."""
    return datetime.fromtimestamp(epoch, COMPANY_TZ).isoformat(timespec="seconds")


def qbo_response_time(epoch):
    """``2015-07-23T10:58:12.099-07:00``: the ``time`` member of every response."""
    return datetime.fromtimestamp(epoch, COMPANY_TZ).isoformat(timespec="milliseconds")


def qbo_date(epoch):
    return datetime.fromtimestamp(epoch, COMPANY_TZ).date().isoformat()


def parse_qbo_datetime(text):
    """Parse a query or CDC literal: a date or a date-time, with or without an offset.

    Values without an offset are read in the company's time zone, as QBO does.
    """
    value = text.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=COMPANY_TZ)
    return parsed


def utc_iso(epoch):
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="seconds")
