"""Build hook: what the wheel carries besides the ``lms_risk`` package's own files.

A checkout keeps ``templates/`` and ``migrations/`` beside the package; a wheel puts them inside it
(``lms_risk/templates``, ``lms_risk/migrations``), where ``lms_risk._resource`` looks first. The
English catalogue is compiled here from its ``.po`` (``.mo`` files are not in git), so that a wheel
built from a clean clone speaks English and the installed app never writes into site-packages.

An editable install (``pip install -e .``, as the Makefile does) runs the checkout itself: nothing
is copied, and the catalogue is compiled in place, as ``make translations`` does.
"""

import shutil
import tempfile
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

PACKAGE = "lms_risk"
BESIDE_THE_PACKAGE = ("templates", "migrations")  # folder in the checkout -> lms_risk/<folder>


class BuildHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version, build_data):
        if self.target_name != "wheel":
            return
        root = Path(self.root)
        catalogues = sorted((root / PACKAGE / "translations").glob("*/LC_MESSAGES/*.po"))
        if not catalogues:
            raise RuntimeError("no translation catalogues found under lms_risk/translations")
        if version == "editable":
            for po in catalogues:
                _compile(po, po.with_suffix(".mo"))
            return
        self._compiled = Path(tempfile.mkdtemp(prefix="lms-risk-mo-"))
        for po in catalogues:
            relative = po.relative_to(root).with_suffix(".mo")
            _compile(po, self._compiled / relative)
            build_data["force_include"][str(self._compiled / relative)] = relative.as_posix()
        for folder in BESIDE_THE_PACKAGE:
            build_data["force_include"][str(root / folder)] = f"{PACKAGE}/{folder}"

    def finalize(self, version, build_data, artifact_path):
        if getattr(self, "_compiled", None):
            shutil.rmtree(self._compiled, ignore_errors=True)


def _compile(po: Path, mo: Path) -> None:
    """What ``pybabel compile --use-fuzzy`` does for one catalogue."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as source:
        catalog = read_po(source, locale=po.parent.parent.name)
    mo.parent.mkdir(parents=True, exist_ok=True)
    with mo.open("wb") as target:
        write_mo(target, catalog, use_fuzzy=True)
