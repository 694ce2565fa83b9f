"""lms-risk: the collective risk register of the Dutch meldkamers."""

from pathlib import Path

from flask import Flask

__version__ = "0.1.0"


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from .config import build_config

    app.config.from_mapping(build_config(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)

    from .extensions import babel, bootstrap, csrf, db, login_manager, migrate
    from .i18n import select_locale

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    bootstrap.init_app(app)
    login_manager.init_app(app)

    from . import models  # noqa: F401  (registers every table with the metadata)
    from .web import register_web

    register_web(app)

    from .cli import register_cli

    register_cli(app)
    return app
