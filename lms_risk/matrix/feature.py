"""The risk matrix as data: scales, levels, the grid and what each impact means per discipline."""

from flask_babel import lazy_gettext as _l

from ..auth.permissions import is_admin
from ..core.features import EntityType, Feature, MenuEntry
from .sheets import MatrixSheet
from .styles import bp as levels_bp
from .views import bp

FEATURE = Feature(
    name="matrix",
    blueprint=bp,
    sheets=[MatrixSheet()],
    admin_links=[MenuEntry("matrix.edit", _l("Risicomatrix: schalen, niveaus en raster"),
                           visible=is_admin, order=10)],
    entities=[
        EntityType("matrix", _l("risicomatrix")),
        EntityType("likelihood_class", _l("kansklasse")),
        EntityType("impact_class", _l("impactklasse")),
        EntityType("risk_level", _l("niveau")),
        EntityType("impact_description", _l("impactomschrijving")),
    ],
    setup=lambda app: app.register_blueprint(levels_bp),
    public_endpoints=["levels.stylesheet"],
    order=30,
)
