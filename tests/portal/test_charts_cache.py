"""Charts are cached by what they draw: the same data is drawn once, new data always anew."""

import pygal
import pytest
from django.utils import translation

from portal.charts import survey


@pytest.fixture
def renders(monkeypatch):
    """Counts pygal renders."""
    calls = []
    original = pygal.graph.public.PublicApi.render

    def counting(self, *args, **kwargs):
        calls.append(type(self).__name__)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(pygal.graph.public.PublicApi, "render", counting)
    return calls


def radar(values):
    return survey.radar(
        ["Culture", "CI/CD", "Security"], [("This round", values)], title="Radar", slug="radar"
    )


def test_the_same_data_is_drawn_once(renders):
    first = radar([40.0, 50.0, 60.0])
    again = radar([40.0, 50.0, 60.0])
    assert renders == ["Radar"]
    assert again.svg == first.svg


def test_new_data_is_drawn_anew(renders):
    first = radar([40.0, 50.0, 60.0])
    changed = radar([40.0, 50.0, 61.0])
    assert len(renders) == 2
    assert changed.svg != first.svg
    assert "61" in changed.table.rows[2][1]


def test_each_language_has_its_own_drawing(renders):
    radar([40.0, 50.0, 60.0])
    with translation.override("de"):
        radar([40.0, 50.0, 60.0])
    assert len(renders) == 2


def test_an_argument_that_is_not_plain_data_is_refused_rather_than_keyed_by_accident(renders):
    class Opaque:
        pass

    @survey.cached
    def chart(thing):
        return radar([1.0, 2.0, 3.0])

    with pytest.raises(TypeError, match="cannot be part of a cache key"):
        chart(Opaque())
    assert renders == []
