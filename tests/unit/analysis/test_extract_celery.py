from analysis.facts import TaskCallFact, TaskFact
from tests.unit.analysis.helpers import facts_of


def test_tasks_and_their_async_callers() -> None:
    facts = facts_of(
        """
        from celery import shared_task
        from app.celery import app

        @shared_task
        def send_mail(pk):
            pass

        @app.task(bind=True)
        def rebuild(self):
            pass

        def place():
            send_mail.delay(1)
            rebuild.apply_async(countdown=5)
        """
    )
    assert facts.tasks == (TaskFact("send_mail", 5), TaskFact("rebuild", 9))
    assert facts.task_calls == (
        TaskCallFact("place", "send_mail", "delay", 13),
        TaskCallFact("place", "rebuild", "apply_async", 14),
    )
