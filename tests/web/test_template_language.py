"""Templates translate with the catalogue of the language in force at each call: the one the
request chose, or the one ``force_locale`` sets for a while (certificates, mail to someone who
reads another language), and again the request's own after it. (The catalogue is looked up once
per language in a request: ``contest.i18n``.)"""

from __future__ import annotations

from flask import render_template_string
from flask_babel import force_locale

TEMPLATE = "{{ _('Log in') }}|{{ ngettext('%(num)d byte', '%(num)d bytes', 3) }}"


def test_each_call_uses_the_language_in_force(app):
    with app.test_request_context("/", headers={"Cookie": "lang=en"}):
        assert render_template_string(TEMPLATE) == "Log in|3 bytes"
        with force_locale("vi"):
            assert render_template_string(TEMPLATE).startswith("Đăng nhập|")
        assert render_template_string(TEMPLATE) == "Log in|3 bytes"


def test_nested_switches_come_back_to_each_language(app):
    quizzes = "{{ _('Quizzes') }}"
    with app.test_request_context("/", headers={"Cookie": "lang=vi"}):
        assert render_template_string(quizzes) == "Thi tìm hiểu"
        with force_locale("en"):
            assert render_template_string(quizzes) == "Quizzes"
            with force_locale("vi"):
                assert render_template_string(quizzes) == "Thi tìm hiểu"
            assert render_template_string(quizzes) == "Quizzes"
        assert render_template_string(quizzes) == "Thi tìm hiểu"
