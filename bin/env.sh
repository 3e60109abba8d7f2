# Sourced by bin/demo and bin/run-tests: brings the environment up to date with bin/setup (a few
# seconds when nothing changed), then sets PY to the project's interpreter (PYTHON overrides it)
# and ODOO_ADDONS_PATH to Odoo's own addons folders (unless already set).
# Expects ROOT to be the checkout.
if [ -n "${PYTHON:-}" ]; then
    PY=$PYTHON
else
    "$ROOT/bin/setup" >&2 || exit 1
    PY=$ROOT/.venv/bin/python
fi
if [ -z "${ODOO_ADDONS_PATH:-}" ] && "$PY" -c 'import odoo.release' 2>/dev/null; then
    ODOO_ADDONS_PATH=$("$PY" - <<'PY'
import os, odoo
paths = []
for base in odoo.__path__:
    for candidate in (os.path.join(base, "addons"), os.path.join(os.path.dirname(base), "addons")):
        if os.path.isdir(os.path.join(candidate, "project")) and candidate not in paths:
            paths.append(candidate)
print(",".join(paths))
PY
)
fi
