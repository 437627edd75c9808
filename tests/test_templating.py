"""The app's Jinja environment keeps Jinja's meaning of template globals (a template's own over
the environment's, later additions seen) with keys that are a dict's view."""

from __future__ import annotations

from collections import ChainMap

from jinja2 import DictLoader

from rmt.web.templating import AppEnvironment, TemplateGlobals


def test_the_app_renders_with_its_environment(app):
    assert isinstance(app.jinja_env, AppEnvironment)
    assert isinstance(app.jinja_env.get_template("base.html").globals, TemplateGlobals)


def test_template_globals_mean_what_jinjas_chain_means():
    shared = {"a": 1, "b": 2}
    own = {"b": 20, "c": 30}
    ours, jinjas = TemplateGlobals(own, shared), ChainMap(own, shared)
    assert set(ours.keys()) == set(jinjas.keys()) == {"a", "b", "c"}
    assert dict(ours) == dict(jinjas) == {"a": 1, "b": 20, "c": 30}
    shared["later"] = 4  # a global added after the template was loaded is seen, as in Jinja
    assert {"later"} - ours.keys() == set() and ours["later"] == 4
    assert {"a", "x"} - ours.keys() == {"x"}


def test_an_import_sees_the_globals_of_the_importing_render(app):
    env = AppEnvironment(app, loader=DictLoader({
        "macros.html": "{% macro hello() %}{{ greeting }}, {{ name }}{% endmacro %}",
        "page.html": '{% from "macros.html" import hello with context %}{{ hello() }}',
        "plain.html": '{% from "macros.html" import hello %}{{ hello() }}',
    }))
    env.globals["greeting"] = "Dag"
    assert env.get_template("page.html").render(name="Anna") == "Dag, Anna"
    page = env.get_template("plain.html", globals={"name": "Bram"})
    assert page.render() == "Dag, Bram"  # the importing template's own global reaches the macro
