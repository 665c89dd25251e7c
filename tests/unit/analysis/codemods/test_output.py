from analysis.codemods.facade import FileChange
from analysis.codemods.output import changes_against, render_diff, render_tree, write_changes


def test_tree_lists_folders_before_their_files():
    assert render_tree("svc", ["manage.py", "app/models.py", "app/migrations/__init__.py"]) == (
        "svc/\n  manage.py\n  app/\n    models.py\n    migrations/\n      __init__.py\n")


def test_diff_of_new_and_changed_files():
    diff = render_diff([FileChange("a.py", "", "x = 1\n"), FileChange("b.py", "y\n", "z\n")])
    assert diff == ("--- /dev/null\n+++ b/a.py\n@@ -0,0 +1 @@\n+x = 1\n"
                    "--- a/b.py\n+++ b/b.py\n@@ -1 +1 @@\n-y\n+z\n")


def test_write_then_nothing_left_to_change(tmp_path):
    files = {"pkg/a.py": "a = 1\n", "b.txt": "b\n"}
    changes = changes_against(tmp_path, files)
    assert [c.rel_path for c in changes] == ["b.txt", "pkg/a.py"]
    write_changes(tmp_path, changes)
    assert (tmp_path / "pkg" / "a.py").read_text() == "a = 1\n"
    assert changes_against(tmp_path, files) == []
    assert [p.name for p in (tmp_path / "pkg").iterdir()] == ["a.py"]  # no temp files left
