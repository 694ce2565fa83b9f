"""Security controls: catalogues (BIO, BIO2, NIS2/Cbw), implementation per scope, the Verklaring
van Toepasselijkheid, the BBN gap analysis, the NIS2 view and links from risks to controls."""

from flask_babel import lazy_gettext as _l

from ..core.features import Feature
from . import models  # noqa: F401  (the tables belong to the metadata)

FEATURE = Feature(
    name="controls",
    order=40,
)
