import pytest

from strangler_proxy.compare.paths import (
    ROOT,
    compile_glob,
    generalise,
    join_index,
    join_key,
    tokenize,
)


def test_join_builds_readable_paths():
    path = join_key(join_index(join_key(ROOT, "results"), 3), "title")
    assert path == "results[3].title"
    assert join_key(ROOT, "a.b") == '["a.b"]'
    assert join_index(ROOT, 0) == "[0]"


def test_tokenize_round_trips_quoted_keys():
    assert tokenize('results[3]["a.b"].c') == ("results", "[3]", "a.b", "c")
    assert tokenize("$") == ()
    assert tokenize("$.a.b") == ("a", "b")


@pytest.mark.parametrize("glob,path,expected", [
    ("results[*].updated_at", "results[3].updated_at", True),
    ("results[*].updated_at", "results.updated_at", False),
    ("results[*].updated_at", "results[3].title", False),
    ("**.csrf_token", "csrf_token", True),
    ("**.csrf_token", "form.meta[2].csrf_token", True),
    ("**.csrf_token", "form.csrf_token_x", False),
    ("*.id", "user.id", True),
    ("*.id", "user.profile.id", False),
    ("**", "anything[1].at.all", True),
    ("results[*].*_at", "results[0].created_at", True),
    ("results[2]", "results[2]", True),
    ("results[2]", "results[20]", False),
    ("results.*", "results[0]", False),
    ("header:date", "header:date", True),
])
def test_glob_matching(glob, path, expected):
    assert compile_glob(glob).matches(path) is expected


def test_generalise_replaces_indices():
    assert generalise("results[3].tags[10]") == "results[*].tags[*]"


def test_bad_glob_is_a_value_error():
    with pytest.raises(ValueError, match="cannot parse"):
        compile_glob("results[x")
