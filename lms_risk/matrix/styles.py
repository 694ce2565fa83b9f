"""``/levels.css``: each level's colours as a class (``.level-<id>``), so that pages colour their
badges and heatmap cells without inline ``style`` attributes (the CSP allows no inline styles).
Levels are data that an admin edits: the sheet is answered fresh, with an ETag (304 if unchanged)."""

import hashlib
import re

from flask import Blueprint, Response, request
from sqlalchemy import select

from ..extensions import db
from .models import RiskLevel

bp = Blueprint("levels", __name__)
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@bp.get("/levels.css")
def stylesheet():
    rules = []
    for level in db.session.scalars(select(RiskLevel).order_by(RiskLevel.rank)):
        if _COLOUR.match(level.colour or ""):  # validated on save; never trust it into CSS
            rules.append(f".level-{level.id}{{background:{level.colour};"
                         f"color:{level.text_colour}}}")
    body = "\n".join(rules) + "\n"
    etag = hashlib.sha256(body.encode()).hexdigest()[:32]
    response = Response(body, mimetype="text/css")
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    return response.make_conditional(request)
