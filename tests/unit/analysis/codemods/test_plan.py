import json

import pytest

from analysis.codemods.errors import PlanError
from analysis.codemods.plan import load_service_plan
from tests.unit.analysis.codemods.helpers import SHOP_PLAN


def test_reads_the_named_service():
    plan = load_service_plan(SHOP_PLAN, "products")
    assert plan.name == "products"
    assert plan.members[0] == "shop.catalog.models:Category"
    assert plan.url_prefixes == ("/api/store/",)


def test_unknown_service_lists_the_plan_services():
    with pytest.raises(PlanError, match="no service named 'billing'") as caught:
        load_service_plan(SHOP_PLAN, "billing")
    assert caught.value.services == ("accounts", "products")
    assert "accounts, products" in str(caught.value)


@pytest.mark.parametrize(("text", "message"), [
    ("{not json", "not valid JSON"),
    ('{"nodes": []}', "no 'services' list"),
    ('{"services": [{"name": "x", "members": "a:b"}]}', "'members' must be a list"),
    ('{"services": [{"name": "x", "members": []}]}', "'members' is empty"),
    ('{"services": [{"name": "X-1", "members": ["a:b"]}]}', "Python identifier"),
])
def test_bad_plans_say_what_is_wrong(tmp_path, text, message):
    path = tmp_path / "plan.json"
    path.write_text(text, encoding="utf-8")
    name = json.loads(text)["services"][0]["name"] if message in (
        "'members' must be a list", "'members' is empty", "Python identifier") else "x"
    with pytest.raises(PlanError, match=message):
        load_service_plan(path, name)


def test_missing_file_is_a_plan_error(tmp_path):
    with pytest.raises(PlanError, match="cannot read the plan"):
        load_service_plan(tmp_path / "absent.json", "x")
