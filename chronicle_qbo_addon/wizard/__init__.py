from . import qbo_connect_wizard
from . import qbo_department_wizard
from . import qbo_link_wizard
from . import qbo_import_wizard
