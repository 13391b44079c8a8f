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


# ---------------------------------------------------------------------------------------
# PostgreSQL: the compiled SQL is prepared on the server once per connection, a list of
# ids is one array parameter, and a refused PREPARE leaves the transaction usable.


def _prepared_names(connection) -> set[str]:
    with connection.connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


@pytest.mark.postgres
def test_on_postgresql_one_prepared_statement_serves_every_length_of_a_list(units, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    query = Prepared(_children)
    root, *blocs = units
    with CaptureQueriesContext(connection) as ctx:
        for ids in ([blocs[0].pk], [b.pk for b in blocs], [blocs[1].pk, blocs[3].pk, root.pk]):
            assert query("children", unit_ids=ids, parent_id=root.pk) == list(_children(unit_ids=ids, parent_id=root.pk))
    executed = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("EXECUTE")]
    assert len(executed) == 3 and len({sql.split("(")[0] for sql in executed}) == 1, ctx.captured_queries
    assert "ARRAY[" in executed[1]  # the list went as one parameter
    name = executed[0].split()[1].split("(")[0]
    assert name in _prepared_names(connection)
    # The PREPARE itself is not one of the page's queries: one query a call.
    with django_assert_num_queries(1):
        query("children", unit_ids=[blocs[2].pk], parent_id=root.pk)
    # Planned once, not again at each run (settings: only prepared statements read it).
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone()[0] == "force_generic_plan"


@pytest.mark.postgres
def test_a_query_built_with_prepare_false_is_sent_as_plain_sql(units):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    query = Prepared(_children, prepare=False)
    root, *blocs = units
    with CaptureQueriesContext(connection) as ctx:
        assert query("children", unit_ids=[blocs[0].pk, blocs[1].pk], parent_id=root.pk) == [
            (blocs[0].pk, blocs[0].code), (blocs[1].pk, blocs[1].code)]
    assert ctx.captured_queries[0]["sql"].startswith("SELECT") and " IN (" in ctx.captured_queries[0]["sql"]


@pytest.mark.postgres
def test_a_statement_is_prepared_again_on_a_new_connection(units):
    from django.db import connection

    query = Prepared(_children)
    root, *blocs = units
    assert query("children", unit_ids=[blocs[0].pk], parent_id=root.pk) == [(blocs[0].pk, blocs[0].code)]
    with connection.connection.cursor() as cursor:  # as a pooler's reset or a new session would
        cursor.execute("DEALLOCATE ALL")
    connection._portal_prepared = (object(), set())  # the names kept belong to another connection
    assert query("children", unit_ids=[blocs[1].pk], parent_id=root.pk) == [(blocs[1].pk, blocs[1].code)]


@pytest.mark.postgres
def test_a_refused_prepare_runs_the_sql_as_it_is_and_keeps_the_transaction(units, monkeypatch):
    from django.db import connection

    from core import sql

    # Make the server refuse the PREPARE (a syntax error in its text) inside the test's
    # open transaction: the query still answers and the transaction goes on.
    monkeypatch.setattr(sql, "_server_sql", lambda text: "SELECT FROM nowhere at all")
    query = Prepared(_children)
    root, *blocs = units
    assert query("children", unit_ids=[blocs[0].pk, blocs[1].pk], parent_id=root.pk) == [
        (blocs[0].pk, blocs[0].code), (blocs[1].pk, blocs[1].code)]
    assert Unit.objects.filter(pk=root.pk).exists()  # not "current transaction is aborted"


@pytest.mark.postgres
def test_a_list_used_other_than_in_one_in_is_compiled_per_length(units):
    from django.db.models import Q

    # The same list in an IN and, element by element, in an OR of equalities: it cannot go
    # as one array, so the statement is per length and still right for each.
    def build(*, unit_ids):
        q = Q(pk__in=unit_ids)
        for pk in unit_ids:
            q |= Q(parent_id=pk)
        return Unit.objects.filter(q).order_by("code").values_list("code", flat=False)

    query = Prepared(build)
    root, *blocs = units
    for ids in ([root.pk], [blocs[0].pk, blocs[1].pk], [root.pk, blocs[2].pk, blocs[3].pk]):
        assert query("mixed", unit_ids=ids) == list(build(unit_ids=ids))


@pytest.mark.postgres
def test_prepared_statements_can_be_turned_off(units, settings, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PORTAL_PREPARED_STATEMENTS = False
    query = Prepared(_children)
    root, *blocs = units
    with CaptureQueriesContext(connection) as ctx:
        assert query("children", unit_ids=[blocs[0].pk], parent_id=root.pk) == [(blocs[0].pk, blocs[0].code)]
    assert not ctx.captured_queries[0]["sql"].startswith("EXECUTE")
