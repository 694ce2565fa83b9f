"""The administration start page: the links that features declare as ``admin_links``."""

from flask import Blueprint, render_template
from flask_login import current_user

from ..auth.permissions import is_admin
from ..core.access import require
from ..core.features import registry

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@require(is_admin)
def index():
    links = [link for link in registry().admin_links if link.visible(current_user)]
    return render_template("admin/index.html", links=links)
