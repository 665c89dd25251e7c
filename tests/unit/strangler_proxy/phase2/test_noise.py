import json

from strangler_proxy.compare import CompareRules, NoiseModel, NoiseModels, compare
from strangler_proxy.snapshots import ResponseSnapshot


def resp(doc, headers=()):
    return ResponseSnapshot(status=200, headers=(("content-type", "application/json"),) + headers,
                            body=json.dumps(doc).encode())


def test_paths_differing_between_two_primaries_become_noise():
    model = NoiseModel()
    rules = CompareRules.build(headers=["content-type", "x-request-id"])
    first = resp({"results": [{"id": 1, "ts": 100}], "n": 1}, (("x-request-id", "a"),))
    second = resp({"results": [{"id": 1, "ts": 101}], "n": 1}, (("x-request-id", "b"),))
    assert set(model.learn(first, second, rules)) == {"results[*].ts", "header:x-request-id"}
    candidate = resp({"results": [{"id": 1, "ts": 555}, ], "n": 2}, (("x-request-id", "c"),))
    result = compare(first, candidate, model.apply(rules))
    assert result.paths() == ("n",)  # the real difference survives, noise is gone
    assert result.ignored == 2


def test_learning_counts_and_is_bounded():
    model = NoiseModel(max_paths=2)
    rules = CompareRules()
    model.learn(resp({"a": 1, "b": 1, "c": 1}), resp({"a": 2, "b": 2, "c": 2}), rules)
    assert len(model.paths()) == 2 and model.saturated
    model.learn(resp({"a": 1}), resp({"a": 3}), rules)
    assert model.observations == 2
    assert sum(model.paths().values()) == 2  # "a" seen once; later learning reuses the globs


def test_models_are_per_route():
    models = NoiseModels()
    models.for_route("catalog").learn(resp({"a": 1}), resp({"a": 2}), CompareRules())
    assert models.for_route("catalog").paths() == {"a": 1}
    assert models.for_route("orders").paths() == {}
    assert models.routes() == ("catalog", "orders")
