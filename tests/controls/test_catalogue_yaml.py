"""Reading CISO Assistant YAML libraries (lms_risk/controls/yaml_library.py). Pure: no app, no
database. The fixtures in fixtures/ were written for these tests."""

import time
from datetime import date
from pathlib import Path

import pytest

from lms_risk.controls.catalogue import (
    MAX_CATALOGUE_BYTES,
    MAX_NODES,
    CatalogueError,
    read_catalogue,
)

FIXTURES = Path(__file__).parent / "fixtures"


def read(name: str):
    return read_catalogue(name, (FIXTURES / name).read_bytes())


def refused(name: str, data: bytes | None = None) -> list[tuple[str, str]]:
    with pytest.raises(CatalogueError) as caught:
        read_catalogue(name, (FIXTURES / name).read_bytes() if data is None else data)
    problems = [(str(where), str(message)) for where, message in caught.value.problems]
    assert problems, "a CatalogueError always says why"
    return problems


def text_of(problems) -> str:
    return "\n".join(f"{where}: {message}" for where, message in problems)


def test_a_tiny_framework_reads_with_its_tree_texts_and_tags():
    catalogue = read("tiny-framework.yaml")
    assert catalogue.mappings == ()
    assert catalogue.source_name == "tiny-framework.yaml"
    (framework,) = catalogue.frameworks
    assert framework.urn == "urn:test:risk:framework:tiny"
    assert framework.code == "TINY"
    assert (framework.name_nl, framework.name_en) == ("Klein testraamwerk", "Tiny test framework")
    assert framework.version == "1"
    assert framework.published == date(2025, 3, 1)
    assert framework.provider == "lms-risk tests"
    assert framework.copyright.startswith("Written for the lms-risk tests")
    assert framework.source == "urn:test:risk:library:tiny"

    nodes = {node.urn.rsplit(":", 1)[1]: node for node in framework.controls}
    assert [n.order for n in framework.controls] == [1, 2, 3, 4, 5]
    governance, policy, roles, backups = (nodes[k] for k in ("governance", "1.1", "1.2", "2.1"))
    # A heading without ref_id: its urn is its key, its name its title.
    assert governance.ref_id is None and governance.parent_urn is None
    assert governance.depth == 1 and governance.assessable is False
    assert (governance.title_nl, governance.title_en) == ("Besturing", "Governance")
    # A node with only a description gets it as title; the Dutch text from translations.nl.
    assert policy.ref_id == "1.1" and policy.depth == 2 and policy.assessable is True
    assert policy.parent_urn == governance.urn
    assert policy.title_nl == "Er is een vastgesteld beleid dat jaarlijks wordt herzien."
    assert policy.description_en == "A policy is agreed and reviewed every year."
    # Tags spelled as implementation_groups_definition spells them.
    assert policy.tags == ("basis", "keten")
    # No Dutch translation: the English text stands in on the Dutch side.
    assert (roles.title_nl, roles.title_en) == ("Roles assigned", "Roles assigned")
    assert (backups.title_nl, backups.title_en) == ("Back-ups getest", "Backups tested")
    assert all(node.bbn_level is None for node in framework.controls)
    # annotation and dependencies are CISO Assistant keys: ignored without a word.
    assert catalogue.warnings == ()


def test_a_dutch_library_takes_its_own_texts_as_dutch_and_shortens_long_descriptions():
    catalogue = read("locale-nl.yaml")
    (framework,) = catalogue.frameworks
    assert (framework.name_nl, framework.name_en) == ("Nederlandstalig testraamwerk",
                                                      "Dutch-first test framework")
    assert framework.version == "2.1" and framework.published == date(2024, 6, 30)
    assert framework.code == "nl-first"  # the library's ref_id when the framework has none
    heading, control = framework.controls
    assert (heading.title_nl, heading.title_en) == ("Zorgplicht", "Duty of care")
    assert control.ref_id == "Z.1"
    assert control.title_nl.startswith("De organisatie heeft een beleid")
    assert control.title_nl.endswith("…") and len(control.title_nl) <= 120
    assert "Tweede regel" not in control.title_nl
    assert control.description_nl.endswith("Tweede regel.")
    assert control.title_en == ("The organisation has a policy for its network and information "
                                "systems.")
    assert control.tags == ("basishygiëne",)  # two spellings, one tag


def test_a_newer_version_retires_adds_and_renames_by_urn():
    old = {n.urn: n for n in read("tiny-framework.yaml").frameworks[0].controls}
    new_framework = read("tiny-framework-v2.yaml").frameworks[0]
    new = {n.urn: n for n in new_framework.controls}
    assert new_framework.urn == "urn:test:risk:framework:tiny" and new_framework.version == "2"
    assert set(old) - set(new) == {"urn:test:risk:req_node:tiny:1.2"}
    assert set(new) - set(old) == {"urn:test:risk:req_node:tiny:2.2"}
    renamed = "urn:test:risk:req_node:tiny:2.1"
    assert (old[renamed].title_nl, new[renamed].title_nl) == ("Back-ups getest",
                                                             "Back-ups elk kwartaal getest")
    assert new[renamed].title_en == "Backups tested every quarter"
    assert new["urn:test:risk:req_node:tiny:2.2"].title_nl == "Patches toegepast"


def test_a_mapping_library_gives_both_directions_without_not_related():
    catalogue = read("mapping-tiny-other.yaml")
    assert catalogue.frameworks == ()
    pairs = {(m.source_urn.rsplit(":", 2)[-2:][1], m.target_urn.rsplit(":", 1)[1], m.relationship)
             for m in catalogue.mappings}
    assert pairs == {("1.1", "a", "subset"), ("2.1", "b", "equal"),
                     ("a", "1.1", "superset"), ("b", "2.1", "intersect")}
    # URNs in lower case, as CISO Assistant compares them.
    assert all(m.source_urn == m.source_urn.lower() for m in catalogue.mappings)
    # A field this reader does not know inside a mapping: read, with a warning naming it.
    warnings = text_of((str(w), str(m)) for w, m in catalogue.warnings)
    assert "future_field" in warnings and "koppeling nr. 2" in warnings


def test_an_alias_bomb_is_refused_before_it_is_built():
    started = time.perf_counter()
    problems = refused("alias-bomb.yaml")
    assert time.perf_counter() - started < 5  # generous: expanding it would never finish
    assert "ankers en -verwijzingen" in text_of(problems)
    assert "regel 2" in problems[0][0]


def test_a_single_alias_is_refused_too():
    data = (FIXTURES / "tiny-framework.yaml").read_text().replace(
        "    name: Tiny test framework\n    translations:",
        "    name: &n Tiny test framework\n    description: *n\n    translations:")
    assert "ankers" in text_of(refused("x.yaml", data.encode()))


def test_unknown_keys_at_the_top_and_in_the_framework_are_named():
    problems = text_of(refused("unknown-keys.yaml"))
    assert "secret_backdoor" in problems
    assert "requirement_node" in problems
    assert "raamwerk urn:test:risk:framework:typo" in problems


def test_a_node_whose_parent_is_missing_is_named():
    problems = refused("missing-parent.yaml")
    assert len(problems) == 1
    where, message = problems[0]
    assert "maatregel 1.1" in where
    assert "urn:test:risk:req_node:orphan:9" in message and "bestaat niet" in message


def test_duplicate_urns_and_wrong_types_are_each_named():
    problems = text_of(refused("duplicate-urn.yaml"))
    assert "urn:test:risk:req_node:dupe:1 komt twee keer voor" in problems
    assert "publication_date is geen datum" in problems and "someday" in problems
    assert "ref_id 2.1 is als getal geschreven" in problems
    assert "assessable moet true of false zijn" in problems
    assert "depth moet een geheel getal zijn" in problems
    assert "name moet tekst zijn, niet lijst" in problems
    assert "maatregel nr. 4 in requirement_nodes" in problems  # "just a string"


def test_a_parent_cycle_is_refused():
    data = b"""urn: urn:t:library:c
name: C
objects:
  framework:
    urn: urn:t:framework:c
    name: C
    requirement_nodes:
    - {urn: 'urn:t:n:a', parent_urn: 'urn:t:n:b', name: A}
    - {urn: 'urn:t:n:b', parent_urn: 'urn:t:n:a', name: B}
"""
    assert "kring" in text_of(refused("cycle.yaml", data))


def test_duplicate_keys_in_one_mapping_are_refused():
    data = b"urn: urn:t:library:d\nname: D\nname: E\nobjects: {}\n"
    problems = refused("dup.yaml", data)
    assert "de sleutel name staat twee keer" in text_of(problems)
    assert "regel 3" in problems[0][0]


def _many_nodes(count: int) -> bytes:
    lines = ["urn: urn:t:library:many", "name: Many", "objects:", "  framework:",
             "    urn: urn:t:framework:many", "    name: Many", "    requirement_nodes:"]
    lines += [f"    - {{urn: 'urn:t:n:{i}', ref_id: '{i}', assessable: true, name: N{i}}}"
              for i in range(count)]
    return ("\n".join(lines) + "\n").encode()


def test_100000_nodes_are_refused_quickly():
    data = _many_nodes(100_000)
    assert len(data) < MAX_CATALOGUE_BYTES  # refused for the count, not the size
    started = time.perf_counter()
    problems = refused("many.yaml", data)
    elapsed = time.perf_counter() - started
    assert f"meer dan {MAX_NODES}" in text_of(problems)
    assert elapsed < 10, elapsed  # a bound against a hang, not a benchmark


def test_a_large_but_allowed_catalogue_reads():
    catalogue = read_catalogue("large.yaml", _many_nodes(1_500))
    assert len(catalogue.frameworks[0].controls) == 1_500
    assert catalogue.frameworks[0].controls[-1].ref_id == "1499"


def test_a_file_over_the_size_limit_is_refused_unread():
    data = b"# " + b"x" * MAX_CATALOGUE_BYTES + b"\n"
    assert "te groot" in text_of(refused("huge.yaml", data))


def test_binary_and_non_yaml_files_get_a_message():
    assert "binaire gegevens" in text_of(refused("random.yaml", bytes(range(256)) * 10))
    assert "UTF-8" in text_of(refused("latin1.yaml", "naam: caf\xe9".encode("latin-1")))
    assert "geen geldige YAML" in text_of(refused("broken.yaml", b"urn: [unclosed\nname: x\n"))
    assert "geen bibliotheek van CISO Assistant" in text_of(
        refused("list.yaml", b"- just\n- a list\n"))
    assert "geen bibliotheek" in text_of(refused("plain.txt", b"hello world"))
    assert "leeg" in text_of(refused("empty.yaml", b"  \n"))


def test_deep_nesting_and_several_documents_are_refused():
    # past our limit of 40, and past libyaml's own of 1,000 (which stops it first): one message
    for depth in (100, 10_000):
        assert "genest" in text_of(refused("deep.yaml", b"a: " + b"[" * depth + b"]" * depth))
    assert "meer dan één YAML-document" in text_of(
        refused("two.yaml", b"urn: urn:a:b\n---\nurn: urn:c:d\n"))


def test_python_tags_are_not_executed():
    data = b"urn: !!python/object/apply:os.system ['echo hi']\nobjects: {}\n"
    problems = text_of(refused("tag.yaml", data))
    assert "het YAML-label tag:yaml.org,2002:python/object/apply:os.system is niet toegestaan" \
        in problems
    assert "regel 1" in problems


def test_a_mapping_into_a_framework_of_the_same_file_must_name_its_controls():
    data = (FIXTURES / "tiny-framework.yaml").read_text() + """  requirement_mapping_sets:
  - urn: urn:test:risk:req_mapping_set:tiny-self
    source_framework_urn: urn:test:risk:framework:tiny
    target_framework_urn: urn:test:risk:framework:other
    requirement_mappings:
    - source_requirement_urn: urn:test:risk:req_node:tiny:9.9
      target_requirement_urn: urn:test:risk:req_node:other:a
      relationship: equal
    - source_requirement_urn: urn:test:risk:req_node:tiny:1.1
      target_requirement_urn: urn:test:risk:req_node:other:a
      relationship: sort of
"""
    problems = text_of(refused("self.yaml", data.encode()))
    assert "urn:test:risk:req_node:tiny:9.9 is geen maatregel van het raamwerk" in problems
    assert "relationship moet equal, subset, superset of intersect zijn, niet sort of" in problems


def test_messages_are_english_for_an_english_reader():
    from flask import Flask
    from flask_babel import Babel

    import lms_risk

    app = Flask(__name__)
    Babel(app, locale_selector=lambda: "en", default_translation_directories=str(
        Path(lms_risk.__file__).parent / "translations"))
    with pytest.raises(CatalogueError) as caught:
        read_catalogue("missing-parent.yaml", (FIXTURES / "missing-parent.yaml").read_bytes())
    with app.test_request_context():
        where, message = (str(part) for part in caught.value.problems[0])
    assert "control 1.1" in where
    assert "does not exist in this framework" in message
    # Outside a request the same problem reads in Dutch (the CLI).
    assert "bestaat niet" in str(caught.value.problems[0][1])


def test_mangled_libraries_give_messages_never_tracebacks():
    """Hundreds of damaged copies of the fixtures: each reads or raises CatalogueError."""
    import random

    rng = random.Random(20261123)
    sources = [(FIXTURES / name).read_bytes() for name in
               ("tiny-framework.yaml", "mapping-tiny-other.yaml", "locale-nl.yaml")]
    junk = [b":", b"-", b"[", b"]", b"{", b"}", b"&a", b"*a", b"!!", b"'", b'"', b"\n", b"  ",
            b"null", b"1.5", b"2024-13-45", b"yes", b"urn:x", b"\t", b"#", b"|", b">", b"?"]
    refusals = 0
    for _ in range(400):
        data = bytearray(rng.choice(sources))
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(data))
            if rng.random() < 0.5:
                data[at:at + rng.randint(0, 30)] = rng.choice(junk)
            else:
                del data[at:at + rng.randint(1, 60)]
        try:
            read_catalogue("mangled.yaml", bytes(data))
        except CatalogueError as error:
            refusals += 1
            assert all(str(where) is not None and str(message) for where, message in
                       error.problems)
    assert refusals > 100  # most damage is noticed


def test_odd_shapes_are_refused_with_messages():
    shapes = [
        b"urn: urn:a:b\nobjects: []\n",
        b"urn: urn:a:b\nobjects: {framework: {}}\n",
        b"urn: urn:a:b\nobjects: {frameworks: [1, 'x']}\n",
        b"urn: urn:a:b\nobjects: {requirement_mapping_sets: [[]]}\n",
        b"urn: urn:a:b\nobjects: {framework: {urn: 'urn:f:x', name: X, requirement_nodes: {}}}\n",
        b"urn: 5\nname: [1]\nversion: {a: 1}\ntranslations: []\nobjects: {}\n",
        b"{? [a, b] : c}\n",
        b"1: x\nobjects: {}\n",
    ]
    for data in shapes:
        with pytest.raises(CatalogueError) as caught:
            read_catalogue("odd.yaml", data)
        assert caught.value.problems and all(str(m) for _w, m in caught.value.problems), data


def test_overlong_names_are_shortened_to_what_the_register_stores():
    from lms_risk.controls.catalogue import MAX_NAME, MAX_TITLE

    long_name = "      name: " + "Roles assigned well " * 60 + "\n"
    data = (FIXTURES / "tiny-framework.yaml").read_text().replace(
        "      name: Roles assigned\n", long_name).replace(
        "    name: Tiny test framework\n    translations:",
        "    name: " + "Tiny " * 100 + "\n    translations:")
    framework = read_catalogue("long.yaml", data.encode()).frameworks[0]
    roles = next(c for c in framework.controls if c.ref_id == "1.2")
    assert len(roles.title_en) <= MAX_TITLE and roles.title_en.endswith("…")
    assert len(framework.name_en) <= MAX_NAME and framework.name_en.endswith("…")
