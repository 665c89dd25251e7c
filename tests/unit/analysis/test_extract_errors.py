import pytest

from analysis.extract import UnreadableSource, extract_source


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        (b"def broken(:\n    pass\n", "syntax error at line 1"),
        (b'print "hello"\n', "Python 2 syntax at line 1"),
        (b"try:\n    pass\nexcept ValueError, e:\n    pass\n", "Python 2 syntax at line 3"),
        (b"name = '\xff\xfe'\n", "undecodable bytes"),
        (b"# -*- coding: no-such-codec -*-\nx = 1\n", "undecodable bytes"),
        (b"x = 1\x00\n", "unreadable source"),
    ],
)
def test_unparsable_sources_raise_with_a_reason(source: bytes, reason: str) -> None:
    with pytest.raises(UnreadableSource) as caught:
        extract_source(source, "pkg.mod")
    assert caught.value.reason.startswith(reason), caught.value.reason


def test_pep_263_encodings_are_honoured() -> None:
    source = "# -*- coding: latin-1 -*-\nclass Caf\u00e9:\n    pass\n".encode("latin-1")
    facts = extract_source(source, "pkg.mod")
    assert [s.name for s in facts.symbols] == ["Caf\u00e9"]
