import json

from hypothesis import given, settings
from hypothesis import strategies as st

from strangler_proxy.compare.json_diff import diff_json
from strangler_proxy.compare.rules import CompareRules


def paths(a, b, **rules):
    found, _, _ = diff_json(a, b, CompareRules.build(**rules))
    return {(d.path, d.kind) for d in found}


def test_equal_documents_have_no_difference():
    doc = {"results": [{"id": 1, "tags": ["a"]}], "count": 1, "x": None}
    assert paths(doc, doc) == set()


def test_changed_missing_added_and_type():
    a = {"results": [{"id": 1, "title": "A"}], "count": 1, "old": True}
    b = {"results": [{"id": 1, "title": "B"}], "count": "1", "new": 2}
    assert paths(a, b) == {("results[0].title", "changed"), ("count", "type"),
                           ("old", "missing"), ("new", "added")}


def test_values_are_reported_and_truncated():
    found, _, _ = diff_json({"t": "x" * 500}, {"t": "y"}, CompareRules(max_value_chars=20))
    (difference,) = found
    assert len(difference.primary) == 20 and difference.primary.endswith("…")
    assert difference.candidate == '"y"'


def test_array_length_differences_name_the_index():
    assert paths([1, 2, 3], [1, 2]) == {("[2]", "missing")}
    assert paths({"r": [1]}, {"r": [1, 5]}) == {("r[1]", "added")}


def test_ignore_globs_skip_and_count():
    a = {"results": [{"id": 1, "updated_at": "t1"}, {"id": 2, "updated_at": "t2"}]}
    b = {"results": [{"id": 1, "updated_at": "t3"}, {"id": 3, "updated_at": "t4"}]}
    found, ignored, _ = diff_json(a, b, CompareRules.build(ignore=["results[*].updated_at"]))
    assert [d.path for d in found] == ["results[1].id"]
    assert ignored == 2


def test_numeric_tolerance_absolute_and_relative():
    assert paths({"p": 10.0}, {"p": 10.004}) == {("p", "changed")}
    assert paths({"p": 10.0}, {"p": 10.004}, abs_tolerance=0.01) == set()
    assert paths({"p": 1000.0}, {"p": 1001.0}, rel_tolerance=0.002) == set()
    assert paths({"p": 1000.0}, {"p": 1003.0}, rel_tolerance=0.002) == {("p", "changed")}
    assert paths({"p": 1}, {"p": 1.0}) == set()  # JSON does not tell 1 from 1.0
    assert paths({"p": True}, {"p": 1}) == {("p", "type")}  # booleans are not numbers


def test_unordered_arrays_only_where_asked():
    a = {"results": [{"id": 1}, {"id": 2}], "order": [1, 2]}
    b = {"results": [{"id": 2}, {"id": 1}], "order": [2, 1]}
    assert paths(a, b, unordered=["results"]) == {("order[0]", "changed"),
                                                   ("order[1]", "changed")}


def test_unordered_pairs_leftovers_for_a_field_level_difference():
    a = {"results": [{"id": 1, "t": "a"}, {"id": 2, "t": "b"}, {"id": 3, "t": "c"}]}
    b = {"results": [{"id": 3, "t": "c"}, {"id": 2, "t": "B"}, {"id": 1, "t": "a"}]}
    assert paths(a, b, unordered=["results"]) == {("results[1].t", "changed")}


def test_unordered_ignores_ignored_fields_when_pairing():
    a = {"r": [{"id": 1, "ts": 5}, {"id": 2, "ts": 6}]}
    b = {"r": [{"id": 2, "ts": 9}, {"id": 1, "ts": 8}]}
    assert paths(a, b, unordered=["r"], ignore=["r[*].ts"]) == set()


def test_unordered_multiset_counts_duplicates():
    assert paths({"r": [1, 1, 2]}, {"r": [2, 1, 2]}, unordered=["r"]) == {("r[1]", "changed")}
    assert paths({"r": [1, 1]}, {"r": [1]}, unordered=["r"]) == {("r[1]", "missing")}


def test_max_differences_truncates():
    found, _, truncated = diff_json(list(range(10)), list(range(10, 20)),
                                    CompareRules(max_differences=3))
    assert len(found) == 3 and truncated


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-1000, 1000) | st.text(max_size=5),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=3),
                                                                        children, max_size=4),
    max_leaves=20)


@settings(max_examples=150, database=None, deadline=None)
@given(a=JSON_VALUES, b=JSON_VALUES)
def test_diff_is_empty_exactly_when_values_are_equal(a, b):
    assert diff_json(a, a, CompareRules())[0] == []
    found, _, _ = diff_json(a, b, CompareRules())
    assert (found == []) == (json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True))


@settings(max_examples=100, database=None, deadline=None)
@given(items=st.lists(JSON_VALUES, max_size=6), seed=st.randoms(use_true_random=False))
def test_unordered_arrays_ignore_any_permutation(items, seed):
    shuffled = list(items)
    seed.shuffle(shuffled)
    assert diff_json({"r": items}, {"r": shuffled}, CompareRules.build(unordered=["r"]))[0] == []
