from strangler_proxy.policy_reader import PolicyError, TableReader


def reader(table):
    errors: list[PolicyError] = []
    return TableReader(table, "routes[1].shadow", errors), errors


def test_good_values_are_returned():
    r, errors = reader({"n": 2.5, "i": 3, "b": False, "s": "x", "l": ["a", " b "], "k": [1, 2]})
    assert (r.number("n", 0), r.integer("i", 0), r.boolean("b", True), r.text("s", "d"),
            r.strings("l"), r.integers("k", ())) == (2.5, 3, False, "x", ("a", "b"), (1, 2))
    assert r.number("absent", 7.0) == 7.0 and errors == []


def test_bad_values_fall_back_and_name_the_key():
    r, errors = reader({"n": "fast", "i": True, "b": 1, "s": "", "c": "z", "l": [1], "lo": 5})
    assert r.number("n", 1.0) == 1.0
    assert r.integer("i", 4) == 4
    assert r.boolean("b", True) is True
    assert r.text("s", "d") == "d"
    assert r.text("c", "a", choices=("a", "b")) == "a"
    assert r.strings("l") == ()
    assert r.integer("lo", 1, low=10) == 1
    assert [e.key for e in errors] == [f"routes[1].shadow.{k}" for k in
                                       ("n", "i", "b", "s", "c", "l", "lo")]
    assert "must be one of a, b" in errors[4].message


def test_unknown_keys_and_sub_tables():
    r, errors = reader({"sample_rat": 1, "compare": {"x": 1}, "bad": 3})
    r.only({"compare", "sample_rate"})
    assert str(errors[0]).startswith("routes[1].shadow.bad: unknown key")
    sub = r.sub("compare")
    assert sub is not None and sub.key("x") == "routes[1].shadow.compare.x"
    assert r.sub("missing") is None
    assert r.sub("bad") is None and errors[-1].message == "must be a table"
