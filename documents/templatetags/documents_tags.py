from django import template

from ..selectors import pending_requests

register = template.Library()


@register.simple_tag
def comment_requests_for(user, unit=None):
    """Open comment requests the user answers: to `unit` when given (a congress page),
    else to any unit they keep, and to them by name ("my unit")."""
    if user is None or not user.is_authenticated:
        return []
    scope = user.scope
    unit_ids = [unit.pk] if unit is not None and scope.can_edit(unit) else ([] if unit is not None else scope.my_unit_ids)
    return pending_requests(user, unit_ids)
