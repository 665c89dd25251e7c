from analysis.facts import ReceiverFact, SignalSendFact
from tests.unit.analysis.helpers import facts_of


def test_receiver_decorators_connect_calls_and_sends() -> None:
    facts = facts_of(
        """
        from django.db.models.signals import post_save, post_delete
        from django.dispatch import receiver

        @receiver(post_save, sender=Rating)
        @receiver([post_save, post_delete], sender="core.Title")
        def on_change(sender, **kwargs):
            pass

        post_save.connect(audit, sender=Title)
        payment_succeeded.connect(receiver=on_paid)

        def pay():
            payment_succeeded.send(sender=Payment, payment=1)
            connection.send(b"not a signal")
        """
    )
    assert facts.receivers == (
        ReceiverFact("on_change", "post_save", "Rating", False, 4),
        ReceiverFact("on_change", "post_save", "core.Title", True, 5),
        ReceiverFact("on_change", "post_delete", "core.Title", True, 5),
        ReceiverFact("audit", "post_save", "Title", False, 9),
        ReceiverFact("on_paid", "payment_succeeded", "", False, 10),
    )
    assert facts.signal_sends == (SignalSendFact("pay", "payment_succeeded", "Payment", 13),)
