"""Who may use the upload: whoever may import at least one of the declared sheets."""

from ..core.features import registry


def importable_sheets(user) -> list:
    return [spec for spec in registry().sheets if spec.names and spec.may_import(user)]


def can_import(user) -> bool:
    return bool(user.is_authenticated and importable_sheets(user))
