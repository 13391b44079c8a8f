"""Signals of the unit tree, for the layers above it.

`tree_reshaped` is sent after the transaction commits when units moved (their paths
changed): a move, an import that moved units. Whoever caches anything keyed by paths
(accounts.access caches each user's readable paths) listens; the tree imports none of them.
"""

from functools import partial

from django.db import transaction
from django.dispatch import Signal

tree_reshaped = Signal()


def send_tree_reshaped_on_commit() -> None:
    from .models import Unit

    transaction.on_commit(partial(tree_reshaped.send, sender=Unit))
