"""What may stop a superior from approving a plan, registered by the apps that know.

A unit with an open petition about a nominee cannot have its plan approved until the
petition is resolved (DOMAIN.md "Petition"). Petitions do not exist yet; when they do, the
petitions app registers a function in its AppConfig.ready:

    from personnel import hooks
    hooks.register_approval_blocker(open_petitions_about_nominees)

where the function takes the plan and returns the reasons it blocks it (strings shown to
the approver, without the petitioner's identity), empty when nothing does. So personnel
never imports petitions: the arrow points from the later app to this one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

ApprovalBlocker = Callable[[object], Iterable[str]]

_blockers: list[ApprovalBlocker] = []


def register_approval_blocker(blocker: ApprovalBlocker) -> ApprovalBlocker:
    """Add a function (plan) -> reasons; registering the same function twice keeps one."""
    if blocker not in _blockers:
        _blockers.append(blocker)
    return blocker


def unregister_approval_blocker(blocker: ApprovalBlocker) -> None:
    if blocker in _blockers:
        _blockers.remove(blocker)


def blocking_reasons(plan) -> list[str]:
    """Every reason the registered blockers give for not approving `plan` now."""
    return [str(reason) for blocker in _blockers for reason in blocker(plan)]
