"""Judging: rubrics, judge assignment, score aggregation and reliability for writing contests."""
