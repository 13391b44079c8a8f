"""core.sql.Prepared: a query built with the ORM once per shape gives, run again with
other values, the rows the ORM gives for those values."""

import datetime as dt

import pytest

from committees.models import Level, Unit
from committees import services as unit_services
from core.sql import Prepared


@pytest.fixture
def units(db):
    root = unit_services.unit_create(code="P", name="Province", level=Level.PROVINCE)
    return [root] + [unit_services.unit_create(code=f"K{i}", name=f"Bloc {i}", level=Level.UPPER, parent=root)
                     for i in range(4)]


def _children(*, unit_ids, parent_id):
    return Unit.objects.filter(pk__in=unit_ids, parent_id=parent_id).order_by("code").values_list("pk", "code")


def test_the_rows_equal_the_orms_for_every_call(units):
    query = Prepared(_children)
    root, *blocs = units
    for ids in ([blocs[0].pk, blocs[2].pk], [blocs[1].pk, blocs[3].pk], [b.pk for b in blocs], [root.pk]):
        expected = list(_children(unit_ids=ids, parent_id=root.pk))
        assert query("children", unit_ids=ids, parent_id=root.pk) == expected
    assert query("children", unit_ids=[blocs[0].pk, blocs[1].pk], parent_id=blocs[0].pk) == []


def test_a_date_argument_is_put_where_its_sentinel_was(units):
    query = Prepared(lambda *, since: Unit.objects.filter(created_at__date__gte=since).values_list("code"))
    assert len(query("since", since=dt.date(2000, 1, 1))) == len(units)
    assert query("since", since=dt.date(2999, 1, 1)) == []


def test_an_argument_that_is_not_a_parameter_of_the_sql_is_refused(units):
    # The build drops `parent_id` (e.g. a typo): run again, the SQL would ignore the value
    # given; Prepared refuses it when it compiles instead of answering for the wrong unit.
    query = Prepared(lambda *, unit_ids, parent_id: Unit.objects.filter(pk__in=unit_ids).values_list("pk"))
    with pytest.raises(ValueError, match="not a parameter"):
        query("dropped", unit_ids=[units[1].pk], parent_id=units[0].pk)


def test_models_are_the_orms_instances_with_their_annotations(units):
    from django.db.models import Count

    def build(*, unit_ids):
        return Unit.objects.filter(pk__in=unit_ids).annotate(n_children=Count("children")).order_by("code")

    query = Prepared(build)
    root, *blocs = units
    for ids in ([root.pk, blocs[1].pk], [blocs[2].pk, blocs[3].pk]):
        got = query.models(Unit, "annotated", unit_ids=ids)
        expected = list(build(unit_ids=ids))
        assert [(u.pk, u.name, u.created_at, u.n_children) for u in got] == [
            (u.pk, u.name, u.created_at, u.n_children) for u in expected]
    assert isinstance(query.models(Unit, "annotated", unit_ids=[root.pk])[0].created_at, dt.datetime)  # SQLite too
