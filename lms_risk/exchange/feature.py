"""The register as an Excel workbook and back: export, upload, preview and confirm."""

from flask_babel import lazy_gettext as _l

from ..core.features import EntityType, Feature
from .cli import COMMANDS
from .sheets import AboutSheet
from .permissions import can_import
from .views import bp

FEATURE = Feature(
    name="exchange",
    blueprint=bp,
    sheets=[AboutSheet()],
    commands=COMMANDS,
    permissions={"can_import": can_import},
    entities=[EntityType("register", _l("register"))],
    order=50,
)
