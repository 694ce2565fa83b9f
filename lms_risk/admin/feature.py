"""Administration: the start page that gathers what the other features let admins manage."""

from flask_babel import lazy_gettext as _l

from ..auth.permissions import is_admin
from ..core.features import Feature, MenuEntry
from .views import bp

FEATURE = Feature(
    name="admin",
    blueprint=bp,
    menu=[MenuEntry("admin.index", _l("Beheer"), visible=is_admin, order=90,
                    active=("admin", "matrix", "reference", "auth.users"))],
    order=90,
)
