"""compose.yaml cannot run here (no Docker engine), so its wiring is checked by reading it."""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml

from services.config import POSTGRES, load_settings

ROOT = Path(__file__).resolve().parent.parent


def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


def test_services_and_dependencies():
    services = compose()["services"]
    assert set(services) == {"db", "api", "projector"}
    assert services["api"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["projector"]["depends_on"]["api"]["condition"] == "service_healthy"
    for name in ("db", "api"):
        assert services[name]["healthcheck"]["test"], name
    assert "/api/health" in " ".join(services["api"]["healthcheck"]["test"])
    assert services["api"]["ports"] == ["8000:8000"]


def test_environment_reaches_the_database_service():
    spec = compose()
    db_env = spec["services"]["db"]["environment"]
    for name in ("api", "projector"):
        env = {k: str(v) for k, v in spec["services"][name]["environment"].items()}
        settings = load_settings(env)
        assert settings.store == POSTGRES
        assert settings.projections == "worker"
        assert settings.pg["POSTGRES_HOST"] == "db"
        assert settings.pg["POSTGRES_DBNAME"] == db_env["POSTGRES_DB"]
        assert settings.pg["POSTGRES_USER"] == db_env["POSTGRES_USER"]
        assert settings.pg["POSTGRES_PASSWORD"] == db_env["POSTGRES_PASSWORD"]


def test_commands_exist_in_the_cli_and_the_image():
    services = compose()["services"]
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert services["api"]["command"][:2] == ["tdkt", "serve"]
    assert services["projector"]["command"] == ["tdkt", "project"]
    assert "tdkt" in scripts
    from services.cli import cli

    names = {c.name or c.callback.__name__ for c in cli.registered_commands}
    assert {"serve", "project"} <= names
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in ("domain", "services", "projections", "templates"):
        assert f"COPY {package} ./{package}" in dockerfile
        assert (ROOT / package).is_dir()
    assert services["api"]["build"] == "." and services["projector"]["build"] == "."


def test_every_service_of_the_app_shares_one_required_personal_data_key():
    """The API and the projector open the same personal-data keys: both take the master key
    from the operator's environment, and compose refuses to start without it (a key generated
    inside a container would be lost with it)."""
    services = compose()["services"]
    keys = {name: services[name]["environment"].get("TDKT_PERSONAL_DATA_KEY")
            for name in ("api", "projector")}
    assert len(set(keys.values())) == 1
    [value] = set(keys.values())
    assert value.startswith("${TDKT_PERSONAL_DATA_KEY:?")
