from . import test_connect
from . import test_oauth_callback
from . import test_tokens
from . import test_departments
from . import test_access
from . import test_job_push
from . import test_link
from . import test_tours
