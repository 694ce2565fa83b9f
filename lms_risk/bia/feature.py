from ..core.features import Feature
from . import models  # noqa: F401
FEATURE = Feature(name="bia")
