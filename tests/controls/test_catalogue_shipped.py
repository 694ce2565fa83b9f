"""The catalogues shipped in imports/ read cleanly and fit together."""

import importlib.util
import io
import time
from pathlib import Path

import openpyxl
import pytest

from lms_risk.controls.catalogue import CatalogueError, read_catalogue
from lms_risk.controls.workbook_catalogue import CONTROL_COLUMNS, MAPPING_COLUMNS

IMPORTS = Path(__file__).resolve().parents[2] / "imports"


def read(name: str):
    return read_catalogue(name, (IMPORTS / name).read_bytes())


def test_the_nis2_library_holds_article_21_2_a_to_j_and_the_article_23_deadlines():
    catalogue = read("nis2-artikel-21.yaml")
    assert catalogue.warnings == () and catalogue.mappings == ()
    (framework,) = catalogue.frameworks
    assert framework.code == "NIS2" and framework.urn == "urn:lms-risk:framework:nis2"
    assert "2022/2555" in framework.copyright and framework.published is not None
    refs = {control.ref_id: control for control in framework.controls}
    measures = [f"21(2)({letter})" for letter in "abcdefghij"]
    assert all(refs[ref].assessable and refs[ref].parent_urn == refs["21(2)"].urn
               for ref in measures)
    assert all(refs[ref].urn == f"urn:lms-risk:nis2:{ref}" for ref in measures)
    assert all(c.title_nl and c.title_en for c in framework.controls)
    assert all(c.description_nl and c.description_en for c in framework.controls if c.assessable)
    assert "24 uur" in refs["23(4)(a)"].title_nl and "24 hours" in refs["23(4)(a)"].title_en
    assert "72 uur" in refs["23(4)(b)"].title_nl and "72 hours" in refs["23(4)(b)"].title_en
    assert "een maand" in refs["23(4)(d)"].title_nl and "one month" in refs["23(4)(d)"].title_en
    assert refs["21(2)(c)"].tags == ("zorgplicht",) and refs["23(4)(a)"].tags == ("meldplicht",)


def test_the_bio_style_sample_has_bbn_levels_and_maps_onto_the_shipped_nis2_controls():
    catalogue = read("maatregelen-voorbeeld.xlsx")
    assert catalogue.warnings == ()
    (framework,) = catalogue.frameworks
    assessable = [c for c in framework.controls if c.assessable]
    assert {c.bbn_level for c in assessable} == {1, 2, 3}
    assert all(c.bbn_level is None for c in framework.controls if not c.assessable)
    nis2 = {c.urn for c in read("nis2-artikel-21.yaml").frameworks[0].controls}
    own = {c.urn for c in framework.controls}
    assert catalogue.mappings
    assert all(m.source_urn in own and m.target_urn in nis2 for m in catalogue.mappings)


def test_the_template_has_every_sheet_and_header_and_names_what_to_fill_in():
    book = openpyxl.load_workbook(IMPORTS / "maatregelen-template.xlsx")
    assert book.sheetnames == ["Raamwerk", "Maatregelen", "Koppelingen", "Toelichting"]
    assert [c.value for c in book["Maatregelen"][1]] == [c.header for c in CONTROL_COLUMNS]
    assert [c.value for c in book["Koppelingen"][1]] == [c.header for c in MAPPING_COLUMNS]
    with pytest.raises(CatalogueError) as caught:
        read("maatregelen-template.xlsx")
    problems = {str(message) for _where, message in caught.value.problems}
    assert {"code is verplicht", "naam is verplicht", "versie is verplicht",
            "het blad bevat geen maatregelen"} <= problems


def test_the_generator_makes_the_workbooks_that_are_shipped(tmp_path):
    spec = importlib.util.spec_from_file_location("make_control_samples",
                                                  IMPORTS / "make_control_samples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    buffer = io.BytesIO()
    module.make_workbook(module.SAMPLE_FRAMEWORK, module.SAMPLE_CONTROLS,
                         module.SAMPLE_MAPPINGS).save(buffer)
    assert read_catalogue("x.xlsx", buffer.getvalue()).frameworks == \
        read("maatregelen-voorbeeld.xlsx").frameworks


def test_reading_a_1500_control_library_takes_little_time(capsys):
    """Prints the figure; asserts nothing about time (bench/ is for figures)."""
    lines = ["urn: urn:t:library:big", "locale: nl", "name: Groot", "version: 1", "objects:",
             "  framework:", "    urn: urn:t:framework:big", "    name: Groot",
             "    requirement_nodes:"]
    for i in range(1_500):
        lines += [f"    - urn: urn:t:req_node:big:{i}", "      assessable: true",
                  "      depth: 1", f"      ref_id: '{i // 100}.{i % 100:02d}'",
                  "      description: " + "De organisatie heeft deze maatregel ingericht. " * 4,
                  "      implementation_groups: [basishygiëne]",
                  "      translations:", "        en:",
                  "          description: " + "The organisation has set this up. " * 4]
    data = ("\n".join(lines) + "\n").encode()
    started = time.perf_counter()
    catalogue = read_catalogue("big.yaml", data)
    elapsed = time.perf_counter() - started
    assert len(catalogue.frameworks[0].controls) == 1_500
    with capsys.disabled():
        print(f"\n1,500-control YAML library ({len(data) // 1024} KiB) read in {elapsed:.3f} s")
