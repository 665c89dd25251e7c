"""The monolith (seeded ``small``) and the catalog service backfilled from it.

Session-scoped for the modules that only read them (contract, backfill, identity resolver);
``test_sync`` writes, so it defines module-scoped ones of the same names.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.catalog_service import (
    OUTBOX_TOKEN,
    Process,
    catalog_service,
    copy_db,
    monolith_process,
    seeded_monolith_db,
)


@pytest.fixture(scope="session")
def monolith(tmp_path_factory) -> Iterator[Process]:
    directory = tmp_path_factory.mktemp("monolith")
    with monolith_process(copy_db(seeded_monolith_db(tmp_path_factory), directory)) as server:
        yield server


@pytest.fixture(scope="session")
def service(tmp_path_factory, monolith) -> Iterator[Process]:
    """The service, backfilled from ``monolith``."""
    with catalog_service(tmp_path_factory.mktemp("catalog") / "catalog.sqlite3") as server:
        server.manage("backfill", "--source", monolith.url, "--token", OUTBOX_TOKEN)
        yield server
