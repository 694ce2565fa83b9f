"""lms-risk: the collective risk register of the Dutch meldkamers."""

from pathlib import Path

__version__ = "0.1.0"

from .config import build_config  # noqa: E402  (web.py reads __version__)
from .core.features import discover, install
from .core.logs import configure_logging
from .core.uow import UnitOfWorkFlask
from .extensions import babel, bootstrap, csrf, db, login_manager, migrate
from .i18n import select_locale
from .web import CORE
PACKAGE = Path(__file__).resolve().parent


def _resource(name: str) -> str:
    """A folder that lives beside the package in a checkout and inside it in a wheel."""
    inside = PACKAGE / name
    return str(inside if inside.is_dir() else PACKAGE.parent / name)


def create_app(test_config: dict | None = None):
    app = UnitOfWorkFlask(__name__, instance_relative_config=True,
                          template_folder=_resource("templates"))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(build_config(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    configure_logging(app)  # first, so that its request clock runs before every other hook

    db.init_app(app)
    migrate.init_app(app, db, directory=_resource("migrations"), render_as_batch=True,
                     compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    bootstrap.init_app(app)
    login_manager.init_app(app)

    # Features beyond the installed packages (a plug-in, or a test's throwaway feature).
    install(app, [CORE, *discover(__name__), *app.config.get("EXTRA_FEATURES", ())])
    return app
