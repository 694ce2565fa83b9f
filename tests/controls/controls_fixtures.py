"""Small catalogues written for the tests, built as ``CatalogueData`` directly."""

from dataclasses import replace
from datetime import date

from lms_risk.controls.catalogue import CatalogueData, ControlNode, FrameworkData, MappingData

__all__ = ["CatalogueData", "ControlNode", "FrameworkData", "MappingData", "framework", "node",
           "catalogue", "replace"]


def node(urn, ref_id=None, parent=None, order=0, depth=None, title="", assessable=True,
         bbn=None, tags=(), title_en="", description=""):
    return ControlNode(urn=urn, ref_id=ref_id, parent_urn=parent, order=order,
                       depth=depth or (2 if parent else 1), title_nl=title, title_en=title_en,
                       description_nl=description, description_en="", assessable=assessable,
                       bbn_level=bbn, tags=tuple(tags))


def framework(urn, code, controls, version="1", name=None):
    return FrameworkData(urn=urn, code=code, name_nl=name or code, name_en=name or code,
                         version=version, published=date(2025, 9, 24), provider="test",
                         copyright="test", source="tests", controls=tuple(controls))


def catalogue(*frameworks, mappings=(), name="test.yaml"):
    return CatalogueData(frameworks=tuple(frameworks), mappings=tuple(mappings), source_name=name)


BIO = "urn:test:bio"


def bio_sample(version="1", drop=(), retitle=None):
    """A BIO-style framework with a chapter and five measures with BBN levels 1, 1, 2, 2, 3."""
    retitle = retitle or {}
    chapter = node(f"{BIO}:h9", "9", title="Toegang", assessable=False, order=0)
    measures = [node(f"{BIO}:9.{i}", f"9.{i}", parent=f"{BIO}:h9", order=i,
                     title=retitle.get(i, f"Maatregel 9.{i}"), bbn=bbn,
                     tags=("basishygiene",) if i % 2 else ())
                for i, bbn in ((1, 1), (2, 1), (3, 2), (4, 2), (5, 3)) if i not in drop]
    return framework(BIO, "bio-test", [chapter, *measures], version=version, name="BIO test")


NIS2 = "urn:test:nis2"


def nis2_sample():
    measures = [node(f"{NIS2}:21-2-{c}", f"21(2)({c})", order=i, title=f"Maatregel {c}")
                for i, c in enumerate("abc")]
    return framework(NIS2, "nis2-test", measures, name="NIS2 test")


def mappings_sample():
    return (MappingData(f"{BIO}:9.1", f"{NIS2}:21-2-a", "intersect"),
            MappingData(f"{BIO}:9.3", f"{NIS2}:21-2-b", "equal"))


import pytest  # noqa: E402


@pytest.fixture
def loaded(app, users):
    """The BIO-style sample and the NIS2 sample with their mappings, committed. Returns
    ``{ref_id or urn tail: Control}``."""
    from sqlalchemy import select

    from lms_risk.controls.loading import load_catalogue
    from lms_risk.controls.models import Control
    from lms_risk.extensions import db
    load_catalogue(catalogue(bio_sample(), nis2_sample(), mappings=mappings_sample()),
                   users["admin"])
    db.session.commit()
    return {c.ref_id: c for c in db.session.scalars(select(Control))}


def scope(param):
    from lms_risk.controls.scopes import scope_by_param
    from lms_risk.reference.data import refdata
    return scope_by_param(refdata(), param)


def implement(control, scope_param, status="volledig", user=None, **values):
    from lms_risk.controls.services import ImplementationData, set_implementation
    from lms_risk.extensions import db
    set_implementation(control, scope(scope_param), ImplementationData(status=status, **values),
                       user)
    db.session.commit()


def set_level(scope_param, level):
    from lms_risk.controls.services import set_scope_level
    from lms_risk.extensions import db
    set_scope_level(scope(scope_param), level, None)
    db.session.commit()
