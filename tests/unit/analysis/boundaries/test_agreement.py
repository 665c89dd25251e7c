from analysis.boundaries import adjusted_rand_index, mojo, mojofm


def test_identical_partitions_agree_fully():
    a = {"x": 1, "y": 1, "z": 2}
    assert mojo(a, a) == 0
    assert mojofm(a, a) == 100.0
    assert adjusted_rand_index(a, a) == 1.0


def test_one_misplaced_object_costs_one_move():
    truth = {"a": "A", "b": "A", "c": "A", "d": "B", "e": "B", "f": "B"}
    found = {"a": 1, "b": 1, "c": 2, "d": 2, "e": 2, "f": 2}
    assert mojo(found, truth) == 1
    # n=6, B has two groups of 3: the worst partition needs 6 - 2 = 4 operations.
    assert mojofm(found, truth) == 75.0
    assert 0 < adjusted_rand_index(found, truth) < 1


def test_a_split_cluster_costs_one_join():
    truth = {"a": "A", "b": "A", "c": "A", "d": "A"}
    found = {"a": 1, "b": 1, "c": 2, "d": 2}
    assert mojo(found, truth) == 1
