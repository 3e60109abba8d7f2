from . import hr_department
from . import qbo_company
from . import qbo_department_mapping
from . import qbo_job_sync
from . import qbo_log
from . import project_project
from . import res_partner
from . import res_config_settings
