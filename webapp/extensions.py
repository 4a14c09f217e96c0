"""Flask extensions, created unbound and bound to an app in ``create_app``."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy_lite import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

# Objects stay readable after commit: a view commits, then renders what it just saved, without
# the session reloading every row it already holds.
db = SQLAlchemy(session_options={"expire_on_commit": False})
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
# Counts requests per client address: in memory for one process, Redis for a whole service
# (CAPABLE_RATELIMIT_STORAGE_URI). Limits are set on the routes that need them.
limiter = Limiter(key_func=get_remote_address)
