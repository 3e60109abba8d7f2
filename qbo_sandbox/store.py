"""All sandbox state behind its locks, and its JSON persistence.

``data`` is plain JSON-able Python: apps and their webhook endpoints, users, realms
(company info, preferences, records, id counters, replayable responses), OAuth grants,
tokens and codes. Each company
has its own lock, so a long operation on one never holds up another; ``lock`` guards the
rest, and a company lock is never taken while holding it. With a state file, changes are
written by a background saver a moment after they happen (and on stop), atomically, so a
demo keeps its companies and its connection across restarts; a file of an older format
version is upgraded as it is loaded (see ``formats``).
"""

import copy
import json
import os
import tempfile
import threading

from . import formats, seed

SAVE_DELAY = 0.25


class Store:
    def __init__(self, clock, state_file=None, with_records=True, app=None):
        self.clock = clock
        self.lock = threading.RLock()
        self._realm_locks = {}
        self.state_file = state_file
        self.with_records = with_records
        self._dirty = threading.Event()
        self._stopping = threading.Event()
        self._saver = None
        if state_file and os.path.exists(state_file):
            self._load()
        else:
            self.data = {"apps": seed.default_apps(), "users": seed.build_users(), "webhooks": {}}
            self._fresh_companies(with_records)
        if app:
            self.data["apps"] = {}
            self.data["apps"][app["client_id"]] = {
                "client_secret": app["client_secret"],
                "redirect_uris": list(app["redirect_uris"]),
                "name": app.get("name", "Chronicle QuickBooks bridge"),
            }
        self.mark_dirty()

    def _fresh_companies(self, with_records):
        self.data["realms"] = seed.build_realms(self.clock.now(), with_records)
        self.data["grants"] = {}
        self.data["access_tokens"] = {}
        self.data["refresh_tokens"] = {}
        self.data["codes"] = {}

    def reset(self, with_records=True):
        """Back to the seeded companies; app registrations and users stay as they are."""
        with self.lock:
            self._fresh_companies(with_records)
            self.mark_dirty()

    def realm(self, realm_id):
        return self.data["realms"].get(realm_id)

    def realm_lock(self, realm_id):
        """The lock to hold while reading or changing one company's records."""
        with self.lock:
            return self._realm_locks.setdefault(realm_id, threading.RLock())

    # ------------------------------------------------------------ persistence

    def mark_dirty(self):
        self._dirty.set()

    def _load(self):
        with open(self.state_file, encoding="utf-8") as handle:
            saved = json.load(handle)
        self.data = formats.load(saved, self.state_file)
        self.clock.resume_from(saved["clock"])

    def save(self):
        if not self.state_file:
            return
        self._dirty.clear()
        text = json.dumps(formats.dump(self.clock.now(), self._snapshot()))
        directory = os.path.dirname(os.path.abspath(self.state_file))
        fd, tmp = tempfile.mkstemp(prefix=".qbo_sandbox-", dir=directory)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, self.state_file)

    def _snapshot(self):
        """A copy of ``data``: each company copied under its own lock, the rest under ``lock``."""
        with self.lock:
            realm_ids = list(self.data["realms"])
        realms = {}
        for realm_id in realm_ids:
            with self.realm_lock(realm_id):
                realms[realm_id] = copy.deepcopy(self.realm(realm_id))
        with self.lock:
            data = {key: copy.deepcopy(value) for key, value in self.data.items() if key != "realms"}
        data["realms"] = realms
        return data

    def start_autosave(self):
        if not self.state_file or self._saver:
            return
        self._stopping.clear()
        self._saver = threading.Thread(target=self._autosave, name="qbo-sandbox-saver", daemon=True)
        self._saver.start()

    def _autosave(self):
        while not self._stopping.is_set():
            if self._dirty.wait(SAVE_DELAY) and not self._stopping.is_set():
                self._stopping.wait(SAVE_DELAY)
                self.save()

    def stop_autosave(self):
        if self._saver:
            self._stopping.set()
            self._saver.join()
            self._saver = None
        if self.state_file:
            self.save()
