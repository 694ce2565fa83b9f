"""Reference data: disciplines, meldkamers, voorzieningen and risk categories."""

from flask_babel import lazy_gettext as _l

from ..auth.permissions import is_admin
from ..core.features import EntityType, Feature, MenuEntry
from .sheets import ListsSheet
from .views import KIND_TITLES, bp

FEATURE = Feature(
    name="reference",
    blueprint=bp,
    sheets=[ListsSheet()],
    admin_links=[MenuEntry("reference.edit", title, visible=is_admin, order=20 + n,
                           args={"kind": kind})
                 for n, (kind, title) in enumerate(KIND_TITLES.items())],
    entities=[
        EntityType("discipline", _l("discipline")),
        EntityType("meldkamer", _l("meldkamer")),
        EntityType("voorziening", _l("voorziening")),
        EntityType("category", _l("categorie")),
    ],
    order=20,
)
