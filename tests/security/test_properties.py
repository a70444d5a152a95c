"""Properties: whatever id or error a request carries, the answer is a clean 4xx in the error shape."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework import exceptions

from config.errors import NotFound, api_exception_handler
from labeling.access import _as_id, access_export, access_image, access_project, access_task

ids = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.text(max_size=30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.none(),
    st.binary(max_size=10),
)


@given(ids)
def test_as_id_returns_a_valid_key_or_not_found(value):
    try:
        number = _as_id(value)
    except NotFound:
        return
    assert isinstance(number, int) and 1 <= number <= 2**63 - 1


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=ids)
def test_access_functions_never_crash_on_arbitrary_ids(value, supervisor, annotator):
    for user in (supervisor, annotator):
        for access in (access_project, access_task, access_image, access_export):
            with pytest.raises(NotFound):
                access(user, value)


details = st.recursive(
    st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)


@given(details)
def test_validation_errors_of_any_shape_become_detail_and_code(detail):
    response = api_exception_handler(exceptions.ValidationError(detail), {})
    assert response.status_code == 400
    assert isinstance(response.data["detail"], str) and isinstance(response.data["code"], str)
    assert response.data["code"]
