"""The simulator's control plane under /_sellerpic/, apart from the mocked API: the `Control`
object (also `app.control`), its HTTP routes and OpenAPI document, the request journal and
the admin access rule."""

from .access import AdminAccess, decide_access
from .http import ControlApp
from .inspector import INSPECTOR_ROUTES
from .journal import Entry, Journal, Query
from .plane import Control, TaskView
from .routes import PREFIX as CONTROL_PREFIX
from .routes import ROUTES

CONTROL_ROUTES = [*ROUTES, *INSPECTOR_ROUTES]

__all__ = [
    "CONTROL_PREFIX",
    "CONTROL_ROUTES",
    "AdminAccess",
    "Control",
    "ControlApp",
    "Entry",
    "Journal",
    "Query",
    "TaskView",
    "decide_access",
]
