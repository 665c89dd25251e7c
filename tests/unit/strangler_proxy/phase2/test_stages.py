import pytest

from strangler_proxy.stages import (
    Stage,
    StageSetting,
    next_stage,
    problems,
    rollback,
    service_share,
    setting,
    validate_steps,
)


def test_promotion_walks_every_step_then_service():
    walk = [StageSetting(Stage.MONOLITH)]
    while (step := next_stage(walk[-1], (10, 50, 100))) is not None:
        walk.append(step)
    assert [str(s) for s in walk] == ["monolith", "shadow", "canary 10%", "canary 50%",
                                      "canary 100%", "service"]


def test_promotion_from_an_odd_percent_goes_to_the_next_larger_step():
    assert next_stage(StageSetting(Stage.CANARY, 25), (10, 50)) == StageSetting(Stage.CANARY, 50)
    assert next_stage(StageSetting(Stage.CANARY, 60), (10, 50)) == StageSetting(Stage.SERVICE, 100)
    assert next_stage(StageSetting(Stage.SERVICE, 100, True)) is None


@pytest.mark.parametrize("current", [StageSetting(Stage.SHADOW), StageSetting(Stage.CANARY, 50),
                                     StageSetting(Stage.SERVICE, 100, True)])
def test_rollback_always_goes_to_the_monolith(current):
    assert rollback(current) == StageSetting(Stage.MONOLITH, 0)


def test_setting_normalises_percent_and_rejects_bad_values():
    assert setting("service") == StageSetting(Stage.SERVICE, 100)
    assert setting("shadow", 30) == StageSetting(Stage.SHADOW, 0)
    assert setting("canary", 25) == StageSetting(Stage.CANARY, 25)
    assert setting("service", reverse_shadow=True).reverse_shadow
    with pytest.raises(ValueError, match="stage must be one of"):
        setting("live")
    with pytest.raises(ValueError, match="needs a percent"):
        setting("canary")
    assert problems("canary", 101) == ["percent must be an integer from 0 to 100, not 101"]


def test_steps_validation():
    assert validate_steps([10, 50, 100]) == []
    assert validate_steps([]) == ["canary steps must not be empty"]
    assert validate_steps([50, 10]) == ["canary steps must be strictly increasing"]
    assert validate_steps([0, 10]) == ["canary steps must be integers from 1 to 100"]


def test_service_share():
    assert service_share(StageSetting(Stage.CANARY, 30)) == 30
    assert service_share(StageSetting(Stage.SHADOW)) == 0
    assert service_share(StageSetting(Stage.SERVICE, 100)) == 100
