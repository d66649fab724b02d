"""Entrant side of the quizzes: start an attempt, answer, submit, see the result."""

from flask import Blueprint

bp = Blueprint("quiz", __name__, url_prefix="/quiz")
