"""All configuration in one pydantic-settings class, read from ``KG_*`` environment variables."""

from __future__ import annotations

from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "get_settings", "use_settings"]

ROLES = ("viewer", "analyst", "admin")


class Settings(BaseSettings):
    """Carebridge settings. Every field is read from the environment variable ``KG_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="KG_", env_file=".env", extra="ignore")

    backend: Literal["sqlite", "neo4j"] = "sqlite"
    data_dir: Path = Path("kg-data")
    neo4j_uri: str | None = None
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr = SecretStr("neo4j")
    neo4j_database: str | None = None
    # "key1:viewer,key2:admin"; empty means no keys: the API then serves localhost only.
    api_keys: SecretStr = SecretStr("")
    max_upload_mb: int = Field(default=200, ge=1)
    output_dir: Path = Path("kg-out")
    # Betweenness (and every measure built on it) is exact up to this many people and
    # estimated from 500 source pivots above it, with the sample size and error reported.
    exact_max_nodes: int = Field(default=5000, ge=0)
    # New answers (not cached yet) one API key may have computed a minute; 0 means no limit.
    fresh_per_minute: int = Field(default=60, ge=0)
    # The address respondents reach the API at; survey links are this + /s/TOKEN.
    survey_base_url: str | None = None

    @field_validator("data_dir", "output_dir")
    @classmethod
    def _expand(cls, v: Path) -> Path:
        return v.expanduser()

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "carebridge.sqlite"

    def api_key_roles(self) -> dict[str, str]:
        """Parse ``KG_API_KEYS`` into ``{key: role}``; raise ``ValueError`` on a malformed entry."""
        out: dict[str, str] = {}
        raw = self.api_keys.get_secret_value().strip()
        if not raw:
            return out
        for i, entry in enumerate(raw.split(","), start=1):
            key, sep, role = entry.strip().rpartition(":")
            if not sep or not key or role not in ROLES:
                raise ValueError(
                    f"KG_API_KEYS entry {i} is not 'key:role' with role one of {', '.join(ROLES)}"
                )
            out[key] = role
        return out


@lru_cache
def _from_environment() -> Settings:
    return Settings()


# An app built with its own settings (``create_app(settings)``) serves its requests with them;
# a context variable, so the request's worker thread sees them and nothing else does.
_ACTIVE: ContextVar[Settings | None] = ContextVar("carebridge_settings", default=None)


def get_settings() -> Settings:
    """The settings in force: those of the app serving this request, else the environment's."""
    return _ACTIVE.get() or _from_environment()


get_settings.cache_clear = _from_environment.cache_clear  # tests re-read the environment


def use_settings(settings: Settings | None) -> None:
    """Make ``settings`` the ones :func:`get_settings` returns in this context."""
    _ACTIVE.set(settings)
