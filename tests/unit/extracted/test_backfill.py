"""``backfill``: a crash mid-copy resumes at the next page; a rerun changes nothing."""

from __future__ import annotations

import httpx

from tests.support.catalog_service import OUTBOX_TOKEN, catalog_service
from tests.support.flaky import FlakyForwarder
from tests.support.servers import running

HOST = {"host": "testserver"}


def listing(url: str, path: str) -> list[dict]:
    body = httpx.get(f"{url}{path}?page_size=100", headers=HOST, timeout=30).json()
    rows = body["results"]
    while body["next"]:
        body = httpx.get(body["next"].replace("http://testserver", url), headers=HOST,
                         timeout=30).json()
        rows += body["results"]
    return rows


def test_crash_mid_copy_then_resume_then_rerun(tmp_path, monolith):
    flaky = FlakyForwarder(monolith.url, fail_after=2, path_part="/export/")
    with catalog_service(tmp_path / "catalog.sqlite3") as service, running(flaky) as front:
        crashed = service.manage("backfill", "--source", front.url, "--token", OUTBOX_TOKEN,
                                 "--page-size", "25", check=False)
        assert crashed.returncode == 1
        assert "rerun to continue" in crashed.stderr
        copied_before = [p for p in flaky.seen if "/export/" in p]
        assert any("/export/person/" in p for p in copied_before)

        flaky.healed = True
        flaky.seen.clear()
        resumed = service.manage("backfill", "--source", front.url, "--token", OUTBOX_TOKEN,
                                 "--page-size", "100")
        assert "resumed and finished" in resumed.stdout
        exports = [p for p in flaky.seen if "/export/" in p]
        # Continues at the page that failed: genres and the first people pages are not re-read.
        assert not any("/export/genre/" in p for p in exports)
        assert exports[0].startswith("/api/outbox/export/person/?after_id=")
        assert "after_id=0" not in exports[0]

        for path in ("/api/catalog/titles/", "/api/catalog/people/", "/api/catalog/episodes/",
                     "/api/catalog/genres/", "/api/catalog/seasons/"):
            assert listing(service.url, path) == listing(monolith.url, path), path
        detail = listing(service.url, "/api/catalog/titles/")[0]["id"]
        before = httpx.get(f"{service.url}/api/catalog/titles/{detail}/", timeout=30).json()

        again = service.manage("backfill", "--source", monolith.url, "--token", OUTBOX_TOKEN,
                               "--restart")
        assert "finished" in again.stdout
        assert httpx.get(f"{service.url}/api/catalog/titles/{detail}/", timeout=30).json() == before
        assert listing(service.url, "/api/catalog/people/") == listing(monolith.url, "/api/catalog/people/")


def test_a_wrong_token_is_a_usage_error_saying_what_to_set(monolith, service):
    refused = service.manage("backfill", "--source", monolith.url, "--token", "wrong",
                             check=False)
    assert refused.returncode == 2
    assert "CATALOG_OUTBOX_TOKEN" in refused.stderr


def test_backfill_from_the_database_file_read_only(tmp_path, monolith):
    before = monolith.db_path.read_bytes()
    with catalog_service(tmp_path / "catalog.sqlite3") as service:
        done = service.manage("backfill", "--source-db", str(monolith.db_path), "--page-size", "25")
        assert "finished" in done.stdout
        for path in ("/api/catalog/titles/", "/api/catalog/people/", "/api/catalog/episodes/"):
            assert listing(service.url, path) == listing(monolith.url, path), path
        title = listing(monolith.url, "/api/catalog/titles/")[0]["id"]
        detail = f"/api/catalog/titles/{title}/"
        assert httpx.get(service.url + detail, timeout=30).json() == httpx.get(
            monolith.url + detail, timeout=30).json()
        status = service.manage("sync", "--source-db", str(monolith.db_path), "--status")
        assert "lag=0" in status.stdout
        missing = service.manage("backfill", "--source-db", str(tmp_path / "nope.sqlite3"),
                                 check=False)
    assert missing.returncode == 2 and "no monolith database" in missing.stderr
    assert monolith.db_path.read_bytes() == before  # read-only: not a byte changed
