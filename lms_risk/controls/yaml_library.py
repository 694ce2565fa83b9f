"""CISO Assistant's YAML library format, read as a control catalogue. No Flask app, no database.

The format is the one of ``backend/library/libraries/*.yaml`` in intuitem/ciso-assistant-community
(its documentation: "Library objects", "Framework", "Mappings"):

    urn, locale, ref_id, name, description, copyright, version, publication_date, provider,
    packager, translations: {nl: {name, description, copyright}}, objects:
      framework:                      # or frameworks: [...]
        urn, ref_id, name, description, translations, implementation_groups_definition,
        requirement_nodes: [{urn, ref_id?, parent_urn?, depth, assessable, name?, description?,
                             implementation_groups?, translations: {nl: {name, description}}}]
      requirement_mapping_sets:       # or requirement_mapping_set: {...}
        [{urn, source_framework_urn, target_framework_urn,
          requirement_mappings: [{source_requirement_urn, target_requirement_urn, relationship}]}]

What is taken:
- Texts: the file's own texts are in its ``locale``; ``translations.nl`` / ``translations.en``
  give the other language. Dutch is the ``nl`` translation, else the base text when the locale is
  ``nl``, else the base text anyway (so a control always has a Dutch-side text); English is the
  ``en`` translation, else the base text when the locale is ``en``, else empty.
- A node without ``name`` (BIO2's nodes have only a description) gets the first line of its
  description, shortened to 120 characters, as title; without either, its ``ref_id``.
- URNs are compared and returned in lower case, as CISO Assistant stores them.
- ``depth`` is computed from the parent chain (a top-level node has depth 1), not trusted.
- Tags are the node's ``implementation_groups``, spelled as the framework's
  ``implementation_groups_definition`` spells them (BIO2 writes ``Basishygiëne`` and
  ``basishygiëne``); without a definition, as written.
- ``publication_date`` becomes the framework's date; the library's ``version`` its version; the
  library's ``provider`` its provider; ``copyright`` its copyright; the library urn its source.
- Mappings with relationship ``not_related`` are skipped (they say there is no mapping).

Unknown keys: a key CISO Assistant documents or writes in its libraries but that means nothing
here (``dependencies``, ``annotation``, ``threats``, ``reference_controls``, ``risk_matrix``,
``typical_evidence``, ``questions``, ...) is ignored silently. Any other key at the top, in
``objects``, in a framework or in a mapping set is an error that names it: at those levels a
misspelt key (``requirement_node``) would otherwise lose the whole catalogue without a word. Inside
a node or a mapping an unknown key is ignored with a warning naming it (CISO Assistant adds fields
to nodes over time; their controls are still readable).

Safety: the file is decoded as UTF-8 text (binary refused). The document is then made in one
pass over the parse events of PyYAML's SafeLoader (a subclass; libyaml's C parser when PyYAML has
it), never by composing a node graph: aliases and anchors are refused at the first one (so no
"billion laughs"), and so are tags other than SafeLoader's scalar types (``!!python/...``),
non-text keys, duplicate keys, a second document, nesting deeper than 40, more than ``MAX_NODES``
requirement nodes or ``MAX_MAPPINGS`` mappings, and more YAML values than a catalogue of that size
can need (at most ``EVENTS_PER_ITEM`` per node or mapping, ``MAX_EVENTS`` in all). Each limit is
checked before the value that would pass it is made, so 100,000 nodes are refused after the first
20,000 and a file of a million bare values after 50,000. Scalars get SafeLoader's types (``true``,
``1``, ``2025-03-01``), through its own constructors.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import yaml
from flask_babel import lazy_gettext as _l

from .catalogue import (
    MAX_MAPPINGS,
    MAX_NAME,
    MAX_NODES,
    MAX_TEXT,
    MAX_TITLE,
    RELATIONSHIPS,
    CatalogueData,
    CatalogueError,
    ControlNode,
    FrameworkData,
    MappingData,
    Problems,
    file_where,
    joined,
    short_title,
    shorten,
)

_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_DEPTH = 40
MAX_EVENTS = 1_000_000  # YAML values (scalars, lists, tables) in one file
EVENTS_PER_ITEM = 200  # at most this many per requirement node or mapping, on average

# Keys CISO Assistant documents or writes; read (R) or ignored (the rest).
LIBRARY_KEYS = {"urn", "locale", "ref_id", "name", "description", "copyright", "version",
                "publication_date", "provider", "packager", "translations", "objects",
                # ignored:
                "annotation", "dependencies", "convert_library_version", "labels",
                "filtering_labels", "builtin", "is_published", "default_locale", "folder",
                "lib_format_version"}
OBJECT_KEYS = {"framework", "frameworks", "requirement_mapping_set", "requirement_mapping_sets",
               # ignored:
               "threats", "reference_controls", "risk_matrix", "risk_matrices",
               "metric_definitions", "preset", "requirement_mapping_set_urns"}
FRAMEWORK_KEYS = {"urn", "ref_id", "name", "description", "translations", "requirement_nodes",
                  "implementation_groups_definition",
                  # ignored:
                  "annotation", "min_score", "max_score", "scores_definition",
                  "answers_definition", "questions", "outcomes_definition", "provider",
                  "locale", "default_locale", "is_dynamic", "status", "reference_controls"}
NODE_KEYS = {"urn", "ref_id", "parent_urn", "depth", "assessable", "name", "description",
             "translations", "implementation_groups",
             # ignored:
             "annotation", "typical_evidence", "threats", "reference_controls",
             "security_functions", "questions", "question", "answer", "importance", "weight",
             "order_id", "display_mode", "is_published", "locale", "default_locale",
             "provider", "locale_overrides", "urn_id", "node_id", "skip_count"}
MAPPING_SET_KEYS = {"urn", "ref_id", "name", "description", "translations",
                    "source_framework_urn", "target_framework_urn", "requirement_mappings",
                    # ignored:
                    "annotation", "source_node_base_urn", "target_node_base_urn", "locale",
                    "default_locale", "provider"}
MAPPING_KEYS = {"source_requirement_urn", "target_requirement_urn", "relationship",
                # ignored:
                "rationale", "strength_of_relationship", "annotation", "fulfilled_by",
                "is_reverse", "strength"}
IGNORED_RELATIONSHIPS = ("not_related",)


def read_yaml_library(filename: str, data: bytes) -> CatalogueData:
    """Read a CISO Assistant library; CatalogueError when it cannot be read."""
    text = _decode(filename, data)
    document = _build(filename, text)
    return _Library(filename, document).read()


# --- text and YAML --------------------------------------------------------------------------------

# C0 controls other than TAB, LF, CR; DEL. YAML itself forbids them in a stream.
_BINARY = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _decode(filename: str, data: bytes) -> str:
    where = file_where(filename)
    if b"\x00" in data[:8192]:
        raise CatalogueError([(where, _l("dit is geen YAML-bestand maar binaire gegevens"))])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CatalogueError([(where, _l(
            "dit is geen YAML-tekstbestand in UTF-8 (binaire gegevens of een andere codering)"))])
    if _BINARY.search(text):
        raise CatalogueError([(where, _l("dit is geen YAML-bestand maar binaire gegevens"))])
    return text


def _line(mark) -> str | None:
    return None if mark is None else mark.line + 1


DEEPER_THAN_A_CATALOGUE = _l("het bestand is dieper genest dan een catalogus kan zijn")


def _yaml_error(filename: str, error: yaml.YAMLError) -> CatalogueError:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    where = joined(file_where(filename), _l("regel %(line)s", line=_line(mark)) if mark else "")
    if "nesting depth" in problem:  # libyaml (0.2.5 on) stops deep nesting before our own check
        return CatalogueError([(where, DEEPER_THAN_A_CATALOGUE)])
    return CatalogueError([(where, _l("dit is geen geldige YAML: %(problem)s", problem=problem))])


def _refused(filename: str, event, message) -> CatalogueError:
    mark = getattr(event, "start_mark", None)
    where = joined(file_where(filename), _l("regel %(line)s", line=_line(mark)) if mark else "")
    return CatalogueError([(where, message)])


_STR = "tag:yaml.org,2002:str"
_SCALAR_TAGS = {
    "tag:yaml.org,2002:null": "construct_yaml_null",
    "tag:yaml.org,2002:bool": "construct_yaml_bool",
    "tag:yaml.org,2002:int": "construct_yaml_int",
    "tag:yaml.org,2002:float": "construct_yaml_float",
    "tag:yaml.org,2002:timestamp": "construct_yaml_timestamp",
}
_MAPPING_TAGS = (None, "!", "tag:yaml.org,2002:map")
_SEQUENCE_TAGS = (None, "!", "tag:yaml.org,2002:seq")


class _StrictLoader(_BASE_LOADER):
    """PyYAML's SafeLoader (libyaml's when installed), used here only as a source of parse events
    and for SafeLoader's scalar types; ``_build`` makes the document from the events and refuses
    aliases and anchors itself. Should anyone compose with it, it refuses them too."""

    def compose_node(self, parent, index):  # the pure-Python composer only
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise yaml.composer.ComposerError(
                None, None, "aliases and anchors are not allowed", event.start_mark)
        return super().compose_node(parent, index)


def _construct(loader, tag: str, event):
    if tag not in _SCALAR_TAGS:
        raise _refused(loader.filename, event, _l("het YAML-label %(tag)s is niet toegestaan",
                                                  tag=str(tag)[:100]))
    node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark)
    return getattr(loader, _SCALAR_TAGS[tag])(node)


def _build(filename: str, text: str):
    """The document as dicts, lists and SafeLoader's scalars, made in one pass over the event
    stream, with every limit checked before the value that would exceed it is made (see the
    module's docstring)."""
    loader = _StrictLoader(text)
    loader.filename = filename
    scalar, alias = yaml.ScalarEvent, yaml.AliasEvent
    mapping_start, sequence_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
    ends = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    resolve, scalar_node = loader.resolve, yaml.ScalarNode
    plain = (True, False)
    # One frame per open collection: [container, is_mapping, expecting_key, key, its own key]
    stack: list[list] = []
    root = None
    known: dict = {}  # plain scalar -> its value (true, 1, 2.0 ... repeat a lot)
    unknown = object()
    events = nodes = mappings = documents = 0

    def refuse(event, message):
        raise _refused(filename, event, message)

    try:
        while loader.check_event():
            event = loader.get_event()
            events += 1
            kind = event.__class__
            # A catalogue's values come with its nodes and mappings; a file of only values
            # (a list of a million numbers) is stopped early.
            if events > MAX_EVENTS or events > EVENTS_PER_ITEM * (nodes + mappings) + 50_000:
                refuse(event, _l("het bestand bevat te veel gegevens voor een catalogus"))
            if kind is alias or getattr(event, "anchor", None) is not None:
                refuse(event, _l("YAML-ankers en -verwijzingen (& en *) zijn niet toegestaan"))
            if kind is scalar:
                tag, value = event.tag, event.value
                if tag is None and event.implicit[0]:  # plain: typed as SafeLoader types it
                    typed = known.get(value, unknown)
                    if typed is unknown:
                        tag = resolve(scalar_node, value, plain)
                        typed = value if tag == _STR else _construct(loader, tag, event)
                        if len(known) < 10_000:
                            known[value] = typed
                    value = typed
                elif tag is None or tag == "!" or tag == _STR:
                    pass  # quoted: text
                else:
                    value = _construct(loader, tag, event)
            elif kind is mapping_start or kind is sequence_start:
                if event.tag not in (_MAPPING_TAGS if kind is mapping_start else _SEQUENCE_TAGS):
                    refuse(event, _l("het YAML-label %(tag)s is niet toegestaan",
                                     tag=str(event.tag)[:100]))
                value = {} if kind is mapping_start else []
            elif kind in ends:
                stack.pop()
                continue
            else:
                if kind is yaml.DocumentStartEvent:
                    documents += 1
                    if documents > 1:
                        refuse(event, _l("het bestand bevat meer dan één YAML-document"))
                continue

            # Attach the value to the open collection, or make it the document.
            key = None
            if stack:
                frame = stack[-1]
                if frame[1]:  # a mapping
                    if frame[2]:  # this value is a key
                        if kind is not scalar:
                            refuse(event, _l("een sleutel moet tekst zijn, geen lijst of tabel"))
                        if value in frame[0]:
                            refuse(event, _l("de sleutel %(key)s staat twee keer in dezelfde "
                                             "tabel", key=str(value)[:100]))
                        frame[2], frame[3] = False, value
                        continue
                    frame[2] = True
                    key = frame[3]
                    frame[0][key] = value
                else:  # an item of a sequence belongs to the sequence's key
                    key = frame[4]
                    frame[0].append(value)
                    if kind is mapping_start:
                        if key == "requirement_nodes":
                            nodes += 1
                            if nodes > MAX_NODES:
                                refuse(event, _l("te veel maatregelen: meer dan %(max)s in één "
                                                 "bestand", max=MAX_NODES))
                        elif key == "requirement_mappings":
                            mappings += 1
                            if mappings > MAX_MAPPINGS:
                                refuse(event, _l("te veel koppelingen: meer dan %(max)s in één "
                                                 "bestand", max=MAX_MAPPINGS))
            else:
                root = value
            if kind is not scalar:
                if len(stack) >= MAX_DEPTH:
                    refuse(event, DEEPER_THAN_A_CATALOGUE)
                stack.append([value, kind is mapping_start, True, None, key])
    except CatalogueError:
        raise
    except yaml.YAMLError as error:
        raise _yaml_error(filename, error)
    except (ValueError, TypeError, OverflowError) as error:
        # e.g. a timestamp that is no date ("2024-02-30"), or a key that cannot be a key
        raise CatalogueError([(file_where(filename), _l(
            "dit is geen geldige YAML: %(problem)s", problem=str(error)[:200]))])
    finally:
        loader.dispose()
    return root


# --- the library ----------------------------------------------------------------------------------


_TYPE_NAMES = {dict: _l("tabel"), list: _l("lijst"), str: _l("tekst"), bool: _l("ja/nee"),
               int: _l("getal"), float: _l("getal"), date: _l("datum"), datetime: _l("datum")}


def _type_name(value):
    return _TYPE_NAMES.get(type(value)) or _l("leeg")


class _Library:
    def __init__(self, filename: str, document) -> None:
        self.filename = filename
        self.document = document
        self.problems = Problems()
        self.locale = "en"

    # where

    def at(self, *parts):
        return joined(file_where(self.filename), *parts)

    def node_where(self, position: int, raw) -> object:
        urn = raw.get("urn") if isinstance(raw, dict) else None
        ref = raw.get("ref_id") if isinstance(raw, dict) else None
        label = ref if isinstance(ref, (str, int)) else urn if isinstance(urn, str) else None
        if label is not None:
            return self.at(_l("maatregel %(ref)s (nr. %(n)s in requirement_nodes)",
                              ref=str(label)[:200], n=position))
        return self.at(_l("maatregel nr. %(n)s in requirement_nodes", n=position))

    # typed values

    def text(self, where, raw: dict, key: str, required=False) -> str:
        value = raw.get(key)
        if value is None or value == "":
            if required:
                self.problems.add(where, _l("%(key)s ontbreekt", key=key))
            return ""
        if isinstance(value, (int, float)) and not isinstance(value, bool) and key != "ref_id":
            value = str(value)
        if isinstance(value, (date, datetime)) and key not in ("urn", "ref_id"):
            value = value.isoformat()
        if not isinstance(value, str):
            self.problems.add(where, _l("%(key)s moet tekst zijn, niet %(type)s", key=key,
                                        type=_type_name(value)))
            return ""
        if len(value) > MAX_TEXT:
            self.problems.add(where, _l("%(key)s is te lang (maximaal %(max)s tekens)", key=key,
                                        max=MAX_TEXT))
            return ""
        return value.strip()

    def urn(self, where, raw: dict, key: str, required=True) -> str:
        value = raw.get(key)
        if value is None or value == "":
            if required:
                self.problems.add(where, _l("%(key)s ontbreekt", key=key))
            return ""
        if not isinstance(value, str):
            self.problems.add(where, _l("%(key)s moet tekst zijn, niet %(type)s", key=key,
                                        type=_type_name(value)))
            return ""
        value = value.strip().lower()
        if not value.startswith("urn:") or len(value) > 500 or any(c.isspace() for c in value):
            self.problems.add(where, _l("%(key)s is geen geldige urn: %(value)s", key=key,
                                        value=value[:200]))
            return ""
        return value

    def mapping(self, where, value, key: str) -> dict:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problems.add(where, _l("%(key)s moet een tabel zijn, niet %(type)s", key=key,
                                        type=_type_name(value)))
            return {}
        return value

    def listing(self, where, value, key: str) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            self.problems.add(where, _l("%(key)s moet een lijst zijn, niet %(type)s", key=key,
                                        type=_type_name(value)))
            return []
        return value

    def unknown_keys(self, where, raw: dict, known: set, fatal: bool) -> None:
        unknown = [str(key) for key in raw if key not in known]
        if not unknown:
            return
        names = ", ".join(sorted(unknown))[:300]
        if fatal:
            self.problems.add(where, ngettext_keys(names, len(unknown)))
        else:
            self.problems.warn(where, _l("onbekende sleutels genegeerd: %(keys)s", keys=names))

    def texts(self, where, raw: dict, key: str) -> tuple[str, str, str]:
        """(Dutch, English, base) text of ``key``, by locale and translations."""
        base = self.text(where, raw, key)
        translations = self.mapping(where, raw.get("translations"), "translations")
        found = {}
        for language in ("nl", "en"):
            entry = self.mapping(where, translations.get(language), f"translations.{language}")
            found[language] = self.text(where, entry, key) if entry else ""
        nl = found["nl"] or (base if self.locale == "nl" else "")
        en = found["en"] or (base if self.locale == "en" else "")
        return nl or base or en, en, base

    # reading

    def read(self) -> CatalogueData:
        document, problems = self.document, self.problems
        top = self.at(_l("bibliotheek"))
        if not isinstance(document, dict) or "objects" not in document:
            raise CatalogueError([(self.at(), _l(
                "dit is geen bibliotheek van CISO Assistant: de sleutels urn en objects "
                "ontbreken"))])
        self.unknown_keys(top, document, LIBRARY_KEYS, fatal=True)
        locale = document.get("locale")
        self.locale = locale.strip().lower()[:2] if isinstance(locale, str) else "en"
        library_urn = self.urn(top, document, "urn")
        published = self.date(top, document.get("publication_date"))
        version = document.get("version")
        if version is not None and not isinstance(version, (str, int, float)):
            problems.add(top, _l("%(key)s moet tekst zijn, niet %(type)s", key="version",
                                 type=_type_name(version)))
            version = None
        library = {
            "version": "" if version is None else str(version).strip()[:50],
            "published": published,
            "provider": shorten(self.text(top, document, "provider"), MAX_NAME),
            "copyright": self.texts(top, document, "copyright")[0],
            "name": self.texts(top, document, "name"),
            "ref_id": document.get("ref_id"),
            "source": library_urn,
        }
        objects = self.mapping(top, document.get("objects"), "objects")
        where_objects = self.at("objects")
        self.unknown_keys(where_objects, objects, OBJECT_KEYS, fatal=True)

        raw_frameworks = []
        if "framework" in objects:
            raw_frameworks.append(self.mapping(where_objects, objects["framework"], "framework"))
        raw_frameworks += self.listing(where_objects, objects.get("frameworks"), "frameworks")
        raw_sets = []
        if "requirement_mapping_set" in objects:
            raw_sets.append(self.mapping(where_objects, objects["requirement_mapping_set"],
                                         "requirement_mapping_set"))
        raw_sets += self.listing(where_objects, objects.get("requirement_mapping_sets"),
                                 "requirement_mapping_sets")
        if not raw_frameworks and not raw_sets and not problems:
            problems.add(where_objects, _l(
                "de bibliotheek bevat geen raamwerk (framework) en geen koppelingen "
                "(requirement_mapping_sets)"))

        seen_urns: dict[str, object] = {}
        frameworks = [self.framework(index, raw, library, seen_urns)
                      for index, raw in enumerate(raw_frameworks, 1)]
        frameworks = [framework for framework in frameworks if framework is not None]
        controls = {c.urn for fw in frameworks for c in fw.controls}
        by_framework = {fw.urn: {c.urn for c in fw.controls} for fw in frameworks}
        mappings: dict[tuple[str, str], MappingData] = {}
        for index, raw in enumerate(raw_sets, 1):
            self.mapping_set(index, raw, by_framework, controls, mappings)
        problems.raise_if_any()
        return CatalogueData(frameworks=tuple(frameworks), mappings=tuple(mappings.values()),
                             source_name=self.filename, warnings=tuple(problems.warnings))

    def date(self, where, value) -> date | None:
        if value is None or value == "":
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.problems.add(where, _l("publication_date is geen datum (jjjj-mm-dd): %(value)s",
                                    value=str(value)[:50]))
        return None

    def framework(self, index: int, raw: dict, library: dict, seen_urns: dict):
        problems = self.problems
        where = self.at(_l("raamwerk %(n)s", n=index))
        if not isinstance(raw, dict):
            problems.add(where, _l("%(key)s moet een tabel zijn, niet %(type)s", key="framework",
                                   type=_type_name(raw)))
            return None
        urn = self.urn(where, raw, "urn")
        if urn:
            where = self.at(_l("raamwerk %(urn)s", urn=urn))
        self.unknown_keys(where, raw, FRAMEWORK_KEYS, fatal=True)
        name_nl, name_en, _base = self.texts(where, raw, "name")
        lib_nl, lib_en, _lib_base = library["name"]
        name_nl = shorten(name_nl or lib_nl, MAX_NAME)
        name_en = shorten(name_en or lib_en, MAX_NAME)
        if not name_nl:
            problems.add(where, _l("%(key)s ontbreekt", key="name"))
        code = raw.get("ref_id") or library["ref_id"] or (urn.rsplit(":", 1)[-1] if urn else "")
        code = str(code).strip()[:50]
        groups = {}
        for group in self.listing(where, raw.get("implementation_groups_definition"),
                                  "implementation_groups_definition"):
            if isinstance(group, dict) and isinstance(group.get("ref_id"), str):
                groups[group["ref_id"].strip().casefold()] = group["ref_id"].strip()

        raw_nodes = self.listing(where, raw.get("requirement_nodes"), "requirement_nodes")
        if not raw_nodes and not problems:
            problems.add(where, _l("het raamwerk heeft geen maatregelen (requirement_nodes)"))
        nodes: list[dict] = []
        for position, node in enumerate(raw_nodes, 1):
            parsed = self.node(position, node, groups, seen_urns)
            if parsed:
                nodes.append(parsed)
        controls = self.tree(nodes)
        return FrameworkData(
            urn=urn, code=code, name_nl=name_nl, name_en=name_en, version=library["version"],
            published=library["published"], provider=library["provider"],
            copyright=library["copyright"], source=library["source"] or self.filename,
            controls=tuple(controls))

    def node(self, position: int, raw, groups: dict, seen_urns: dict) -> dict | None:
        problems = self.problems
        where = self.node_where(position, raw)
        if not isinstance(raw, dict):
            problems.add(where, _l("een maatregel moet een tabel zijn, niet %(type)s",
                                   type=_type_name(raw)))
            return None
        self.unknown_keys(where, raw, NODE_KEYS, fatal=False)
        urn = self.urn(where, raw, "urn")
        if urn:
            if urn in seen_urns:
                problems.add(where, _l("de urn %(urn)s komt twee keer voor (ook bij %(other)s)",
                                       urn=urn, other=seen_urns[urn]))
                return None
            seen_urns[urn] = _l("nr. %(n)s", n=position)
        ref = raw.get("ref_id")
        if isinstance(ref, float):
            problems.add(where, _l("ref_id %(value)s is als getal geschreven; zet het tussen "
                                   "aanhalingstekens, anders gaan nullen verloren",
                                   value=str(ref)))
            ref = None
        elif isinstance(ref, int) and not isinstance(ref, bool):
            ref = str(ref)
        elif ref is not None:
            ref = self.text(where, raw, "ref_id") or None
        if ref is not None and len(ref) > 100:
            problems.add(where, _l("ref_id is te lang (maximaal %(max)s tekens)", max=100))
        parent = self.urn(where, raw, "parent_urn", required=False) or None
        assessable = raw.get("assessable", False)
        if assessable is None:
            assessable = False
        if not isinstance(assessable, bool):
            problems.add(where, _l("assessable moet true of false zijn, niet %(value)s",
                                   value=str(assessable)[:50]))
            assessable = False
        depth = raw.get("depth")
        if depth is not None and (isinstance(depth, bool) or not isinstance(depth, int)):
            problems.add(where, _l("depth moet een geheel getal zijn, niet %(value)s",
                                   value=str(depth)[:50]))
        name_nl, name_en, _ = self.texts(where, raw, "name")
        description_nl, description_en, _ = self.texts(where, raw, "description")
        title_nl = shorten(name_nl, MAX_TITLE) or short_title(description_nl) or (ref or "")
        title_en = shorten(name_en, MAX_TITLE) or short_title(description_en)
        tags: list[str] = []
        for group in self.listing(where, raw.get("implementation_groups"),
                                  "implementation_groups"):
            if isinstance(group, (int, float)) and not isinstance(group, bool):
                group = str(group)
            if not isinstance(group, str) or not group.strip() or len(group) > 100:
                problems.add(where, _l("implementation_groups moet een lijst met korte teksten "
                                       "zijn"))
                break
            tag = groups.get(group.strip().casefold(), group.strip())
            if tag not in tags:
                tags.append(tag)
        if not urn:
            return None
        return dict(urn=urn, ref_id=ref, parent_urn=parent, where=where, title_nl=title_nl,
                    title_en=title_en, description_nl=description_nl,
                    description_en=description_en, assessable=assessable, tags=tuple(tags))

    def tree(self, nodes: list[dict]) -> list[ControlNode]:
        """Depth from the parent chain; parents must be nodes of the same framework."""
        problems = self.problems
        by_urn = {node["urn"]: node for node in nodes}
        depth: dict[str, int] = {}
        for node in nodes:
            parent = node["parent_urn"]
            if parent is not None and parent not in by_urn:
                problems.add(node["where"], _l(
                    "de bovenliggende maatregel %(parent)s bestaat niet in dit raamwerk",
                    parent=parent))
        if problems:
            return []
        for node in nodes:
            chain, current = [], node["urn"]
            while current is not None and current not in depth:
                if current in chain:
                    problems.add(node["where"], _l(
                        "de bovenliggende maatregelen vormen een kring (%(urn)s is zijn eigen "
                        "voorouder)", urn=current))
                    return []
                chain.append(current)
                current = by_urn[current]["parent_urn"]
            level = depth[current] if current is not None else 0
            for urn in reversed(chain):
                level += 1
                depth[urn] = level
        return [ControlNode(urn=n["urn"], ref_id=n["ref_id"], parent_urn=n["parent_urn"],
                            order=order, depth=depth[n["urn"]], title_nl=n["title_nl"],
                            title_en=n["title_en"], description_nl=n["description_nl"],
                            description_en=n["description_en"], assessable=n["assessable"],
                            bbn_level=None, tags=n["tags"])
                for order, n in enumerate(nodes, 1)]

    def mapping_set(self, index: int, raw: dict, by_framework: dict, controls: set,
                    mappings: dict) -> None:
        problems = self.problems
        where = self.at(_l("koppelingenset %(n)s", n=index))
        if not isinstance(raw, dict):
            problems.add(where, _l("%(key)s moet een tabel zijn, niet %(type)s",
                                   key="requirement_mapping_set", type=_type_name(raw)))
            return
        urn = self.urn(where, raw, "urn", required=False)
        if urn:
            where = self.at(_l("koppelingenset %(urn)s", urn=urn))
        self.unknown_keys(where, raw, MAPPING_SET_KEYS, fatal=True)
        source_fw = self.urn(where, raw, "source_framework_urn")
        target_fw = self.urn(where, raw, "target_framework_urn")
        for position, item in enumerate(self.listing(where, raw.get("requirement_mappings"),
                                                     "requirement_mappings"), 1):
            at = joined(where, _l("koppeling nr. %(n)s", n=position))
            if not isinstance(item, dict):
                problems.add(at, _l("een koppeling moet een tabel zijn, niet %(type)s",
                                    type=_type_name(item)))
                continue
            self.unknown_keys(at, item, MAPPING_KEYS, fatal=False)
            source = self.urn(at, item, "source_requirement_urn")
            target = self.urn(at, item, "target_requirement_urn")
            relationship = item.get("relationship")
            relationship = relationship.strip().lower() if isinstance(relationship, str) else None
            if relationship in IGNORED_RELATIONSHIPS:
                continue
            if relationship not in RELATIONSHIPS:
                problems.add(at, _l("relationship moet equal, subset, superset of intersect zijn,"
                                    " niet %(value)s", value=str(item.get("relationship"))[:50]))
                continue
            for framework, requirement, key in ((source_fw, source, "source_requirement_urn"),
                                                (target_fw, target, "target_requirement_urn")):
                # Only a framework in this same file can be checked here.
                if requirement and framework in by_framework and \
                        requirement not in by_framework[framework]:
                    problems.add(at, _l("%(key)s %(urn)s is geen maatregel van het raamwerk "
                                        "%(framework)s", key=key, urn=requirement,
                                        framework=framework))
                    source = ""
            if not source or not target:
                continue
            previous = mappings.get((source, target))
            if previous is not None and previous.relationship != relationship:
                problems.add(at, _l("de koppeling van %(source)s naar %(target)s staat er twee "
                                    "keer in, als %(one)s en als %(other)s", source=source,
                                    target=target, one=previous.relationship,
                                    other=relationship))
                continue
            mappings[(source, target)] = MappingData(source, target, relationship)


def ngettext_keys(names: str, count: int):
    from flask_babel import lazy_ngettext

    return lazy_ngettext("onbekende sleutel: %(keys)s", "onbekende sleutels: %(keys)s", count,
                         keys=names)
