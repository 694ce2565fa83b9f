"""Citations in a discipline's rationale of what other features declare citable
(``Feature.text_references``, e.g. "[BIO2 5.30.01]"): why the netto score is lower. The text is
kept as typed; here it is cut into plain runs and citations for the risk page, resolved in a
few queries per page, offered on the form, and checked on save: one rule for the form and the
import (:func:`citation_check`)."""

from collections.abc import Callable, Iterable

from ..core.features import registry

RATIONALE = ".rationale"  # the key suffix of a discipline's rationale ("AMB.rationale")


def _matches(text: str, hooks) -> list[tuple[int, int, object, str]]:
    """(start, end, hook, reference) of every citation in ``text``, in order, none overlapping."""
    found = sorted((m.start(), m.end(), hook, m.group(0))
                   for hook in hooks for m in hook.pattern.finditer(text))
    out, end = [], 0
    for match in found:
        if match[0] >= end:
            out.append(match)
            end = match[1]
    return out


def pieces(text: str, resolved: dict, hooks) -> list[tuple[str, object, object]]:
    """``text`` as [(text, hook, what it resolved to)]: hook None for plain text and for a
    citation that did not resolve."""
    out, at = [], 0
    for start, end, hook, reference in _matches(text, hooks):
        ref = resolved[hook.key].get(reference)
        if ref is None:
            continue  # stays in the plain run
        if start > at:
            out.append((text[at:start], None, None))
        out.append((reference, hook, ref))
        at = end
    if at < len(text):
        out.append((text[at:], None, None))
    return out


def rationale_pieces(risk) -> dict[int, list[tuple[str, object, object]]]:
    """{discipline id: its rationale as :func:`pieces`}, the citations of the whole risk resolved
    in one call per feature that declares them (a few queries, whatever their number)."""
    hooks = registry().text_references
    texts = {i.discipline_id: i.rationale for i in risk.impacts if i.rationale}
    resolved = {}
    for hook in hooks:
        cited = {m.group(0) for text in texts.values() for m in hook.pattern.finditer(text)}
        resolved[hook.key] = hook.resolve(risk, cited) if cited else {}
    return {d: pieces(text, resolved, hooks) for d, text in texts.items()}


def citable(risk) -> list[tuple[object, list[tuple[str, str]]]]:
    """[(heading, [(reference as to write it, label)])] that the form offers for citing."""
    if risk is None:
        return []
    return [(hook.label, offered) for hook in registry().text_references
            if (offered := list(hook.offer(risk)))]


def citation_check(texts: Iterable[tuple[int | None, Iterable[str]]]) \
        -> Callable[[int | None, dict, dict], dict[str, str]]:
    """The rule on citations, prepared for the rationales about to be saved: ``texts`` gives
    (risk id or None for a new risk, its rationale texts). Returns ``check(risk_id, before,
    after)``: {"<CODE>.rationale": message} for each rationale that changes between the two
    snapshots and cites what the declaring feature refuses there (say, an object not linked to
    the risk). An unchanged rationale is never refused, so a link removed later does not block
    other edits and an unedited export re-imports as it is."""
    hooks = registry().text_references
    cited: dict[str, dict[int | None, set[str]]] = {hook.key: {} for hook in hooks}
    for risk_id, values in texts:
        for text in values:
            if not text:
                continue
            for hook in hooks:
                for m in hook.pattern.finditer(text):
                    cited[hook.key].setdefault(risk_id, set()).add(m.group(0))
    refused = {hook.key: hook.refused(cited[hook.key]) if cited[hook.key] else {}
               for hook in hooks}

    def check(risk_id: int | None, before: dict, after: dict) -> dict[str, str]:
        errors = {}
        for key, text in after.items():
            if not key.endswith(RATIONALE) or not text or text == (before.get(key) or ""):
                continue
            messages = [message for _s, _e, hook, reference in _matches(text, hooks)
                        if (message := refused[hook.key].get((risk_id, reference)))]
            if messages:
                errors[key] = " ".join(dict.fromkeys(messages))
        return errors
    return check


def refused_citations(risk_id: int | None, before: dict, after: dict) -> dict[str, str]:
    """:func:`citation_check` for one risk's change (the form, the services)."""
    texts = [v for k, v in after.items() if k.endswith(RATIONALE)]
    return citation_check([(risk_id, texts)])(risk_id, before, after)
