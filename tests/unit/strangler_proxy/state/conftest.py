"""Every state test runs against both stores: SQLite (one host) and a real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from strangler_proxy.state_factory import StateStores, open_state

# the one import of the fixtures for this folder: each import would start its own server
from tests.support.postgres import postgres_server, postgres_url  # noqa: F401  (fixtures)


@dataclass
class Backend:
    kind: str
    url: str
    opened: list[StateStores] = field(default_factory=list)

    def open(self, **options: Any) -> StateStores:
        state = open_state(self.url, **options)
        self.opened.append(state)
        return state

    def diffs(self, **options: Any):  # noqa: ANN201  (either store class)
        return self.open(**options).diffs

    def stages(self, **options: Any):  # noqa: ANN201
        return self.open(**options).stages

    def stored_text(self) -> bytes:
        """Everything the store persisted, as bytes, to look for secrets in."""
        if self.kind == "sqlite":
            folder = Path(self.url.removeprefix("sqlite:///")).parent
            return b"".join(p.read_bytes() for p in folder.iterdir() if p.is_file())
        import psycopg

        with psycopg.connect(self.url) as conn:
            tables = [r[0] for r in conn.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema()")]
            rows = [conn.execute(f"SELECT coalesce(string_agg(t::text, E'\\n'), '') "
                                 f"FROM {name} t").fetchone()[0] for name in tables]
        assert "diff_examples" in tables
        return "\n".join(rows).encode()

    def close(self) -> None:
        for state in self.opened:
            state.close()


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'state' / 'state.db'}"
        (tmp_path / "state").mkdir()
    else:
        url = request.getfixturevalue("postgres_url")
    backend = Backend(request.param, url)
    yield backend
    backend.close()
